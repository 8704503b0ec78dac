import type { NotificationPriority, NotificationType } from '../platform/db/schema.js';
import { absoluteUrl, escapeHtml, renderLayout } from '../platform/email/layout.js';

export interface RenderableNotification {
  readonly type: NotificationType;
  readonly title: string;
  readonly message: string;
  readonly actionUrl: string | null;
  readonly priority: NotificationPriority;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** What each type is about, and the words on its button. */
export const TYPE_COPY: Readonly<Record<NotificationType, { label: string; action: string }>> = {
  LICENSE: { label: 'License', action: 'View license' },
  PAYOUT: { label: 'Payout', action: 'View payout' },
  ROYALTY: { label: 'Royalty', action: 'View royalties' },
  PROJECT: { label: 'Project', action: 'Open project' },
  SYSTEM: { label: 'System', action: 'Open' },
  MESSAGE: { label: 'Message', action: 'Read message' },
  POST_ASSIGNED: { label: 'Post assigned', action: 'Open post' },
  POST_STATUS_CHANGED: { label: 'Post status', action: 'Open post' },
  BLOG: { label: 'Blog', action: 'Read post' },
};

const PRIORITY_COLOR: Readonly<Record<NotificationPriority, string>> = {
  LOW: '#616e7c', MEDIUM: '#2186eb', HIGH: '#de911d', URGENT: '#cf1124',
};

/** One notification as an email: subject, HTML (every user string escaped) and plain text. */
export function renderNotificationEmail(n: RenderableNotification, ctx: { publicUrl: string; recipientName: string | null; unsubscribeUrl: string | null }): RenderedEmail {
  const copy = TYPE_COPY[n.type];
  const urgent = n.priority === 'URGENT' || n.priority === 'HIGH';
  const subject = `${urgent ? `[${n.priority}] ` : ''}${n.title}`.replace(/[\r\n]+/g, ' ').slice(0, 250);
  const link = absoluteUrl(n.actionUrl ?? '/', ctx.publicUrl);
  const greeting = ctx.recipientName ? `Hi ${ctx.recipientName},` : 'Hi,';
  const inbox = absoluteUrl('/', ctx.publicUrl);
  const bodyHtml = [
    `<p style="margin:0 0 8px;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#616e7c">${escapeHtml(copy.label)}`,
    ` &middot; <span style="color:${PRIORITY_COLOR[n.priority]};font-weight:600">${n.priority} priority</span></p>`,
    `<h1 style="margin:0 0 16px;font-size:20px">${escapeHtml(n.title)}</h1>`,
    `<p style="margin:0 0 8px">${escapeHtml(greeting)}</p>`,
    `<p style="margin:0 0 24px;white-space:pre-line">${escapeHtml(n.message)}</p>`,
    link ? `<p style="margin:0"><a href="${escapeHtml(link)}" style="display:inline-block;background:#2186eb;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(copy.action)}</a></p>` : '',
  ].join('');
  const footerHtml = [
    `You receive this because of your notification settings${inbox ? ` (<a href="${escapeHtml(inbox)}">open your inbox</a>)` : ''}.`,
    ctx.unsubscribeUrl ? ` <a href="${escapeHtml(ctx.unsubscribeUrl)}">Unsubscribe from emails</a>.` : '',
  ].join('');
  const text = [
    `${copy.label} · ${n.priority} priority`, '', n.title, '', greeting, '', n.message, '',
    link ? `${copy.action}: ${link}` : '', '',
    ctx.unsubscribeUrl ? `Unsubscribe from emails: ${ctx.unsubscribeUrl}` : '',
  ].join('\n').replace(/\n{3,}/g, '\n\n').trim();
  return { subject, html: renderLayout({ title: n.title, preheader: n.message.slice(0, 120), bodyHtml, footerHtml }), text };
}

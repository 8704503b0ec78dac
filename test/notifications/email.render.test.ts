import { describe, expect, it } from 'vitest';
import { renderNotificationEmail, type RenderableNotification } from '../../src/notifications/email.render.js';
import type { NotificationType } from '../../src/platform/db/schema.js';

// One notification as an email, without the app (delivery.test.ts sends them through SMTP).

const note = (n: Partial<RenderableNotification> = {}): RenderableNotification => ({
  type: 'LICENSE', title: 'License approved', message: 'Your license for "Sunrise" was approved.', actionUrl: '/licenses/7', priority: 'MEDIUM', ...n,
});
const ctx = { publicUrl: 'https://app.example.com', recipientName: 'Ada', unsubscribeUrl: 'https://app.example.com/api/notifications/unsubscribe?token=x' };

describe('a notification email', () => {
  it('says what, for whom and where to act, in plain text', () => {
    expect(renderNotificationEmail(note(), ctx).text).toBe([
      'License · MEDIUM priority',
      '',
      'License approved',
      '',
      'Hi Ada,',
      '',
      'Your license for "Sunrise" was approved.',
      '',
      'View license: https://app.example.com/licenses/7',
      '',
      'Unsubscribe from emails: https://app.example.com/api/notifications/unsubscribe?token=x',
    ].join('\n'));
  });

  it('says the same in HTML, every user string escaped, with the button, the inbox and the unsubscribe link', () => {
    const { html } = renderNotificationEmail(note({ title: 'A <b> & "c"', message: "it's <i>here</i>" }), ctx);
    expect(html).toContain('<title>A &lt;b&gt; &amp; &quot;c&quot;</title>');
    expect(html).toContain('>A &lt;b&gt; &amp; &quot;c&quot;</h1>');
    // The preheader (the line mail clients show after the subject) is the message.
    expect(html).toContain('overflow:hidden">it&#39;s &lt;i&gt;here&lt;/i&gt;</span>');
    expect(html).toContain('>it&#39;s &lt;i&gt;here&lt;/i&gt;</p>');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('>License &middot; <span style="color:#2186eb;font-weight:600">MEDIUM priority</span></p>');
    expect(html).toContain('>Hi Ada,</p>');
    expect(html).toMatch(/<a href="https:\/\/app\.example\.com\/licenses\/7" [^>]*>View license<\/a>/);
    expect(html).toContain('You receive this because of your notification settings (<a href="https://app.example.com/">open your inbox</a>).');
    expect(html).toContain(' <a href="https://app.example.com/api/notifications/unsubscribe?token=x">Unsubscribe from emails</a>.');
  });

  it('cuts the preheader at 120 characters of the message', () => {
    const message = `${'a'.repeat(120)}TAIL`;
    const { html } = renderNotificationEmail(note({ message }), ctx);
    expect(html).toContain(`overflow:hidden">${'a'.repeat(120)}</span>`);
    // The body keeps the whole message.
    expect(html).toContain(`>${message}</p>`);
  });

  it('flags high and urgent notifications in the subject, not the others', () => {
    const subjects = (['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const).map((priority) => renderNotificationEmail(note({ priority }), ctx).subject);
    expect(subjects).toEqual(['License approved', 'License approved', '[HIGH] License approved', '[URGENT] License approved']);
  });

  it('colours the priority by its level', () => {
    const colour = (priority: RenderableNotification['priority']) =>
      /<span style="color:(#[0-9a-f]{6});font-weight:600">(\w+) priority<\/span>/.exec(renderNotificationEmail(note({ priority }), ctx).html)?.slice(1);
    expect(colour('LOW')).toEqual(['#616e7c', 'LOW']);
    expect(colour('MEDIUM')).toEqual(['#2186eb', 'MEDIUM']);
    expect(colour('HIGH')).toEqual(['#de911d', 'HIGH']);
    expect(colour('URGENT')).toEqual(['#cf1124', 'URGENT']);
  });

  it('keeps the subject one line of at most 250 characters (no header injection)', () => {
    expect(renderNotificationEmail(note({ title: 'Line one\r\nBcc: x@example.com\n\nthree' }), ctx).subject).toBe('Line one Bcc: x@example.com three');
    const long = renderNotificationEmail(note({ title: 'x'.repeat(300), priority: 'URGENT' }), ctx).subject;
    expect(long).toBe(`[URGENT] ${'x'.repeat(241)}`);
  });

  it('greets without a name when there is none, and links the inbox when there is no action', () => {
    const mail = renderNotificationEmail(note({ actionUrl: null }), { ...ctx, recipientName: null });
    expect(mail.text).toContain('\n\nHi,\n\n');
    expect(mail.text).toContain('View license: https://app.example.com/\n');
    expect(mail.html).toContain('>Hi,</p>');
    expect(mail.html).toMatch(/<a href="https:\/\/app\.example\.com\/" [^>]*>View license<\/a>/);
  });

  it('links nothing that is not http(s), and leaves no empty lines where the link was', () => {
    const mail = renderNotificationEmail(note({ actionUrl: 'javascript:alert(1)' }), { ...ctx, unsubscribeUrl: null });
    expect(mail.text).toBe('License · MEDIUM priority\n\nLicense approved\n\nHi Ada,\n\nYour license for "Sunrise" was approved.');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).not.toContain('View license');
    expect(mail.html).not.toContain('Unsubscribe');
    expect(mail.html).toContain('(<a href="https://app.example.com/">open your inbox</a>).</td>');
    // The body ends with the message: no button and nothing in its place.
    expect(mail.html).toContain('>Your license for &quot;Sunrise&quot; was approved.</p></td></tr>');
  });

  it('closes the gap a missing link leaves in the text to one blank line', () => {
    const mail = renderNotificationEmail(note({ actionUrl: 'javascript:alert(1)' }), ctx);
    expect(mail.text).toBe('License · MEDIUM priority\n\nLicense approved\n\nHi Ada,\n\nYour license for "Sunrise" was approved.\n\nUnsubscribe from emails: https://app.example.com/api/notifications/unsubscribe?token=x');
  });

  it('resolves the inbox and a missing action at the root of the public URL\'s host, as every action path is', () => {
    const under = { ...ctx, publicUrl: 'https://example.com/herald' };
    expect(renderNotificationEmail(note(), under).text).toContain('View license: https://example.com/licenses/7\n');
    const mail = renderNotificationEmail(note({ actionUrl: null }), under);
    expect(mail.text).toContain('View license: https://example.com/\n');
    expect(mail.html).toContain('(<a href="https://example.com/">open your inbox</a>)');
  });

  it('leaves the inbox link out when the public URL cannot make one', () => {
    const mail = renderNotificationEmail(note({ actionUrl: null }), { ...ctx, publicUrl: 'not a url' });
    expect(mail.html).toContain('You receive this because of your notification settings. <a href=');
    expect(mail.html).not.toContain('open your inbox');
    expect(mail.html).not.toContain('View license');
  });

  it('names each type and its action', () => {
    const copy = (type: NotificationType) => {
      const [first, , , , , , , , action] = renderNotificationEmail(note({ type }), ctx).text.split('\n');
      return [first!.replace(' · MEDIUM priority', ''), action!.replace(': https://app.example.com/licenses/7', '')];
    };
    expect(Object.fromEntries((['LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'SYSTEM', 'MESSAGE', 'POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG'] as const).map((t) => [t, copy(t)]))).toEqual({
      LICENSE: ['License', 'View license'],
      PAYOUT: ['Payout', 'View payout'],
      ROYALTY: ['Royalty', 'View royalties'],
      PROJECT: ['Project', 'Open project'],
      SYSTEM: ['System', 'Open'],
      MESSAGE: ['Message', 'Read message'],
      POST_ASSIGNED: ['Post assigned', 'Open post'],
      POST_STATUS_CHANGED: ['Post status', 'Open post'],
      BLOG: ['Blog', 'Read post'],
    });
  });
});

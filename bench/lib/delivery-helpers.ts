import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { renderNotificationEmail } from '../../src/notifications/email.render.js';
import type { NotificationContent } from '../../src/notifications/notifications.schemas.js';

/** Helpers of bench:delivery: percentiles, the bare SMTP and INSERT baselines. */

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Nearest-rank percentiles, in ms rounded to 0.1. */
export function percentiles(values: number[]): { p50: number; p95: number; max: number } {
  if (values.length === 0) return { p50: NaN, p95: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: round(at(50)), p95: round(at(95)), max: round(sorted[sorted.length - 1]!) };
}

export const CONTENT: NotificationContent = {
  type: 'MESSAGE', title: 'New message from Ada', message: 'Ada sent you a message about project #1234: "Can we move the review to Thursday?"',
  actionUrl: '/messages/1234', priority: 'MEDIUM', metadata: { projectId: 1234 }, critical: false,
};

/** What the service sends for CONTENT: rendered by the service's template, with its headers. */
export function realisticMail(publicUrl = 'http://127.0.0.1:3000') {
  // About as long as the service's signed unsubscribe link.
  const unsubscribeUrl = `${publicUrl}/api/notifications/unsubscribe?token=${'x'.repeat(120)}`;
  const rendered = renderNotificationEmail(CONTENT, { publicUrl, recipientName: 'Bench User 1', unsubscribeUrl });
  return { ...rendered, unsubscribeUrl };
}

/**
 * The best bare configuration (docs: MEASURED.md): nodemailer pooled over `maxConnections`
 * connections, exactly as src/platform/email/transport.ts builds it (nodemailer 10 turns Nagle off
 * on every SMTP socket itself), sending `count` messages with at most `inFlight` at once. Returns the seconds taken.
 */
export async function sendBare(smtpUrl: string, count: number, options: { maxConnections: number; inFlight: number }): Promise<number> {
  const url = new URL(smtpUrl);
  const transporter = nodemailer.createTransport({
    pool: true, maxConnections: options.maxConnections, maxMessages: Infinity,
    host: url.hostname, port: Number(url.port), secure: false,
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000,
  });
  const mail = realisticMail();
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: options.inFlight }, async () => {
      while (next < count) {
        next++;
        const id = randomUUID();
        await transporter.sendMail({
          from: 'Herald <no-reply@herald.local>', to: `user${next}@bench.local`, subject: mail.subject, html: mail.html, text: mail.text,
          messageId: `<notification.${id}@herald.local>`,
          headers: { 'X-Herald-Notification': id, 'X-Priority': '3', 'List-Unsubscribe': `<${mail.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
      }
    }));
    return (performance.now() - started) / 1000;
  } finally {
    transporter.close();
  }
}

/**
 * The bare baseline of a fan-out: the same notification columns, one multi-row INSERT of `perStatement`
 * rows at a time on one connection (autocommit), no outbox rows. Returns the seconds taken.
 */
export async function bareInsert(databaseUrl: string, userIds: readonly string[], content: NotificationContent, batchId: string, perStatement = 1_000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'herald-bench-bare-insert' });
  await client.connect();
  try {
    const columns = ['user_id', 'type', 'title', 'message', 'action_url', 'priority', 'metadata', 'critical', 'batch_id'];
    const metadata = content.metadata === null ? null : JSON.stringify(content.metadata);
    const statement = (rows: number) => `INSERT INTO notifications (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, (_, k) =>
      `(${columns.map((_c, c) => `$${k * columns.length + c + 1}`).join(', ')})`).join(', ')}`;
    const full = statement(perStatement);
    const started = performance.now();
    for (let i = 0; i < userIds.length; i += perStatement) {
      const slice = userIds.slice(i, i + perStatement);
      const values = slice.flatMap((userId) => [userId, content.type, content.title, content.message, content.actionUrl, content.priority, metadata, content.critical, batchId]);
      await client.query(slice.length === perStatement ? full : statement(slice.length), values);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

/**
 * A stricter reference than bareInsert (reported, not scored): the same rows made inside PostgreSQL
 * by one `INSERT … SELECT` from users (what the fan-out does page by page), no outbox rows.
 */
export async function insertSelect(databaseUrl: string, content: NotificationContent, batchId: string): Promise<{ rows: number; seconds: number }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'herald-bench-insert-select' });
  await client.connect();
  try {
    const started = performance.now();
    const result = await client.query(
      `INSERT INTO notifications (user_id, type, title, message, action_url, priority, metadata, critical, batch_id)
       SELECT id, $1, $2, $3, $4, $5, $6, $7, $8 FROM users WHERE role = 'VIEWER'`,
      [content.type, content.title, content.message, content.actionUrl, content.priority,
        content.metadata === null ? null : JSON.stringify(content.metadata), content.critical, batchId]);
    return { rows: result.rowCount ?? 0, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

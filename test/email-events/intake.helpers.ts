import { createHmac, randomUUID } from 'node:crypto';
import type { Call, TestApp } from '../helpers/context.js';
import type { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

export const SECRET = 'email-events-test-secret-0123';

export const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** POSTs a generic event, signed unless `signature` says otherwise (null: no header). */
export function postGeneric(t: TestApp, event: unknown, signature?: string | null): Promise<Call> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? sign(body) : signature;
  if (sig !== null) headers['x-herald-signature'] = sig;
  return t.call('POST', '/api/webhooks/email/generic', { body, headers });
}

/** A user with an address whose notification email went through the real SMTP sink: its Message-ID and log row. */
export async function sentEmail(t: TestApp, sink: SmtpSink, prefix: string) {
  const email = `${prefix}-${randomUUID().slice(0, 8)}@mail.test`;
  const user = await t.app.services.users.createUser({ email, password: 'password-123', role: 'VIEWER' });
  await t.app.services.notifications.notify({ userIds: [user.id], type: 'PAYOUT', title: `Payout ${prefix}`, message: 'On its way.' });
  if (!(await outboxDrained(t.app))) throw new Error('outbox not drained');
  const mail = sink.mailbox(email)[0];
  if (!mail) throw new Error(`no mail to ${email}`);
  const log = await t.app.database.db.selectFrom('email_log').select(['id', 'message_id']).where('user_id', '=', user.id).executeTakeFirstOrThrow();
  return { user, email, messageId: mail.messageId, logId: log.id };
}

export const eventsOf = (t: TestApp, email: string) =>
  t.app.database.db.selectFrom('email_events').selectAll().where('email', '=', email.toLowerCase()).orderBy('id').execute();
export const suppressionOf = (t: TestApp, email: string) =>
  t.app.database.db.selectFrom('email_suppressions').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();

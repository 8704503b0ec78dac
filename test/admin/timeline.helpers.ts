import { createHmac } from 'node:crypto';
import type { Call, TestApp } from '../helpers/context.js';

/**
 * A permanent bounce of `messageId` as a provider reports it: through the generic intake
 * (POST /api/webhooks/email/generic, signed as docs/OPERATIONS.md tells a sender to sign it).
 */
export async function bounceEvent(t: TestApp, e: { email: string; messageId: string; secret: string }): Promise<Call> {
  const body = JSON.stringify({ type: 'bounce', email: e.email, messageId: e.messageId, permanent: true, at: new Date().toISOString(), detail: '550 5.1.1 mailbox gone' });
  const signature = `sha256=${createHmac('sha256', e.secret).update(body).digest('hex')}`;
  return t.call('POST', '/api/webhooks/email/generic', { body, headers: { 'content-type': 'application/json', 'x-herald-signature': signature } });
}

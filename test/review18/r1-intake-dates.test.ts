import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateOf } from '../../src/email-events/email-event.rules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

// R1 (review of issue 18): a provider timestamp JavaScript can represent but PostgreSQL cannot
// (timestamptz ends at 4713 BC) made the event's INSERT fail: a 500, which the provider retries
// for ever (a poison message) and which the contract forbids. Such a date is no date: the receipt
// time stands in for it, as for a missing one.

const SECRET = 'email-events-test-secret-0123';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ EMAIL_WEBHOOK_SECRET: SECRET, RATE_LIMIT_OVERRIDES: 'email.webhooks=5000' });
});
afterAll(async () => {
  await t?.close();
});

describe('provider timestamps out of PostgreSQL\'s range', () => {
  it('dateOf: a date before year 1 or after 9999 is the fallback', () => {
    const now = new Date('2026-12-06T12:00:00Z');
    for (const raw of [-8.64e15, -1e15, 8.64e15, '-010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z']) expect([raw, dateOf(raw, now)]).toEqual([raw, now]);
    expect(dateOf('0001-01-01T00:00:00Z', now)).toEqual(new Date('0001-01-01T00:00:00Z'));
    expect(dateOf('9999-12-31T23:59:59Z', now)).toEqual(new Date('9999-12-31T23:59:59Z'));
  });

  it('a Postmark bounce whose BouncedAt is far in the past is recorded (200), never a 500', async () => {
    for (const [id, bouncedAt] of [[11, -8.64e15], [12, '-050000-01-01T00:00:00Z'], [13, 8.64e15]] as const) {
      const res = await t.call('POST', '/api/webhooks/email/postmark', {
        body: JSON.stringify({ RecordType: 'Bounce', ID: id, MessageID: `pm-${id}`, Type: 'HardBounce', Email: `dates-${id}@mail.test`, BouncedAt: bouncedAt }),
        headers: { 'content-type': 'application/json', 'x-herald-webhook-secret': SECRET },
      });
      expect([bouncedAt, res.status, res.body]).toEqual([bouncedAt, 200, { success: true, data: { outcome: 'events', recorded: 1, duplicates: 0 } }]);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableEmailError } from '../../src/platform/email/email.service.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { digestEmails } from './digest-emails.js';

/**
 * Issue 21: a DigestSend's digests are claimed in one statement (EmailService.sendMany) and each
 * claim then waits for a free SMTP slot, renewed while it waits. A claim taken over by another
 * attempt while it waits (its lease ran out: this process stalled) is not handed off: the other
 * attempt's email is the only one.
 */

describe('a job\'s digest claims in one statement', () => {
  // One connection, a slow server (each DATA answered 3 s after it arrived), leases of 1 s
  // renewed every 333 ms: the second digest's claim waits for the first one's hand-off.
  const sink = new SmtpSink({ delayMs: 3_000 });
  let t: TestApp;
  beforeAll(async () => {
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '1', EMAIL_LEASE_MS: '1000' }, { roles: ['api'] });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });
  const db = () => t.app.database.db;

  const digests = (n: number) => digestEmails(db(), n, 3, 'digest-batch');

  const rowOf = (key: string) => db().selectFrom('email_log').select(['status', 'claim_token']).where('key', '=', key).executeTakeFirstOrThrow();

  it('a claim taken over while it waits for a slot is never handed off; the others are sent once', { timeout: 30_000 }, async () => {
    const email = t.app.services.email;
    const [first, second, third] = await digests(3);
    const sending = email.sendMany([first!, second!, third!]);
    // All three claimed by the one statement; the first is in hand-off, the other two wait for the connection.
    expect(await waitFor(async () => (await db().selectFrom('email_log').select('key')
      .where('key', 'in', [first!.key, second!.key, third!.key]).where('status', '=', 'sending').execute()).length === 3, 10_000)).toBe(true);
    // Another attempt takes the second over (as after this process stalled past its lease).
    const other = randomUUID();
    await sql`UPDATE email_log SET claim_token = ${other}::uuid, claimed_until = now() + interval '1 hour' WHERE key = ${second!.key}`.execute(db());
    const results = await sending;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RetryableEmailError);
    // Only the other attempt may send it: this one neither handed it off nor touched its row.
    expect(sink.mailbox(second!.to)).toHaveLength(0);
    expect(await rowOf(second!.key)).toEqual({ status: 'sending', claim_token: other });
    for (const sent of [first!, third!]) {
      expect(sink.mailbox(sent.to)).toHaveLength(1);
      expect((await rowOf(sent.key)).status).toBe('sent');
    }
  });
});

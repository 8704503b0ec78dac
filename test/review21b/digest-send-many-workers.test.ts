import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ClaimHeldError } from '../../src/platform/email/email.service.js';
import { waitFor } from '../../src/platform/net.js';
import { digestEmails } from '../digests/digest-emails.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Review of issue 21 (290875c, EmailService.sendMany): a job's digests claimed in one statement.
 * Two workers sending the same digests at once (a job run twice, a retry beside a slow first
 * attempt) send each exactly once; claims left by a worker that died before its hand-offs are
 * held until their lease ends (the job is deferred, not failed) and then sent once.
 */
const sink = new SmtpSink({ delayMs: 50 });
let t: TestApp;
let other: App;
beforeAll(async () => {
  await sink.start();
  t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '2', EMAIL_LEASE_MS: '1500' }, { roles: ['api'] });
  other = await t.sibling({ roles: ['api'] });
});
afterAll(async () => {
  await other.stop();
  await t.close();
  await sink.stop();
});
const db = () => t.app.database.db;

const digests = (n: number) => digestEmails(db(), n, 2, 'many-workers');

describe('sendMany under two workers', () => {
  it('the same digests sent by two workers at once (in opposite orders) go out once each', { timeout: 60_000 }, async () => {
    const emails = await digests(24);
    const [a, b] = await Promise.all([t.app.services.email.sendMany(emails), other.services.email.sendMany([...emails].reverse())]);
    const bByKey = new Map([...emails].reverse().map((e, i) => [e.key, b[i]!]));
    for (const [i, e] of emails.entries()) {
      const outcomes = [a[i]!, bByKey.get(e.key)!].map((r) => (r.status === 'fulfilled' ? r.value : r.reason instanceof ClaimHeldError ? 'held' : String(r.reason)));
      // One worker sent it; the other found it sent, or held by the first (its job would defer).
      expect(outcomes.filter((o) => o === 'sent'), `${e.key}: ${outcomes.join(', ')}`).toHaveLength(1);
      expect(outcomes.every((o) => o === 'sent' || o === 'already-sent' || o === 'held'), outcomes.join(', ')).toBe(true);
      expect(sink.mailbox(e.to)).toHaveLength(1);
    }
  });

  it('claims left by a worker that died before its hand-offs are held until their lease ends, then sent once', { timeout: 60_000 }, async () => {
    const emails = await digests(5);
    // The dead worker's claims: taken in one statement, never handed off, never renewed.
    const claims = await t.app.services.email['deps'].emailLog.claimMany(emails.map((c) => ({ c: { ...c, messageId: `<dead-${c.key}@test>` }, token: randomUUID() })), 1500);
    expect(claims.every((c) => c !== null && c !== 'stale' && c.status === 'sending')).toBe(true);
    const early = await other.services.email.sendMany(emails);
    expect(early.map((r) => (r.status === 'rejected' && r.reason instanceof ClaimHeldError ? 'held' : r.status))).toEqual(emails.map(() => 'held'));
    expect(emails.flatMap((e) => sink.mailbox(e.to))).toHaveLength(0);
    // Once the leases ran out, the retry takes them over and sends each once.
    expect(await waitFor(async () => (await db().selectFrom('email_log').select('key').where('key', 'in', emails.map((e) => e.key))
      .where('claimed_until', '<', sql<Date>`now()`).execute()).length === emails.length, 10_000)).toBe(true);
    const retry = await other.services.email.sendMany(emails);
    expect(retry.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(emails.map(() => 'sent'));
    for (const e of emails) expect(sink.mailbox(e.to)).toHaveLength(1);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

/**
 * A suppression added while 200 emails to the address are queued stops every one not yet claimed:
 * the claim reads the suppression list in its own statement. Emails already claimed (in hand-off
 * at that moment, at most SMTP_POOL_SIZE per process) go out; no claim begun after suppress()
 * returned sends anything.
 */
const POOL = 2;
let sink: SmtpSink;
let t: TestApp;

beforeAll(async () => {
  // A slow server and two connections: the burst takes a few seconds, long enough to cut it midway.
  sink = await new SmtpSink({ delayMs: 10 }).start();
  t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: String(POOL), JOB_BACKOFF_MS: '200' });
  // Test instrumentation in this file's own database: when each claim statement began.
  await sql`CREATE TABLE test_claims (key text NOT NULL, at timestamptz NOT NULL)`.execute(t.app.database.db);
  await sql.raw(`CREATE FUNCTION test_record_claim() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.claim_token IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.claim_token IS DISTINCT FROM OLD.claim_token) THEN
        INSERT INTO test_claims VALUES (NEW.key, statement_timestamp());
      END IF;
      RETURN NEW;
    END $$`).execute(t.app.database.db);
  await sql`CREATE TRIGGER test_record_claim AFTER INSERT OR UPDATE ON email_log FOR EACH ROW EXECUTE FUNCTION test_record_claim()`.execute(t.app.database.db);
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

describe('a suppression in the middle of a burst', () => {
  it('stops every email to the address not claimed yet; none claimed after suppress() returned is sent', { timeout: 120_000 }, async () => {
    const db = t.app.database.db;
    const user = await t.app.services.users.createUser({ email: `burst-${Date.now()}@mail.test`, password: 'password-123', role: 'CREATOR', name: 'Burst' });
    for (let i = 0; i < 200; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => t.app.services.notifications.notify({ userIds: [user.id], type: 'PAYOUT', title: `Payout ${i + j}`, message: 'm' })));
    }
    // Midway: some delivered, most still queued.
    expect(await waitFor(async () => sink.mailbox(user.email).length >= 20, 60_000, 5)).toBe(true);
    await db.transaction().execute((trx) => t.app.services.suppressions.suppress(trx, { email: user.email, reason: 'complaint', source: 'generic' }));
    const receivedWhenSuppressed = sink.mailbox(user.email).length;
    // Kept as text, at PostgreSQL's microseconds: a Date truncates to the millisecond, which could
    // put `returned` before the suppression's commit and count a claim begun just before it as late.
    const returned = (await sql<{ at: string }>`SELECT clock_timestamp()::text AS at`.execute(db)).rows[0]!.at;
    expect(receivedWhenSuppressed).toBeLessThan(200);

    expect(await outboxDrained(t.app, 90_000)).toBe(true);
    const statuses = await db.selectFrom('email_log').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('user_id', '=', user.id).groupBy('status').execute();
    const count = Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]));
    expect(Object.keys(count).sort()).toEqual(['sent', 'suppressed']);
    expect(count.sent! + count.suppressed!).toBe(200);
    // Each sent email reached the server once, and only those.
    const received = sink.mailbox(user.email);
    expect(received).toHaveLength(count.sent!);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(count.sent!);
    // No email whose claim began after suppress() returned was sent …
    const late = await sql<{ key: string }>`
      SELECT e.key FROM email_log e WHERE e.user_id = ${user.id} AND e.status = 'sent'
        AND EXISTS (SELECT 1 FROM test_claims c WHERE c.key = e.key AND c.at >= ${returned}::timestamptz)`.execute(db);
    expect(late.rows).toEqual([]);
    // … so at most the hand-offs in flight at that moment (one per pooled connection) went out after it.
    expect(received.length - receivedWhenSuppressed).toBeLessThanOrEqual(POOL);
    // The notifications themselves are all in the inbox.
    const inApp = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(Number(inApp.n)).toBe(200);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxSettled } from '../helpers/wait.js';

/**
 * Issue 18: every SMTP server down for many cool-downs, with only two attempts per job. While every
 * breaker is open a job waits for the next trial (a deferral) instead of spending its attempts, so
 * none fails for good and every email goes out once when a server returns. Fails if the all-open
 * case is an ordinary retry: both attempts are gone within a few hundred milliseconds and the
 * outbox rows fail for good.
 */

let primary: SmtpSink;
let secondary: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  primary = await new SmtpSink().start();
  secondary = await new SmtpSink().start();
  t = await createTestApp({
    SMTP_URL: `${primary.url},${secondary.url}`, SMTP_COOLDOWN_MS: '300', SMTP_COOLDOWN_MAX_MS: '300',
    JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '100', WORKER_HEARTBEAT_MS: '200', RATE_LIMIT_OVERRIDES: 'admin.jobs=100000',
  });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await primary.stop();
  await secondary.stop();
});

describe('every SMTP server down', () => {
  it('jobs wait out the cool-downs without spending attempts; all is sent once when one returns', async () => {
    await primary.stop();
    await secondary.stop();
    const users = await sql<{ id: string; email: string }>`
      INSERT INTO users (email, role, password_hash, name)
      SELECT 'outage-' || g || '@mail.test', 'VIEWER', 'x', 'Outage ' || g FROM generate_series(1, 10) g
      RETURNING id, email`.execute(t.app.database.db);
    await t.app.services.notifications.create({ userIds: users.rows.map((u) => u.id) }, { type: 'SYSTEM', title: 'Outage', message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
    // Many failed trials (each a trip after a 300 ms cool-down): far longer than two attempts last.
    const trips = async () => ((await t.call('GET', '/api/admin/jobs/health', { as: admin })).body.data.email.transports ?? []).reduce((n: number, tr: { trips: number }) => n + tr.trips, 0);
    expect(await waitFor(async () => (await trips()) >= 8, 30_000, 100)).toBe(true);
    await secondary.start();
    const settled = await outboxSettled(t.app, 30_000);
    expect(settled).toEqual({ drained: true, failed: [] });
    const log = await t.app.database.db.selectFrom('email_log').select(['status', 'transport']).where('to_address', 'like', 'outage-%').execute();
    expect(log).toHaveLength(10);
    expect(log.every((r) => r.status === 'sent' && r.transport === 'smtp-2')).toBe(true);
    const ids = secondary.received.filter((m) => m.to[0]!.startsWith('outage-')).map((m) => m.messageId);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
  }, 90_000);
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestEmailKey } from '../../src/digests/digests.service.js';
import { waitFor } from '../../src/platform/net.js';
import { EmailLogRepository, type EmailClaim } from '../../src/platform/email/email-log.repository.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { horizonPast } from '../helpers/wait.js';

/**
 * Review of issue 21 (grouped digest claims): a digest's claim is gated on the notifications it
 * lists being live, but a listed row that no longer exists at all counted as live (bool_and over
 * the rows found): a notification recalled after the digest read its content and then deleted by
 * the retention purge (expired rows, hourly), or deleted by its user, was emailed in the digest.
 * claim() and claimMany() both did it. A gone row now closes a digest's gate ('stale': the
 * content is read again without it).
 */
describe('a digest whose listed notification is gone', () => {
  const sink = new SmtpSink();
  let t: TestApp;
  beforeAll(async () => {
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '4' }, { roles: ['api'] });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });
  const db = () => t.app.database.db;

  async function digestUsers(n: number) {
    const tag = randomUUID().slice(0, 8);
    const { rows: users } = await sql<{ id: string; email: string }>`
      INSERT INTO users (email, role, password_hash, name)
      SELECT ${tag} || '-' || g || '@digest-gone.test', 'VIEWER', 'x', 'Gone ' || g FROM generate_series(1, ${n}) g
      RETURNING id, email`.execute(db());
    await sql`INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency, email_enabled)
      SELECT id, ARRAY['LICENSE'], 'DAILY', true FROM users WHERE id = ANY(${users.map((u) => u.id)}::uuid[])
      ON CONFLICT (user_id) DO UPDATE SET enabled_types = excluded.enabled_types, digest_frequency = 'DAILY', email_enabled = true`.execute(db());
    const { rows: items } = await sql<{ id: string; user_id: string; title: string }>`
      INSERT INTO notifications (user_id, type, title, message, priority)
      SELECT u, 'LICENSE', 'Gone item ' || k || ' ' || ${tag}, 'Details', 'MEDIUM' FROM unnest(${users.map((u) => u.id)}::uuid[]) u CROSS JOIN generate_series(1, 3) k
      RETURNING id, user_id, title`.execute(db());
    const { rows: [next] } = await sql<{ x: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`.execute(db());
    expect(await horizonPast(t.app, next!.x)).toBe(true);
    return users.map((u) => ({ ...u, items: items.filter((i) => i.user_id === u.id) }));
  }

  const claimOf = (u: { id: string; email: string; items: Array<{ id: string }> }): EmailClaim => {
    const key = digestEmailKey(u.id, `gone-${randomUUID().slice(0, 8)}`);
    return { key, kind: 'digest', notificationId: null, userId: u.id, to: u.email, subject: 's', messageId: `<${key}@t>`, liveNotifications: u.items.map((i) => i.id) };
  };

  it('claim and claimMany answer stale and write nothing', async () => {
    const repo = new EmailLogRepository(db());
    const [a, b, c] = await digestUsers(3);
    await sql`DELETE FROM notifications WHERE id = ANY(${[a!.items[1]!.id, b!.items[2]!.id]}::uuid[])`.execute(db());
    const [ca, cb, cc] = [claimOf(a!), claimOf(b!), claimOf(c!)];
    expect(await repo.claim(ca, randomUUID(), 60_000)).toBe('stale');
    const grouped = await repo.claimMany([{ c: cb, token: randomUUID() }, { c: cc, token: randomUUID() }], 60_000);
    expect(grouped).toEqual(['stale', { attempts: 1, status: 'sending' }]);
    // A list naming one row twice is not a gone row.
    expect(await repo.claim({ ...claimOf(c!), liveNotifications: [c!.items[0]!.id, c!.items[0]!.id] }, randomUUID(), 60_000)).toEqual({ attempts: 1, status: 'sending' });
    expect(await db().selectFrom('email_log').select('key').where('key', 'in', [ca.key, cb.key]).execute()).toEqual([]);
  });

  it('a listed notification deleted while the digest waits for its claim is not emailed', async () => {
    const [user] = await digestUsers(1);
    const gone = user!.items[1]!;
    const periodKey = `gone-${randomUUID().slice(0, 8)}`;
    // The purge (or the user) deletes one listed row; uncommitted, so the digest reads it as live
    // and its claim waits for the row's lock.
    const purge = new pg.Client({ connectionString: t.databaseUrl });
    await purge.connect();
    let sending: Promise<Record<string, number>>;
    try {
      await purge.query('BEGIN');
      await purge.query('DELETE FROM notifications WHERE id = $1', [gone.id]);
      sending = t.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: new Date(Date.now() + 60_000).toISOString(), users: [{ userId: user!.id, periodKey }] });
      expect(await waitFor(async () => (await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR SHARE%'`.execute(db())).rows[0]!.n >= 1, 10_000, 10)).toBe(true);
      await purge.query('COMMIT');
    } finally {
      await purge.end();
    }
    expect(await sending!).toEqual({ sent: 1 });
    const mail = sink.received.filter((m) => m.to[0] === user!.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain(user!.items[0]!.title);
    expect(mail[0]!.text).not.toContain(gone.title);
  });
});

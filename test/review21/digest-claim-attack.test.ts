import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { digestEmailKey } from '../../src/digests/digests.service.js';
import { EmailLogRepository, type EmailClaim } from '../../src/platform/email/email-log.repository.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Review of issue 21 (attacker/scheduler of races): digests' claims go through EmailService's
 * GroupCommit (claimMany, gated on the notifications each digest lists, FOR SHARE in id order).
 * A stale digest must not poison its group nor be sent; a group waiting on a recall must re-read
 * the row it waited for; recalls and groups over shared rows, and two workers' groups over the
 * same digest keys in any order, must neither deadlock nor claim a key twice.
 */
describe('grouped digest claims under attack', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { roles: ['api'] });
  });
  afterAll(async () => {
    await t.close();
  });
  const db = () => t.app.database.db;

  async function users(n: number) {
    const tag = randomUUID().slice(0, 8);
    const { rows } = await sql<{ id: string; email: string }>`
      INSERT INTO users (email, role, password_hash, name)
      SELECT ${tag} || '-' || g || '@attack.test', 'VIEWER', 'x', 'A ' || g FROM generate_series(1, ${n}) g RETURNING id, email`.execute(db());
    const { rows: items } = await sql<{ id: string; user_id: string }>`
      INSERT INTO notifications (user_id, type, title, message, priority)
      SELECT u, 'LICENSE', 'item ' || k, 'x', 'MEDIUM' FROM unnest(${rows.map((u) => u.id)}::uuid[]) u CROSS JOIN generate_series(1, 5) k
      RETURNING id, user_id`.execute(db());
    return rows.map((u) => ({ ...u, items: items.filter((i) => i.user_id === u.id).map((i) => i.id).sort() }));
  }
  const digestClaim = (u: { id: string; email: string; items: string[] }): EmailClaim => {
    const key = digestEmailKey(u.id, `attack-${randomUUID().slice(0, 8)}`);
    return { key, kind: 'digest', notificationId: null, userId: u.id, to: u.email, subject: 's', messageId: `<${key}@t>`, liveNotifications: u.items };
  };

  it('a group mixing stale digests and live claims: the stale ones write nothing, the others are claimed', async () => {
    const repo = new EmailLogRepository(db());
    const us = await users(6);
    await sql`UPDATE notifications SET expires_at = now() - interval '1 second' WHERE id = ANY(${[us[1]!.items[0], us[4]!.items[4]]}::uuid[])`.execute(db());
    const claims = us.map((u) => ({ c: digestClaim(u), token: randomUUID() }));
    // A notification email for a listed item of a live digest, in the same group.
    claims.push({ c: { key: `notification:${us[2]!.items[1]}`, kind: 'notification', notificationId: us[2]!.items[1]!, userId: us[2]!.id, to: us[2]!.email, subject: 's', messageId: '<n@t>' }, token: randomUUID() });
    const res = await repo.claimMany(claims.reverse(), 60_000);
    claims.reverse(); res.reverse();
    expect(res.map((r) => (r === 'stale' ? 'stale' : r?.status ?? null))).toEqual(['sending', 'stale', 'sending', 'sending', 'stale', 'sending', 'sending']);
    const rows = await db().selectFrom('email_log').select(['key']).where('key', 'in', claims.map((c) => c.c.key)).execute();
    expect(rows).toHaveLength(5);
  });

  it('recalls (FOR UPDATE in id order) racing many concurrent groups over shared rows never deadlock', async () => {
    const repo = new EmailLogRepository(db());
    const us = await users(20);
    const deadlocks: string[] = [];
    const recallers = [0, 1, 2].map(async (k) => {
      const ids = us.map((u) => u.items[k]!);
      const c = new pg.Client({ connectionString: t.databaseUrl });
      await c.connect();
      try {
        for (let r = 0; r < 10; r++) {
          await c.query('BEGIN');
          await c.query(`WITH locked AS MATERIALIZED (SELECT id FROM notifications WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE)
            UPDATE notifications n SET expires_at = CASE WHEN $2 THEN clock_timestamp() ELSE NULL END FROM locked WHERE n.id = locked.id`, [ids, r % 2 === 0]);
          await c.query('SELECT count(*) FROM email_log WHERE key LIKE $1', ['digest:%']);
          await c.query('COMMIT');
        }
      } catch (err) {
        deadlocks.push((err as Error).message);
        await c.query('ROLLBACK').catch(() => undefined);
      } finally {
        await c.end();
      }
    });
    const groups = Array.from({ length: 8 }, async () => {
      for (let r = 0; r < 5; r++) {
        const pick = [...us].sort(() => Math.random() - 0.5).slice(0, 10);
        try {
          await repo.claimMany(pick.map((u) => ({ c: digestClaim(u), token: randomUUID() })), 60_000);
        } catch (err) {
          deadlocks.push((err as Error).message);
        }
      }
    });
    await Promise.all([...recallers, ...groups]);
    expect(deadlocks).toEqual([]);
  });
  it('a group waiting on a recall in progress re-reads the row it waited for (EPQ through the semi-join)', async () => {
    const repo = new EmailLogRepository(db());
    const us = await users(4);
    for (const commit of [true, false]) {
      const holder = new pg.Client({ connectionString: t.databaseUrl });
      await holder.connect();
      const target = us[commit ? 1 : 2]!;
      await holder.query('BEGIN');
      await holder.query('UPDATE notifications SET expires_at = clock_timestamp() WHERE id = $1', [target.items[3]]);
      const claims = [us[0]!, target, us[3]!].map((u) => ({ c: digestClaim(u), token: randomUUID() }));
      claims.push({ c: { key: `notification:${target.items[3]}`, kind: 'notification', notificationId: target.items[3]!, userId: target.id, to: target.email, subject: 's', messageId: '<n@t>' }, token: randomUUID() });
      const pending = repo.claimMany(claims, 60_000);
      expect(await waitFor(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db())).rows[0]!.n >= 1, 10_000, 10)).toBe(true);
      await holder.query(commit ? 'COMMIT' : 'ROLLBACK');
      await holder.end();
      const res = (await pending).map((r) => (r === 'stale' ? 'stale' : r?.status ?? null));
      expect(res).toEqual(commit ? ['sending', 'stale', 'sending', 'cancelled'] : ['sending', 'sending', 'sending', 'sending']);
    }
  });

  it('concurrent groups (two workers) over the same digest keys in any order: each key claimed exactly once, no deadlock', async () => {
    const repo = new EmailLogRepository(db());
    const us = await users(12);
    const claims = us.map(digestClaim);
    const results = await Promise.allSettled(Array.from({ length: 6 }, async () => {
      const pick = [...claims].sort(() => Math.random() - 0.5);
      const res = await repo.claimMany(pick.map((c) => ({ c, token: randomUUID() })), 60_000);
      return pick.map((c, i) => [c.key, res[i]] as const);
    }));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const won = new Map<string, number>();
    for (const r of results) for (const [key, res] of (r as PromiseFulfilledResult<Array<readonly [string, unknown]>>).value) if (res && res !== 'stale') won.set(key, (won.get(key) ?? 0) + 1);
    expect([...won.values()]).toEqual(claims.map(() => 1));
  });

});

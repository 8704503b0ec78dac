import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxPageStatement } from '../../src/notifications/inbox.repository.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { seed } from './inbox-fixtures.js';

// archived=all (issue 17) reads the feed and the archive each from its own partial index and merges
// them: the pages must still be the one order over both, and the plan must stay index-driven.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const HOUR = 3_600_000;

/** Every visible row of the user in the inbox order, computed without any index's help. */
async function expectedOrder(userId: string, where = sql`true`): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM notifications
    WHERE user_id = ${userId} AND (snoozed_until IS NULL OR snoozed_until <= now()) AND (expires_at IS NULL OR expires_at > now()) AND ${where}
    ORDER BY read ASC, priority DESC, coalesce(ranked_at, created_at) DESC, id DESC`.execute(t.app.database.db);
  return rows.map((r) => r.id);
}

/** Every page of `query` at `pageSize`, concatenated; each page's total. */
async function allPages(user: Session, query: string, pageSize: number): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  for (let page = 1; ; page++) {
    const res = await t.call('GET', `/api/notifications?${query}&pageSize=${pageSize}&page=${page}`, { as: user });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    totals.push(res.body.pagination.total);
    if (res.body.data.length === 0) return { ids, totals };
    ids.push(...(res.body.data as Array<{ id: string }>).map((n) => n.id));
  }
}

describe('archived=all', () => {
  it('pages through feed and archive in the one inbox order, with the total of both', async () => {
    const user = await t.user();
    const now = Date.now();
    // Interleaved on every sort key: read state, priority, created_at, and a woken snooze
    // (ranked_at in the past, later than its created_at) in both parts; hidden rows in both.
    for (const [k, priority] of (['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const).entries()) {
      for (const archivedAt of [null, new Date(now)]) {
        await seed(t, user.user.id, 3, { priority, archivedAt, createdAt: new Date(now - (k + 1) * HOUR) });
        await seed(t, user.user.id, 2, { priority, archivedAt, read: true, createdAt: new Date(now - (k + 5) * HOUR), type: 'PAYOUT' });
        await seed(t, user.user.id, 1, { priority, archivedAt, createdAt: new Date(now - 48 * HOUR), snoozedUntil: new Date(now - (k + 2) * HOUR / 2) });
        await seed(t, user.user.id, 1, { priority, archivedAt, snoozedUntil: new Date(now + HOUR) });
        await seed(t, user.user.id, 1, { priority, archivedAt, expiresAt: new Date(now - 1000) });
      }
    }
    const expected = await expectedOrder(user.user.id);
    expect(expected).toHaveLength(48);
    for (const pageSize of [5, 7, 48]) {
      const { ids, totals } = await allPages(user, 'archived=all', pageSize);
      expect(ids).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([48]));
    }
    // With the other filters on top, in both parts.
    const payouts = await allPages(user, 'archived=all&types=PAYOUT&read=true', 3);
    expect(payouts.ids).toEqual(await expectedOrder(user.user.id, sql`type = 'PAYOUT' AND read`));
    expect(payouts.ids).toHaveLength(16);
  });

  it('is two index range scans merged: no sort, no table scan', async () => {
    const [alice, bob] = [await t.user(), await t.user()];
    // 10,000 rows for one user among 40,000, a tenth archived.
    await sql`INSERT INTO notifications (user_id, type, title, message, priority, read, created_at, archived_at)
      SELECT CASE WHEN g % 4 = 0 THEN ${alice.user.id}::uuid ELSE ${bob.user.id}::uuid END, 'SYSTEM', 't', 'm',
             (ARRAY['LOW','MEDIUM','HIGH','URGENT'])[1 + g % 3]::notification_priority, g % 3 = 0, now() - g * interval '1 minute',
             CASE WHEN g % 10 = 0 THEN now() END
      FROM generate_series(1, 40000) g`.execute(t.app.database.db);
    await sql`VACUUM ANALYZE notifications`.execute(t.app.database.db);
    const statement = inboxPageStatement({ userId: alice.user.id, archived: 'all' }, 20, 40);
    const { rows } = await t.app.database.pool.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values);
    const nodes: string[] = [];
    const walk = (node: { 'Node Type': string; 'Index Name'?: string; Plans?: unknown[] }) => {
      nodes.push(node['Index Name'] ? `${node['Node Type']} ${node['Index Name']}` : node['Node Type']);
      for (const child of node.Plans ?? []) walk(child as typeof node);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    expect(nodes.filter((n) => /Sort|Seq Scan/.test(n))).toEqual([]);
    expect(nodes).toContain('Merge Append');
    // The page: each part a range scan of its own index. (The total's plan for a user this large is
    // the planner's choice among indexes, as for the feed alone; the Seq Scan check covers it.)
    expect(nodes).toEqual(expect.arrayContaining(['Index Scan notifications_feed_idx', 'Index Scan notifications_archive_idx']));
  });
});

import type pg from 'pg';
import { inboxPageStatement, unreadByTypeStatement, unreadCountStatement } from '../../src/notifications/inbox.repository.js';
import type { NotificationType } from '../../src/platform/db/schema.js';
import { log } from './database.js';
import { explainStatement, type PlanSummary, type Statement } from './plans.js';

/**
 * The inbox reads bench:api measures: the plain list and unread count (the baselines), and the
 * reads of issue 17, each compared with its plain read in the same run. Each names the statement
 * the service runs for it, built by the service's own builders (inbox.repository.ts), so the
 * EXPLAIN in the report is of what the load runs.
 */

const FEED = 'notifications_feed_idx';
const ARCHIVE = 'notifications_archive_idx';
const TAB: NotificationType[] = ['LICENSE', 'PAYOUT'];
const PAGE = 20;

interface ListItem { type: string; archived: boolean }

export type ScenarioKey = 'list' | 'listArchived' | 'listTypes' | 'listAll' | 'unreadCount' | 'unreadByType';

export interface Scenario {
  readonly key: ScenarioKey;
  readonly path: string;
  /** The plain read this one is compared with; none for the plain reads themselves. */
  readonly baseline?: 'list' | 'unreadCount';
  readonly statement: (userId: string) => Statement;
  /** The indexes its plan may read notifications through. */
  readonly indexes: readonly string[];
  /** For a list: which rows its total counts (with user_id and the visibility predicate). */
  readonly rows?: string;
  /** For a list: what every item of its page satisfies. */
  readonly accepts?: (item: ListItem) => boolean;
  readonly note?: string;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'list', path: '/api/notifications', indexes: [FEED], rows: 'archived_at IS NULL', accepts: (item) => !item.archived,
    statement: (userId) => inboxPageStatement({ userId }, PAGE, 0),
  },
  {
    key: 'listArchived', path: '/api/notifications?archived=true', baseline: 'list', indexes: [ARCHIVE],
    rows: 'archived_at IS NOT NULL', accepts: (item) => item.archived,
    statement: (userId) => inboxPageStatement({ userId, archived: 'true' }, PAGE, 0),
  },
  {
    key: 'listTypes', path: `/api/notifications?types=${TAB.join(',')}`, baseline: 'list', indexes: [FEED],
    rows: `archived_at IS NULL AND type IN (${TAB.map((t) => `'${t}'`).join(', ')})`,
    accepts: (item) => !item.archived && TAB.includes(item.type as NotificationType),
    statement: (userId) => inboxPageStatement({ userId, types: TAB }, PAGE, 0),
  },
  {
    key: 'listAll', path: '/api/notifications?archived=all', baseline: 'list', indexes: [FEED, ARCHIVE], rows: 'true', accepts: () => true,
    statement: (userId) => inboxPageStatement({ userId, archived: 'all' }, PAGE, 0),
    note: 'feed and archive together: no one partial index holds both, so no single index order serves the page',
  },
  { key: 'unreadCount', path: '/api/notifications/unread-count', statement: unreadCountStatement, indexes: [FEED] },
  { key: 'unreadByType', path: '/api/notifications/unread-count?by=type', baseline: 'unreadCount', statement: unreadByTypeStatement, indexes: [FEED] },
];

// Written out here rather than imported (VISIBLE in inbox.repository.ts): the check is of the
// service's statements against an independent reading of the rules.
const VISIBLE_HERE = '(snoozed_until IS NULL OR snoozed_until <= now()) AND (expires_at IS NULL OR expires_at > now())';

interface ListBody { data: ListItem[]; pagination: { total: number } }
interface CountBody { data: { count: number; unseen: number; byType?: Record<string, number> } }

/**
 * Fails early when an endpoint does not answer what the seeded rows of `userId` say it should:
 * list totals and page sizes, the filters on every returned item, the unread counts per type.
 * `only`: the scenarios to check (all by default; the bare baseline serves only the plain reads).
 */
export async function checkScenarios(baseUrl: string, token: string, pool: pg.Pool, userId: string, only?: readonly ScenarioKey[]): Promise<Record<string, number>> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as T;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const count = async (where: string) => (await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND ${VISIBLE_HERE} AND ${where}`, [userId])).rows[0]!.n;
  const seen: Record<string, number> = {};
  for (const s of SCENARIOS.filter((x) => !only || only.includes(x.key))) {
    if (s.rows) {
      const body = await get<ListBody>(s.path);
      const total = await count(s.rows);
      if (body.pagination.total !== total || body.data.length !== Math.min(PAGE, total)) {
        throw new Error(`GET ${s.path}: expected ${Math.min(PAGE, total)} of ${total}, got ${body.data.length} of ${body.pagination.total}`);
      }
      const stray = body.data.find((item) => !s.accepts!(item));
      if (stray) throw new Error(`GET ${s.path}: an item outside the filter: ${JSON.stringify(stray)}`);
      seen[s.key] = total;
    } else {
      const { data } = await get<CountBody>(s.path);
      const unread = await count('archived_at IS NULL AND NOT read');
      const unseen = await count('archived_at IS NULL AND NOT read AND seen_at IS NULL');
      const byTypeSum = Object.values(data.byType ?? {}).reduce((a, b) => a + b, 0);
      if (data.count !== unread || data.unseen !== unseen || (s.key === 'unreadByType' && byTypeSum !== unread)) {
        throw new Error(`GET ${s.path}: expected ${unread} unread (${unseen} unseen), got ${JSON.stringify(data)}`);
      }
      seen[s.key] = data.count;
    }
  }
  log(`check: the probed user's totals ${JSON.stringify(seen)}`);
  return seen;
}

/** EXPLAIN (ANALYZE, BUFFERS) of each scenario's statement for one user, as the warm service runs it. */
export async function planScenarios(pool: pg.Pool, userId: string): Promise<Record<ScenarioKey, PlanSummary>> {
  const plans = {} as Record<ScenarioKey, PlanSummary>;
  for (const s of SCENARIOS) {
    const plan = await explainStatement(pool, s.statement(userId), 'notifications', s.indexes);
    log(`plan of ${s.path} (${plan.generic ? 'generic' : 'custom'}, ${plan.executionMs} ms, index-driven: ${plan.indexDriven}):\n${plan.nodes.map((n) => `    ${n}`).join('\n')}`);
    plans[s.key] = plan;
  }
  return plans;
}

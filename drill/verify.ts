import { waitFor } from '../src/platform/net.js';
import type { Cluster } from './cluster.js';
import type { Operations } from './traffic.js';
import { verifyDelivery, type DeliveryVerdict } from './stats.js';

/**
 * Verdicts read from the drill's own connections: the outbox (is everything relayed and done?)
 * and the email verdict of one drill's users (by recipient prefix `<tag>-`).
 */

/** Unfinished outbox rows (neither completed nor failed for good). */
export async function outboxPending(cluster: Pick<Cluster, 'db'>): Promise<number> {
  const r = await cluster.db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE completed_at IS NULL AND failed_at IS NULL');
  return Number(r.rows[0]!.n);
}

/** Waits until every outbox row is finished: every delivery job has run (or failed for good). */
export async function waitDrained(cluster: Pick<Cluster, 'db'>, timeoutMs: number): Promise<{ drained: boolean; seconds: number }> {
  const started = Date.now();
  const drained = await waitFor(async () => (await outboxPending(cluster)) === 0, timeoutMs, 250);
  return { drained, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/** Emails the sink accepted for one drill's users. */
export const mailsOf = (cluster: Pick<Cluster, 'sink'>, tag: string) => cluster.sink.received.filter((m) => m.to.startsWith(`${tag}-`));

export interface DeliveryReport extends DeliveryVerdict {
  /** email_log rows of these users by status (sent, sending, failed). */
  readonly emailLog: Record<string, number>;
  /** Claims taken more than once (a crash or a flush left them unfinished): the only legitimate source of a re-send. */
  readonly reclaimedClaims: number;
  /** Outbox rows failed for good (their job exhausted its attempts): each may be a lost email. */
  readonly outboxFailed: number;
}

/**
 * Every notification of the drill's users should be emailed exactly once. Expected ids come from
 * PostgreSQL (what was committed), received ones from the sink (what SMTP accepted).
 */
export async function deliveryReport(cluster: Pick<Cluster, 'db' | 'sink'>, tag: string, onePerRecipient: boolean): Promise<DeliveryReport> {
  const like = `${tag}-%@drill.test`;
  const ids = await cluster.db.query<{ id: string }>('SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email LIKE $1', [like]);
  const log = await cluster.db.query<{ status: string; n: string; reclaimed: string }>(
    'SELECT status, count(*) AS n, count(*) FILTER (WHERE attempts > 1) AS reclaimed FROM email_log WHERE to_address LIKE $1 GROUP BY status', [like]);
  const failed = await cluster.db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE failed_at IS NOT NULL');
  const verdict = verifyDelivery(ids.rows.map((r) => r.id), mailsOf(cluster, tag), onePerRecipient);
  return {
    ...verdict,
    emailLog: Object.fromEntries(log.rows.map((r) => [r.status, Number(r.n)])),
    reclaimedClaims: log.rows.reduce((s, r) => s + Number(r.reclaimed), 0),
    outboxFailed: Number(failed.rows[0]!.n),
  };
}

/** Acknowledged writes not found in PostgreSQL (each should be 0). */
export async function missingWrites(cluster: Pick<Cluster, 'db'>, ops: Operations): Promise<{ reads: number; prefs: number; creations: number }> {
  const reads = [...ops.acked.reads];
  const readRows = await cluster.db.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE id = ANY($1::uuid[]) AND read', [reads]);
  const titles = [...ops.acked.creations];
  const createdRows = await cluster.db.query<{ n: string }>('SELECT count(DISTINCT title) AS n FROM notifications WHERE title = ANY($1::text[])', [titles]);
  // Only users whose last change was acknowledged: after an unanswered one the stored value is either.
  const prefs = [...ops.acked.prefs].filter((e): e is [string, string[]] => e[1] !== undefined);
  const stored = await cluster.db.query<{ user_id: string; enabled_types: string[] }>(
    'SELECT user_id, enabled_types::text[] AS enabled_types FROM notification_preferences WHERE user_id = ANY($1::uuid[])', [prefs.map(([id]) => id)]);
  const byUser = new Map(stored.rows.map((r) => [r.user_id, [...r.enabled_types].sort().join(',')]));
  return {
    reads: reads.length - Number(readRows.rows[0]!.n),
    creations: titles.length - Number(createdRows.rows[0]!.n),
    prefs: prefs.filter(([id, types]) => byUser.get(id) !== [...types].sort().join(',')).length,
  };
}

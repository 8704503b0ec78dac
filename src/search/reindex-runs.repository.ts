import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';

/** The dedupe key of manual reindexes: a request while one waits joins it. */
export const MANUAL_REINDEX_KEY = 'search-reindex-manual';

/** Held by the running reindex's holder transaction (platform/db/lock-holder.ts): a crashed run frees it. */
const RUN_LOCK_KEY = 'search-reindex-run';

export interface RunTotals {
  readonly documents: number;
  readonly added: number;
  readonly fixed: number;
  readonly removed: number;
}

/** search_reindex_runs, and the locks and outbox row that keep full reindexes one at a time. */
export class ReindexRunsRepository extends Repository {
  /** In a transaction: manual requests take turns, so two at once cannot both see none waiting. */
  async lockManualRequests(): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${MANUAL_REINDEX_KEY}, 0))`.execute(this.db);
  }

  /** The manual reindex whose outbox row is unfinished (waiting or running), if any. */
  liveManualRequest() {
    return this.db.selectFrom('outbox').select(['id', 'job_id'])
      .where('queue', '=', 'search-index-reindex').where('dedupe_key', '=', MANUAL_REINDEX_KEY)
      .where('completed_at', 'is', null).where('failed_at', 'is', null)
      .orderBy('id').limit(1).executeTakeFirst();
  }

  /** In the run's holder transaction (transaction-scoped, so PgBouncer-safe): false when another run holds it. */
  async tryLockRun(): Promise<boolean> {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtextextended(${sql.lit(RUN_LOCK_KEY)}, 0)) AS locked`.execute(this.db);
    return rows[0]?.locked === true;
  }

  running() {
    return this.db.selectFrom('search_reindex_runs').select('id').where('status', '=', 'RUNNING')
      .orderBy('started_at', 'desc').limit(1).executeTakeFirst();
  }

  async start(trigger: string): Promise<string> {
    return (await this.db.insertInto('search_reindex_runs').values({ trigger }).returning('id').executeTakeFirstOrThrow()).id;
  }

  async complete(id: string, totals: RunTotals): Promise<void> {
    await this.db.updateTable('search_reindex_runs').set({ status: 'COMPLETED', ...totals, completed_at: new Date() }).where('id', '=', id).execute();
  }

  async fail(id: string, totals: RunTotals, error: string): Promise<void> {
    await this.db.updateTable('search_reindex_runs').set({ status: 'FAILED', ...totals, error, completed_at: new Date() }).where('id', '=', id).execute();
  }

  /** The admin list: a run that ended a moment ago may show as running (lag-tolerant, on readDb). */
  recent(limit: number) {
    return this.readDb.selectFrom('search_reindex_runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
  }
}

import { sql } from 'kysely';
import type { Db } from '../platform/db/client.js';
import { SEARCH_ENTITY_TYPES, type SearchEntityType } from '../platform/db/schema.js';
import { toIso } from '../platform/http/reply.js';
import type { Logger } from '../platform/logger.js';
import { enqueueJobInTx, outboxJobId } from '../platform/queue/outbox.js';
import { SearchIndexRepository, type Keys, type WriteCounts } from './search-index.repository.js';

/** The dedupe key of manual reindexes: a request while one waits joins it. */
export const MANUAL_REINDEX_KEY = 'search-reindex-manual';

export interface ReindexReport extends WriteCounts {
  readonly runId: string;
  readonly documents: number;
  readonly durationMs: number;
  /** Set when another reindex was already running: this one did nothing and joined that run. */
  readonly joined?: true;
}

/** Held by the running reindex, on a connection of its own: a crashed run frees it with its session. */
const RUN_LOCK_KEY = 'search-reindex-run';

export interface ReindexProgress {
  readonly entityType: SearchEntityType;
  readonly processed: number;
  readonly total: number;
  readonly added: number;
  readonly fixed: number;
  readonly removed: number;
}

export interface ReindexRunView {
  id: string; trigger: string; status: string; documents: number; added: number; fixed: number; removed: number;
  error: string | null; startedAt: string; completedAt: string | null;
}

/** Keeps search_documents equal to what the entities say (search_source). */
export class SearchIndexService {
  private readonly repository: SearchIndexRepository;

  constructor(private readonly db: Db, private readonly options: { log: Logger; reindexBatch: number }) {
    this.repository = new SearchIndexRepository(db);
  }

  /**
   * A manual full reindex, through the outbox (a flush of Redis before the relay or the run loses
   * nothing), or the manual one already waiting or running: its outbox row stays unfinished until
   * the run succeeds or fails for good, so a request in that time returns its job id. Requests take
   * turns on an advisory lock, so two at once cannot both see none. (BullMQ's deduplication alone
   * joined only while the job waited: the worker frees the key when the run starts.)
   */
  requestReindex(): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${MANUAL_REINDEX_KEY}, 0))`.execute(tx);
      const live = await tx.selectFrom('outbox').select(['id', 'job_id'])
        .where('queue', '=', 'search-index-reindex').where('dedupe_key', '=', MANUAL_REINDEX_KEY)
        .where('completed_at', 'is', null).where('failed_at', 'is', null)
        .orderBy('id').limit(1).executeTakeFirst();
      if (live) return live.job_id ?? outboxJobId(live.id);
      return enqueueJobInTx(tx, 'search-index-reindex', 'SearchReindex', { trigger: 'manual' }, { dedupeKey: MANUAL_REINDEX_KEY });
    });
  }

  /** One changed entity (or a brand, which has no document): its document and those built from it. */
  async refresh(entityType: SearchEntityType | 'brand', entityId: string): Promise<WriteCounts> {
    const keys: Record<string, string[]> = { ...(await this.repository.dependents(entityId)) } as Record<string, string[]>;
    if (entityType !== 'brand') keys[entityType] = [...(keys[entityType] ?? []), entityId];
    return this.repository.sync(keys as Keys);
  }

  /** A bulk chunk: every entity in one set-based statement. */
  bulk(entityType: SearchEntityType, entityIds: readonly string[]): Promise<WriteCounts> {
    return this.repository.sync({ [entityType]: entityIds });
  }

  /**
   * Rebuilds the index in place, batch by batch: documents are upserted where they drifted and
   * removed where their entity is gone, so search answers throughout. The run and its drift are
   * recorded in search_reindex_runs.
   */
  async reindex(trigger: string, onProgress: (p: ReindexProgress) => Promise<void> = async () => undefined): Promise<ReindexReport> {
    // One full reindex at a time, whatever asked for it (the Sunday schedule, a manual request, a
    // retry): a second one joins the running run instead of doing the same work beside it.
    return this.db.connection().execute(async (session) => {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(hashtextextended(${RUN_LOCK_KEY}, 0)) AS locked`.execute(session);
      if (!rows[0]?.locked) return this.joinRunning(trigger);
      try {
        return await this.runReindex(trigger, onProgress);
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtextextended(${RUN_LOCK_KEY}, 0))`.execute(session).catch(() => undefined);
      }
    });
  }

  private async joinRunning(trigger: string): Promise<ReindexReport> {
    const running = await this.db.selectFrom('search_reindex_runs').select('id').where('status', '=', 'RUNNING')
      .orderBy('started_at', 'desc').limit(1).executeTakeFirst();
    this.options.log.info({ trigger, runId: running?.id }, 'search reindex already running: joined it');
    return { runId: running?.id ?? '', documents: 0, added: 0, fixed: 0, removed: 0, durationMs: 0, joined: true };
  }

  private async runReindex(trigger: string, onProgress: (p: ReindexProgress) => Promise<void>): Promise<ReindexReport> {
    const started = Date.now();
    const run = await this.db.insertInto('search_reindex_runs').values({ trigger }).returning('id').executeTakeFirstOrThrow();
    const totals = { documents: 0, added: 0, fixed: 0, removed: 0 };
    try {
      const counts = await this.repository.sourceCounts();
      const total = SEARCH_ENTITY_TYPES.reduce((n, t) => n + counts[t], 0);
      for (const entityType of SEARCH_ENTITY_TYPES) {
        let after: string | null = null;
        do {
          const batch = await this.repository.reindexBatch(entityType, after, this.options.reindexBatch);
          totals.documents += batch.documents;
          totals.added += batch.added;
          totals.fixed += batch.fixed;
          totals.removed += batch.removed;
          after = batch.last;
          await onProgress({ entityType, processed: totals.documents, total, added: totals.added, fixed: totals.fixed, removed: totals.removed });
        } while (after);
      }
      await this.db.updateTable('search_reindex_runs').set({ status: 'COMPLETED', ...totals, completed_at: new Date() }).where('id', '=', run.id).execute();
      const report = { runId: run.id, ...totals, durationMs: Date.now() - started };
      const drift = totals.added + totals.fixed + totals.removed;
      this.options.log[drift ? 'warn' : 'info']({ ...report }, drift ? 'search reindex repaired drift' : 'search reindex found no drift');
      return report;
    } catch (err) {
      await this.db.updateTable('search_reindex_runs').set({ status: 'FAILED', ...totals, error: (err as Error).message, completed_at: new Date() })
        .where('id', '=', run.id).execute().catch(() => undefined);
      throw err;
    }
  }

  async recentRuns(limit = 10): Promise<ReindexRunView[]> {
    const rows = await this.db.selectFrom('search_reindex_runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, trigger: r.trigger, status: r.status, documents: r.documents, added: r.added, fixed: r.fixed, removed: r.removed,
      error: r.error, startedAt: toIso(r.started_at)!, completedAt: toIso(r.completed_at),
    }));
  }
}

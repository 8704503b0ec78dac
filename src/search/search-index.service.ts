import { whileHeld } from '../platform/db/lock-holder.js';
import { SEARCH_ENTITY_TYPES, type SearchEntityType } from '../platform/db/schema.js';
import { toIso } from '../platform/http/reply.js';
import type { Platform } from '../platform/module.js';
import { enqueueJobInTx, outboxJobId } from '../platform/queue/outbox.js';
import type { QueueName } from '../platform/queue/registry.js';
import type { Keys, SearchIndexRepository, WriteCounts } from './search-index.repository.js';
import { MANUAL_REINDEX_KEY, type ReindexRunsRepository } from './reindex-runs.repository.js';


export interface ReindexReport extends WriteCounts {
  readonly runId: string;
  readonly documents: number;
  readonly durationMs: number;
  /** Set when another reindex was already running: this one did nothing and joined that run. */
  readonly joined?: true;
}

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

export interface SearchIndexServiceDeps extends Pick<Platform, 'db' | 'log' | 'queues'> {
  readonly documents: SearchIndexRepository;
  readonly runs: ReindexRunsRepository;
  /** SEARCH_REINDEX_BATCH: entities per reindex statement. */
  readonly reindexBatch: number;
}

/** Keeps search_documents equal to what the entities say (search_source). */
export class SearchIndexService {
  constructor(private readonly deps: SearchIndexServiceDeps) {}

  /**
   * A manual full reindex, through the outbox (a flush of Redis before the relay or the run loses
   * nothing), or the manual one already waiting or running: its outbox row stays unfinished until
   * the run succeeds or fails for good, so a request in that time returns its job id. Requests take
   * turns on an advisory lock, so two at once cannot both see none. (BullMQ's deduplication alone
   * joined only while the job waited: the worker frees the key when the run starts.)
   */
  requestReindex(): Promise<string> {
    return this.deps.db.transaction().execute(async (tx) => {
      const runs = this.deps.runs.in(tx);
      await runs.lockManualRequests();
      const live = await runs.liveManualRequest();
      if (live) return live.job_id ?? outboxJobId(live.id);
      return enqueueJobInTx(tx, 'search-index-reindex', 'SearchReindex', { trigger: 'manual' }, { dedupeKey: MANUAL_REINDEX_KEY });
    });
  }

  /** One changed entity (or a brand, which has no document): its document and those built from it. */
  async refresh(entityType: SearchEntityType | 'brand', entityId: string): Promise<WriteCounts> {
    const keys: Record<string, string[]> = { ...(await this.deps.documents.dependents(entityId)) } as Record<string, string[]>;
    if (entityType !== 'brand') keys[entityType] = [...(keys[entityType] ?? []), entityId];
    return this.deps.documents.sync(keys as Keys);
  }

  /** A bulk chunk: every entity in one set-based statement. */
  bulk(entityType: SearchEntityType, entityIds: readonly string[]): Promise<WriteCounts> {
    return this.deps.documents.sync({ [entityType]: entityIds });
  }

  /**
   * Rebuilds the index in place, batch by batch: documents are upserted where they drifted and
   * removed where their entity is gone, so search answers throughout. The run and its drift are
   * recorded in search_reindex_runs.
   */
  async reindex(trigger: string, onProgress: (p: ReindexProgress) => Promise<void> = async () => undefined): Promise<ReindexReport> {
    // One full reindex at a time, whatever asked for it (the Sunday schedule, a manual request, a
    // retry): a second one joins the running run instead of doing the same work beside it.
    const run = await whileHeld(this.deps.db, (tx) => this.deps.runs.in(tx).tryLockRun(), () => this.runReindex(trigger, onProgress));
    return run ? run.value : this.joinRunning(trigger);
  }

  private async joinRunning(trigger: string): Promise<ReindexReport> {
    const running = await this.deps.runs.running();
    this.deps.log.info({ trigger, runId: running?.id }, 'search reindex already running: joined it');
    return { runId: running?.id ?? '', documents: 0, added: 0, fixed: 0, removed: 0, durationMs: 0, joined: true };
  }

  private async runReindex(trigger: string, onProgress: (p: ReindexProgress) => Promise<void>): Promise<ReindexReport> {
    const started = Date.now();
    const run = { id: await this.deps.runs.start(trigger) };
    const totals = { documents: 0, added: 0, fixed: 0, removed: 0 };
    try {
      const counts = await this.deps.documents.sourceCounts();
      const total = SEARCH_ENTITY_TYPES.reduce((n, t) => n + counts[t], 0);
      for (const entityType of SEARCH_ENTITY_TYPES) {
        let after: string | null = null;
        do {
          const batch = await this.deps.documents.reindexBatch(entityType, after, this.deps.reindexBatch);
          totals.documents += batch.documents;
          totals.added += batch.added;
          totals.fixed += batch.fixed;
          totals.removed += batch.removed;
          after = batch.last;
          await onProgress({ entityType, processed: totals.documents, total, added: totals.added, fixed: totals.fixed, removed: totals.removed });
        } while (after);
      }
      await this.deps.runs.complete(run.id, totals);
      const report = { runId: run.id, ...totals, durationMs: Date.now() - started };
      const drift = totals.added + totals.fixed + totals.removed;
      this.deps.log[drift ? 'warn' : 'info']({ ...report }, drift ? 'search reindex repaired drift' : 'search reindex found no drift');
      return report;
    } catch (err) {
      await this.deps.runs.fail(run.id, totals, (err as Error).message).catch(() => undefined);
      throw err;
    }
  }

  /** The three index queues' counts (waiting counts prioritized and delayed jobs too). */
  async queueStats() {
    const counts = async (name: QueueName) => {
      const c = await this.deps.queues.get(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
      return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
    };
    const [realtime, bulk, reindex] = await Promise.all([counts('search-index-update'), counts('search-index-bulk'), counts('search-index-reindex')]);
    return { realtime, bulk, reindex };
  }

  async recentRuns(limit = 10): Promise<ReindexRunView[]> {
    const rows = await this.deps.runs.recent(limit);
    return rows.map((r) => ({
      id: r.id, trigger: r.trigger, status: r.status, documents: r.documents, added: r.added, fixed: r.fixed, removed: r.removed,
      error: r.error, startedAt: toIso(r.started_at)!, completedAt: toIso(r.completed_at),
    }));
  }
}

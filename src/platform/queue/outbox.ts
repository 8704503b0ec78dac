import type { RedisClient } from '../redis/connection.js';
import { sql } from 'kysely';
import pg from 'pg';
import type { Executor, Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { outboxEpochKey } from '../redis/keys.js';
import { insertFixedRow, jobOptions, relayFixedRows, type FixedRow } from './outbox-fixed.js';
import type { Queues } from './queues.js';
import { QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from './registry.js';

const { escapeLiteral } = pg;

/** Job ids of relayed work: deterministic, so relaying the same row twice adds one job. */
export const outboxJobId = (id: string | number) => `outbox-${id}`;
export const outboxIdOf = (jobId: string | undefined) => (jobId?.startsWith('outbox-') ? jobId.slice(7) : null);

/** BullMQ priority of a job: 1 runs first; none (0) is the default lane. */
export interface OutboxOptions {
  readonly priority?: number;
  /**
   * Jobs with one key collapse into one while they wait (BullMQ deduplication). The worker frees
   * the key before its handler reads anything, so a change committed later always gets a job.
   */
  readonly dedupeKey?: string;
  /**
   * A fixed BullMQ job id instead of `outbox-<id>`: relaying replaces the job of that id, and the
   * newest row of an id wins (see outbox-fixed.ts for the ordering this needs).
   */
  readonly jobId?: string;
  /** The job waits until then (BullMQ delay, computed when relayed). */
  readonly runAt?: Date;
}

/** Records work in the caller's transaction; it becomes a job once the transaction commits. */
export async function enqueueInTx<Q extends QueueName, J extends JobName<Q>>(
  tx: Executor, queue: Q, jobName: J, payload: JobPayload<Q, J>, options: OutboxOptions = {},
): Promise<void> {
  await enqueueJobInTx(tx, queue, jobName, payload, options);
}

/** enqueueInTx, returning the id the BullMQ job will have (`outbox-<id>`, or the fixed id asked for). */
export async function enqueueJobInTx<Q extends QueueName, J extends JobName<Q>>(
  tx: Executor, queue: Q, jobName: J, payload: JobPayload<Q, J>, options: OutboxOptions = {},
): Promise<string> {
  if (options.jobId !== undefined || options.runAt !== undefined) {
    const id = await insertFixedRow(tx, { queue, jobName, payload, jobId: options.jobId ?? null, runAt: options.runAt ?? null, op: 'add', priority: options.priority, dedupeKey: options.dedupeKey });
    return options.jobId ?? outboxJobId(id);
  }
  const row = await tx.insertInto('outbox').values({ queue, job_name: jobName, payload: JSON.stringify(payload), priority: options.priority ?? null, dedupe_key: options.dedupeKey ?? null })
    .returning('id').executeTakeFirstOrThrow();
  return outboxJobId(row.id);
}

/**
 * enqueueInTx's INSERT as SQL text without parameters (every value a quoted literal), for a
 * statement sent in a simple query: copy.ts's copyAndCommit sends it behind a COPY, in the same
 * round trip. `when` (SQL text) inserts the row only if it holds. Plain rows only: a fixed job id
 * or a delay takes outbox-fixed's path (enqueueInTx).
 */
export function enqueueStatement<Q extends QueueName, J extends JobName<Q>>(
  queue: Q, jobName: J, payload: JobPayload<Q, J>, options: Pick<OutboxOptions, 'priority' | 'dedupeKey'> = {}, when?: string,
): string {
  const priority = options.priority === undefined ? 'NULL' : String(Math.trunc(options.priority));
  const dedupe = options.dedupeKey === undefined ? 'NULL' : escapeLiteral(options.dedupeKey);
  return `INSERT INTO outbox (queue, job_name, payload, priority, dedupe_key) SELECT ${escapeLiteral(queue)}, ${escapeLiteral(jobName)}, `
    + `${escapeLiteral(JSON.stringify(payload))}::jsonb, ${priority}::int, ${dedupe}::text${when === undefined ? '' : ` WHERE ${when}`}`;
}

/**
 * Many jobs of one kind in one INSERT (a fan-out page's delivery chunks). `jobIdOf` names each
 * job (a fixed id, see outbox-fixed.ts): a job of that id still waiting is replaced, not doubled.
 */
export async function enqueueManyInTx<Q extends QueueName, J extends JobName<Q>>(
  tx: Executor, queue: Q, jobName: J, payloads: ReadonlyArray<JobPayload<Q, J>>, options: OutboxOptions & { jobIdOf?: (payload: JobPayload<Q, J>) => string } = {},
): Promise<void> {
  if (payloads.length === 0) return;
  await tx.insertInto('outbox').values(payloads.map((p) => ({
    queue, job_name: jobName, payload: JSON.stringify(p), priority: options.priority ?? null, ...(options.jobIdOf ? { job_id: options.jobIdOf(p) } : {}),
  }))).execute();
}

export const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * An outbox row's id: a bigint, which the pg client parses to a number; ids that come back from
 * BullMQ (`outbox-<id>`) are strings of it.
 */
export type OutboxId = number | string;

export async function markOutboxCompleted(db: Executor, id: OutboxId): Promise<void> {
  await db.updateTable('outbox').set({ completed_at: new Date() }).where('id', '=', Number(id)).where('completed_at', 'is', null).execute();
}

/**
 * The unfinished rows of a dedupe key, read before a job's handler runs: they are all committed,
 * so the handler's reads see their changes, and its success completes them (the rows merged into
 * this job by deduplication never get a job of their own).
 */
export async function unfinishedOfKey(db: Executor, dedupeKey: string): Promise<number[]> {
  const rows = await db.selectFrom('outbox').select('id').where('dedupe_key', '=', dedupeKey).where('completed_at', 'is', null).limit(10_000).execute();
  return rows.map((r) => r.id);
}

export async function markManyOutboxCompleted(db: Executor, ids: readonly OutboxId[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ completed_at: new Date() }).where('id', 'in', ids.map(Number)).where('completed_at', 'is', null).execute();
}

/** Out of attempts: an admin may retry it; the relay never re-drives it by itself. */
export async function markOutboxFailed(db: Executor, id: OutboxId): Promise<void> {
  await db.updateTable('outbox').set({ failed_at: new Date() }).where('id', '=', Number(id)).where('completed_at', 'is', null).execute();
}

/**
 * An admin removed the jobs (bulk remove): their work is given up, as if out of attempts, so the
 * relay never adds them again (a queue lost with Redis, a relayed job missing from it).
 */
export async function markManyOutboxFailed(db: Executor, ids: readonly OutboxId[]): Promise<void> {
  if (ids.length === 0) return;
  // A row failed already keeps its time: it is the same failure, not a new one.
  await db.updateTable('outbox').set({ failed_at: new Date() }).where('id', 'in', ids.map(Number)).where('completed_at', 'is', null).where('failed_at', 'is', null).execute();
}

/** An admin retried the job: it is live work again (and re-drivable if Redis loses it). */
export async function reopenOutboxFailed(db: Executor, ids: readonly OutboxId[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ failed_at: null }).where('id', 'in', ids.map(Number)).where('completed_at', 'is', null).execute();
}

interface RelayOptions {
  readonly db: Db;
  /** Where the relay LISTENs: DATABASE_DIRECT_URL's pool when set, else the main one. */
  readonly pool: pg.Pool;
  readonly queues: Queues;
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly log: Logger;
  readonly pollMs: number;
  readonly batchSize?: number;
  /** How long a relayed job may go unfinished before the relay checks it still exists in Redis. */
  readonly staleAfterMs?: number;
}

/**
 * Whether this connection is a PostgreSQL session of its own, which LISTEN needs. A pooler that
 * shares server connections (PgBouncer, in any mode) answers the start-up with a backend process
 * id of its own making; PostgreSQL answers with the backend's, which pg_backend_pid() returns.
 */
async function isSession(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]?.pid === (client as unknown as { processID: number | null }).processID;
}

/**
 * Moves committed outbox rows into BullMQ. Rows are claimed with SKIP LOCKED, so any number of
 * relays run side by side; a row is marked relayed only after Redis accepted its job, so a Redis
 * outage leaves the rows waiting. LISTEN/NOTIFY wakes the relay at once; polling covers missed
 * notifications and dropped connections.
 *
 * Redis may also lose jobs it had accepted (FLUSHALL, a restart without persistence, a failover to
 * a lagging replica). An epoch key per queue, in the queue's own hash slot, that vanishes reveals
 * the first two: every unfinished row of that queue is relayed again (on a Redis Cluster a shard
 * that restarts empty loses the epochs of exactly the queues it held). For the third, rows unfinished for long are checked against BullMQ one by one.
 * Handlers are idempotent, so relaying again is always safe.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private listener: pg.PoolClient | null = null;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly deps: RelayOptions) {}

  async start(): Promise<void> {
    await this.listen().catch((err) => this.deps.log.warn({ err }, 'outbox LISTEN unavailable; polling only'));
    this.schedule(0);
  }

  /** Whether a LISTEN connection is open (false: new rows wait for the next poll). */
  get listening(): boolean {
    return this.listener !== null;
  }

  private async listen(): Promise<void> {
    const client = await this.deps.pool.connect();
    if (!(await isSession(client).catch((err) => { client.release(true); throw err; }))) {
      client.release();
      this.deps.log.warn({ pollMs: this.deps.pollMs }, 'outbox LISTEN needs a session of its own and the database connection goes through a pooler '
        + '(PgBouncer?): set DATABASE_DIRECT_URL; until then new outbox rows wait for the next poll');
      return;
    }
    let released = false;
    const release = (destroy: boolean) => {
      if (released) return;
      released = true;
      if (this.listener === client) this.listener = null;
      client.release(destroy);
    };
    client.on('notification', () => this.kick());
    // A dropped connection may report several errors; release it once, then listen again.
    client.on('error', () => {
      release(true);
      if (!this.stopped) setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    });
    await client.query('LISTEN herald_outbox');
    // stop() may have run while this connection was being opened: hand it straight back.
    if (this.stopped) return release(false);
    this.listener = client;
    this.unlisten = async () => {
      await client.query('UNLISTEN herald_outbox').catch(() => undefined);
      release(false);
    };
  }

  kick(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.running = true;
    let delay = this.deps.pollMs;
    try {
      const moved = await this.relayOnce();
      if (moved >= (this.deps.batchSize ?? 1000)) delay = 0;
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'outbox relay failed; will retry');
      delay = Math.max(delay, 1_000);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        delay = 0;
      }
      this.schedule(delay);
    }
  }

  private lastStaleCheck = 0;

  /** Re-drives unfinished work when Redis lost its data; returns how many rows were re-opened. */
  async redriveLost(now = Date.now()): Promise<number> {
    let reopened = 0;
    const fresh = await Promise.all(QUEUE_NAMES.map((queue) => this.deps.redis.set(outboxEpochKey(this.deps.prefix, queue), String(now), 'NX')));
    const lost = QUEUE_NAMES.filter((_, i) => fresh[i] === 'OK');
    if (lost.length) {
      const result = await this.deps.db.updateTable('outbox').set({ relayed_at: null }).where('queue', 'in', lost)
        .where('completed_at', 'is', null).where('failed_at', 'is', null).where('relayed_at', 'is not', null).executeTakeFirst();
      reopened += Number(result.numUpdatedRows);
      if (reopened) this.deps.log.warn({ reopened, queues: lost }, 'Redis lost queues (their epoch keys missing): relaying their unfinished work again');
    }
    const staleAfterMs = this.deps.staleAfterMs ?? 5 * 60_000;
    if (now - this.lastStaleCheck >= staleAfterMs / 5) {
      this.lastStaleCheck = now;
      // A delayed job is not overdue before its time: it counts as stale only that long after it.
      const cutoff = new Date(now - staleAfterMs);
      const stale = await sql<{ id: number; queue: QueueName; job_id: string | null }>`
        SELECT id, queue, job_id FROM outbox
        WHERE completed_at IS NULL AND failed_at IS NULL AND relayed_at < ${cutoff} AND (delay_until IS NULL OR delay_until < ${cutoff})
        ORDER BY relayed_at LIMIT 500`.execute(this.deps.db);
      const missing: number[] = [];
      for (const row of stale.rows) {
        if (!(await this.deps.queues.get(row.queue).getJob(row.job_id ?? outboxJobId(row.id)))) missing.push(row.id);
      }
      if (missing.length) {
        await this.deps.db.updateTable('outbox').set({ relayed_at: null }).where('id', 'in', missing).execute();
        this.deps.log.warn({ reopened: missing.length }, 'relayed jobs missing from Redis: relaying them again');
        reopened += missing.length;
      }
    }
    return reopened;
  }

  /** One claim-push-mark round; returns how many rows moved. */
  async relayOnce(): Promise<number> {
    // Still connecting (start-up, or Redis away): rows wait; the next poll tries again.
    if (this.deps.redis.status !== 'ready') return 0;
    await this.redriveLost();
    const limit = this.deps.batchSize ?? 1000;
    return this.deps.db.transaction().execute(async (tx) => {
      const rows = await sql<Omit<FixedRow, 'job_id'> & { job_id: string | null }>`
        SELECT id, queue, job_name, payload, priority, dedupe_key, job_id, delay_until, op FROM outbox
        WHERE relayed_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(tx);
      if (rows.rows.length === 0) return 0;
      const now = Date.now();
      const plain = rows.rows.filter((r) => r.job_id === null);
      const byQueue = new Map<QueueName, typeof plain>();
      for (const row of plain) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
      for (const [queue, list] of byQueue) {
        await this.deps.queues.get(queue).addBulk(list.map((r) => ({ name: r.job_name, data: r.payload, opts: jobOptions(r, outboxJobId(r.id), now) })));
      }
      const fixed = await relayFixedRows(tx, this.deps.queues, rows.rows.filter((r): r is FixedRow => r.job_id !== null), now);
      const relayed = [...plain.map((r) => r.id), ...fixed];
      if (relayed.length) await tx.updateTable('outbox').set({ relayed_at: new Date() }).where('id', 'in', relayed).execute();
      return relayed.length;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
    await this.unlisten?.();
  }
}

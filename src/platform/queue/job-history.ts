import { sql } from 'kysely';
import type { Db, Tx } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { jobHistoryRow, type JobHistoryRow, type JobOutcome } from './job-history.rules.js';

export type { JobOutcome } from './job-history.rules.js';

export interface JobHistoryWriterDeps {
  readonly db: Db;
  readonly log: Logger;
  /** JOB_HISTORY_FLUSH_MS: what is buffered is written at least this often. */
  readonly flushMs: number;
  /** JOB_HISTORY_BATCH: rows per INSERT; this many waiting are written at once. */
  readonly batch: number;
  /** JOB_HISTORY_BUFFER_MAX: outcomes held while PostgreSQL is away (plus the batch being written). */
  readonly bufferMax: number;
  /** JOB_HISTORY_DATA_MAX_BYTES. */
  readonly dataMaxBytes: number;
  readonly metrics?: Pick<Metrics, 'jobHistoryDropped'>;
  /** How long close() tries to write what is left (5 s). */
  readonly closeTimeoutMs?: number;
  /** How long making a missing day's partition waits for its lock on job_history (PARTITION_LOCK_TIMEOUT_MS). */
  readonly ddlLockTimeoutMs?: number;
  readonly now?: () => number;
}

export type DropReason = 'buffer-full' | 'invalid' | 'shutdown';

const DAY_MS = 86_400_000;

/**
 * How long a partition's CREATE or DROP waits for its ACCESS EXCLUSIVE lock on job_history. Queued
 * behind a long read of the table (the daily metrics rollup, an operator's open transaction,
 * pg_dump), such a request blocks every history INSERT and every search after it for as long as
 * that read lasts; after this wait it gives up (lock_timeout) and is tried again later instead.
 */
export const PARTITION_LOCK_TIMEOUT_MS = 2_000;

/**
 * Runs partition DDL in a transaction whose lock waits end after `ms` (SQLSTATE 55P03,
 * lock_not_available). The processes' job_history DDL goes one at a time (a transaction-scoped
 * advisory lock, taken first): two DROPs of one partition, or a DROP beside a CREATE, at once made
 * PostgreSQL fail one with "could not find tuple for parent of relation" (XX000, seen in CI's
 * history-maintenance test); in turn, each resolves its names after the other's commit.
 */
export async function withDdlLockTimeout(db: Db, ms: number, ddl: (tx: Tx) => Promise<unknown>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('lock_timeout', ${`${Math.max(1, Math.round(ms))}ms`}, true)`.execute(tx);
    await sql`SELECT pg_advisory_xact_lock(hashtextextended('job_history:partition-ddl', 0))`.execute(tx);
    await ddl(tx);
  });
}

/** A lock wait that lock_timeout ended. */
export const lockTimedOut = (err: unknown): boolean => String((err as { code?: unknown } | null)?.code ?? '') === '55P03';
const COLUMNS = 'queue, job_id, name, state, data, return_summary, failed_reason, stacktrace, attempts, created_at, processed_at, finished_at, wait_ms, run_ms, worker, schedule_id, search_text';
const RECORD = 'queue text, job_id text, name text, state text, data jsonb, return_summary text, failed_reason text, stacktrace text, attempts integer, created_at timestamptz, processed_at timestamptz, finished_at timestamptz, wait_ms integer, run_ms integer, worker text, schedule_id text, search_text text';

const codeOf = (err: unknown): string => String((err as { code?: unknown } | null)?.code ?? '');
/** "no partition of relation "job_history" found for row": the day's partition is not made yet. */
const missingPartition = (err: unknown) => codeOf(err) === '23514' && /no partition of relation/i.test((err as Error).message);
/** PostgreSQL refused the rows themselves (a data exception, a constraint, an index row too large): retrying will not help. */
const refused = (err: unknown) => {
  const code = codeOf(err);
  return !missingPartition(err) && (code.startsWith('22') || code.startsWith('23') || code === '54000');
};
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * One INSERT carries at most this many characters of row text: JOB_HISTORY_BATCH rows of
 * JOB_HISTORY_DATA_MAX_BYTES each (both allowed up to large values) would otherwise build a
 * statement past V8's string limit or PostgreSQL's 1 GB, fail every time and be retried forever.
 */
export const BATCH_MAX_CHARS = 32 * 1024 * 1024;

const rowChars = (r: JobHistoryRow) => 512 + (r.data?.length ?? 0) + (r.return_summary?.length ?? 0) + (r.failed_reason?.length ?? 0)
  + (r.stacktrace?.length ?? 0) + r.search_text.length + r.job_id.length;

/** How many rows from the front of `buffer` the next INSERT takes: up to `batch`, within BATCH_MAX_CHARS, at least one. */
export function batchLength(buffer: readonly JobHistoryRow[], batch: number, maxChars = BATCH_MAX_CHARS): number {
  let chars = 0;
  const n = Math.min(batch, buffer.length);
  for (let i = 0; i < n; i++) {
    chars += rowChars(buffer[i]!);
    if (chars > maxChars) return Math.max(1, i);
  }
  return n;
}

/** One row's JSON for json_to_recordset: `data` is already JSON text, spliced in as is (not quoted again). */
function rowJson(row: JobHistoryRow): string {
  const { data, ...rest } = row;
  const text = JSON.stringify(rest);
  return data === null ? text : `${text.slice(0, -1)},"data":${data}}`;
}

/**
 * Writes every finished job's outcome to job_history (migrations/0020_job_history.sql) without a
 * round trip per job: the WorkerPool's event handlers call record(), which only builds the row and
 * buffers it; one multi-row INSERT (json_to_recordset, at most `batch` rows) runs every `flushMs`,
 * or as soon as `batch` rows wait, one at a time.
 *
 * What can go wrong, and what it does:
 * - The day's partition is missing (a fresh database, a clock past the maintenance's days ahead):
 *   the INSERT fails with 23514; the partitions of the batch's days are made and it is tried once more.
 *   Making one waits at most ddlLockTimeoutMs for job_history's lock (a long read holds it off):
 *   past that the rows go back to the buffer for the next tick, and nobody queues behind it.
 * - PostgreSQL is away: the rows go back to the front of the buffer and are tried again on the next
 *   tick. The buffer holds at most `bufferMax` outcomes; past that the oldest are dropped, counted in
 *   herald_job_history_dropped_total{reason="buffer-full"} and warned about once per outage.
 * - PostgreSQL refuses a row (it should not: the rules strip NUL and lone surrogates and bound every
 *   text): the batch is written row by row and only the refused rows are dropped (reason "invalid").
 * - A crash (kill -9) loses what was buffered: at most `flushMs` of outcomes, or the outage's.
 * Nothing here throws into BullMQ's event handlers.
 */
export class JobHistoryWriter {
  private buffer: JobHistoryRow[] = [];
  private inFlight = 0;
  /** Rows that were waiting at the last tick: written even when fewer than a batch. */
  private dueRows = 0;
  private flushing: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** A write failed since the last one that worked (warned once per outage). */
  private failing = false;
  /** The buffer overflowed since the last write that worked (warned once per outage). */
  private overflowing = false;
  /** Counts since start: INSERT statements that worked, rows written, rows dropped, writes that failed. */
  readonly stats = { flushes: 0, written: 0, dropped: 0, failedWrites: 0 };

  constructor(private readonly deps: JobHistoryWriterDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Makes today's and tomorrow's partitions (cheap, idempotent; in the background) and starts the timer. */
  start(): void {
    if (this.timer || this.closed) return;
    const today = this.now();
    this.starting = this.ensurePartitions([dayOf(today), dayOf(today + DAY_MS)]).catch((err: unknown) => {
      this.deps.log.warn({ err: (err as Error).message }, 'job history: could not make today\'s partitions (made on the first write instead)');
    });
    this.timer = setInterval(() => {
      this.dueRows = this.buffer.length;
      this.kick();
    }, this.deps.flushMs);
    this.timer.unref();
  }

  /** Buffers a finished job's row: synchronous, no I/O, never throws. */
  record(outcome: JobOutcome): void {
    try {
      this.push(jobHistoryRow(outcome, this.deps.dataMaxBytes, this.now()));
    } catch (err) {
      this.deps.log.warn({ queue: outcome.queue, jobId: outcome.job.id, err: (err as Error).message }, 'job history: outcome not recorded');
    }
  }

  /** Buffers a row as is (record() builds one from a job). */
  push(row: JobHistoryRow): void {
    if (this.closed) return this.drop([row], 'shutdown');
    this.buffer.push(row);
    this.bound();
    if (this.buffer.length >= this.deps.batch) this.kick();
  }

  /** Outcomes buffered and not yet written (being written included). */
  get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  /** Writes everything buffered now (tests, benchmarks); resolves when that write is over, done or not. */
  async flush(): Promise<void> {
    await this.flushing;
    this.dueRows = this.buffer.length;
    this.kick();
    await this.flushing;
  }

  /** The final write, after the workers closed: tries for at most `closeTimeoutMs`, then drops what is left (counted). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = Date.now() + (this.deps.closeTimeoutMs ?? 5_000);
    const finalWrite = async () => {
      await this.starting;
      await this.flushing;
      while (this.buffer.length > 0 && Date.now() < deadline) {
        this.dueRows = this.buffer.length;
        this.kick();
        await this.flushing;
        if (this.buffer.length > 0) await new Promise((r) => setTimeout(r, 100));
      }
    };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finalWrite(), new Promise((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
    clearTimeout(timer);
    if (this.pending > 0) {
      this.deps.log.warn({ lost: this.buffer.length, inFlight: this.inFlight }, 'job history: outcomes not written at shutdown (PostgreSQL unreachable)');
      this.drop(this.buffer.splice(0), 'shutdown');
    }
  }

  private kick(): void {
    if (this.flushing || this.buffer.length === 0) return;
    if (this.dueRows === 0 && this.buffer.length < this.deps.batch) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
  }

  /** Writes batches while a full one waits or rows from the last tick do; stops at the first failure. */
  private async drain(): Promise<void> {
    while (this.buffer.length >= this.deps.batch || (this.dueRows > 0 && this.buffer.length > 0)) {
      const rows = this.buffer.splice(0, batchLength(this.buffer, this.deps.batch));
      this.dueRows = Math.max(0, this.dueRows - rows.length);
      this.inFlight = rows.length;
      let left: JobHistoryRow[];
      try {
        left = await this.write(rows);
      } catch (err) {
        // write() answers PostgreSQL's errors itself; anything else is a bug, and must neither
        // reject here (nobody awaits a tick) nor stop the writer: these rows go, counted.
        this.deps.log.warn({ err: (err as Error)?.message }, 'job history: outcomes dropped by an unexpected error');
        this.drop(rows, 'invalid');
        left = [];
      } finally {
        this.inFlight = 0;
      }
      if (left.length > 0) {
        // Back in front, in order; the next tick tries again.
        this.buffer = left.concat(this.buffer);
        this.bound();
        break;
      }
    }
    this.dueRows = 0;
  }

  /** Writes rows; answers those still to write (PostgreSQL away), [] when done. */
  private async write(rows: JobHistoryRow[]): Promise<JobHistoryRow[]> {
    let error: unknown;
    try {
      await this.insert(rows);
      return this.wrote(rows.length);
    } catch (err) {
      error = err;
    }
    if (missingPartition(error)) {
      try {
        await this.ensurePartitions([...new Set(rows.map((r) => r.finished_at.slice(0, 10)))]);
        await this.insert(rows);
        return this.wrote(rows.length);
      } catch (err) {
        error = err;
      }
    }
    if (refused(error)) return this.oneByOne(rows);
    return this.failed(error, rows);
  }

  /** A batch PostgreSQL refused: row by row, dropping only the rows it refuses. */
  private async oneByOne(rows: JobHistoryRow[]): Promise<JobHistoryRow[]> {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      try {
        await this.insert([row]);
        this.wrote(1);
      } catch (err) {
        if (!refused(err) && !missingPartition(err)) return this.failed(err, rows.slice(i));
        this.deps.log.warn({ queue: row.queue, jobId: row.job_id, err: (err as Error).message }, 'job history: PostgreSQL refused an outcome; dropped');
        this.drop([row], 'invalid');
      }
    }
    return [];
  }

  private wrote(n: number): [] {
    this.stats.flushes++;
    this.stats.written += n;
    if (this.failing) this.deps.log.info({ waiting: this.buffer.length }, 'job history: writes resumed');
    this.failing = false;
    this.overflowing = false;
    return [];
  }

  private failed(err: unknown, rows: JobHistoryRow[]): JobHistoryRow[] {
    this.stats.failedWrites++;
    if (!this.failing) {
      this.failing = true;
      this.deps.log.warn({ err: (err as Error)?.message, held: this.pending }, 'job history: write failed; outcomes kept in memory and retried');
    }
    return rows;
  }

  /**
   * Keeps at most bufferMax outcomes waiting: the oldest go. A batch being written is not counted
   * until it fails and comes back to the front, where it is the oldest (so memory holds at most
   * bufferMax + batch rows).
   */
  private bound(): void {
    const over = this.buffer.length - this.deps.bufferMax;
    if (over <= 0) return;
    this.drop(this.buffer.splice(0, over), 'buffer-full');
    this.dueRows = Math.min(this.dueRows, this.buffer.length);
    if (!this.overflowing) {
      this.overflowing = true;
      this.deps.log.warn({ bufferMax: this.deps.bufferMax }, 'job history: buffer full while PostgreSQL is away; dropping the oldest outcomes (herald_job_history_dropped_total)');
    }
  }

  private drop(rows: readonly JobHistoryRow[], reason: DropReason): void {
    if (rows.length === 0) return;
    this.stats.dropped += rows.length;
    const byQueue = new Map<string, number>();
    for (const row of rows) byQueue.set(row.queue, (byQueue.get(row.queue) ?? 0) + 1);
    for (const [queue, n] of byQueue) this.deps.metrics?.jobHistoryDropped.inc({ queue, reason }, n);
  }

  private async insert(rows: readonly JobHistoryRow[]): Promise<void> {
    const json = `[${rows.map(rowJson).join(',')}]`;
    await sql`INSERT INTO job_history (${sql.raw(COLUMNS)})
      SELECT ${sql.raw(COLUMNS)} FROM json_to_recordset(${json}::json) AS r(${sql.raw(RECORD)})
      ON CONFLICT (job_id, queue, finished_at) DO NOTHING`.execute(this.deps.db);
  }

  /** Makes the days' partitions; a lock wait past ddlLockTimeoutMs fails it (55P03: the rows wait for the next tick). */
  private async ensurePartitions(days: readonly string[]): Promise<void> {
    await withDdlLockTimeout(this.deps.db, this.deps.ddlLockTimeoutMs ?? PARTITION_LOCK_TIMEOUT_MS,
      (tx) => sql`SELECT job_history_ensure_partition(day) FROM unnest(${days}::date[]) AS day`.execute(tx));
  }
}

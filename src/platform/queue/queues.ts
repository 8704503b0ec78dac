import { Queue, type JobsOptions, type JobType } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { Logger } from '../logger.js';
import { bullQueueName, outboxEpochKey } from '../redis/keys.js';
import { QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from './registry.js';

export interface JobDefaults {
  readonly attempts: number;
  readonly backoffMs: number;
}

/** BullMQ's exponential backoff with jitter 0.5 waits between half and all of backoffMs * 2^(n-1) before retry n. */
const JITTER = 0.5;

/**
 * Attempts whose retries span `windowMs` on average: the smallest n with
 * (1 - JITTER / 2) * backoffMs * (2^(n-1) - 1) >= windowMs (a jittered wait averages 3/4 of its
 * full length). The last retry then comes at least about 2/3 and at most about 4/3 of that sum
 * after the first try (every wait at its shortest, or at its full length): 18 to 36 h for a day at 1 s.
 */
export function attemptsToCover(backoffMs: number, windowMs: number): number {
  let attempts = 1;
  while ((1 - JITTER / 2) * backoffMs * (2 ** (attempts - 1) - 1) < windowMs) attempts++;
  return attempts;
}

/** Retries with exponential backoff and jitter; completed jobs kept a day, failed ones a week. */
export function defaultJobOptions(defaults: JobDefaults): JobsOptions {
  return {
    attempts: defaults.attempts,
    backoff: { type: 'exponential', delay: defaults.backoffMs, jitter: JITTER },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** A job as its Redis hash holds it: what job search reads of each live job it scans. */
export interface StoredJob {
  readonly id: string;
  readonly name: string;
  /** The data's JSON text as BullMQ stored it (JSON.stringify of the data). */
  readonly dataJson: string;
  readonly timestamp: number;
  readonly processedOn: number | null;
  readonly finishedOn: number | null;
  readonly attemptsMade: number;
  readonly failedReason: string | null;
  readonly processedBy: string | null;
  readonly repeatJobKey: string | null;
}

const whole = (text: string | undefined): number | null => {
  const n = text === undefined ? NaN : Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : null;
};

/**
 * A job's hash fields (HGETALL's flat list) read as BullMQ 6 reads them (its rawToJobJson: `atm`
 * or the older `attemptsMade`, `pb` the worker, `rjk` the scheduler). queues.test.ts holds this to
 * what BullMQ's own getJobs answers for the same jobs, so an upgrade that renames one fails there.
 */
export function storedJob(id: string, fields: readonly string[]): StoredJob {
  const raw: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) raw[fields[i]!] = fields[i + 1]!;
  return {
    id: raw.id || id, name: raw.name ?? '', dataJson: raw.data || '{}', timestamp: whole(raw.timestamp) ?? 0,
    processedOn: whole(raw.processedOn), finishedOn: whole(raw.finishedOn), attemptsMade: whole(raw.attemptsMade || raw.atm) ?? 0,
    failedReason: raw.failedReason || null, processedBy: raw.pb || null, repeatJobKey: raw.rjk || null,
  };
}

export interface QueuesDeps {
  /** BullMQ's connection (platform/redis/connection.ts), shared by every queue. */
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly defaults: JobDefaults;
  /** Queues whose jobs get another number of attempts than defaults.attempts (webhooks: a day's worth). */
  readonly attempts?: Partial<Record<QueueName, number>>;
  readonly log: Logger;
}

/** Producer side of every queue, one BullMQ Queue object each, sharing one connection. */
export class Queues {
  private readonly queues: Map<QueueName, Queue>;
  private readonly prefix: string;
  private readonly connection: RedisClient;

  constructor({ connection, prefix, defaults, attempts, log }: QueuesDeps) {
    this.prefix = prefix;
    this.connection = connection;
    this.queues = new Map(QUEUE_NAMES.map((name) => {
      const own = { ...defaults, attempts: attempts?.[name] ?? defaults.attempts };
      const queue = new Queue(bullQueueName(name), { connection, prefix, defaultJobOptions: defaultJobOptions(own) });
      // Connection errors while Redis is away; callers see their own failures, this is the log.
      queue.on('error', (err) => log.debug({ queue: name, err: err.message }, 'queue connection error'));
      return [name, queue] as const;
    }));
  }

  get(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  /**
   * Whether an id names one of the queue's own keys, not a job: BullMQ reads job <id> at
   * <prefix>:{<queue>}:<id>, beside the queue's lists, meta hash and events stream, the outbox
   * epoch (keys.ts) and each job's <id>:logs and <id>:lock. Read as a job such a key answered 500
   * (wrong type), or was shown and removed (meta). BullMQ's job ids hold no ':' but its schedulers'
   * (repeat:<scheduler>:<ms>). Admin's job routes and job search refuse such ids before reading.
   */
  namesQueueKey(name: QueueName, id: string): boolean {
    const q = this.get(name);
    return Object.hasOwn(q.keys, id) || q.toKey(id) === outboxEpochKey(this.prefix, name)
      || (id.includes(':') && !/^repeat:[^:]+:\d+$/.test(id));
  }

  /**
   * The newest `count` jobs in `state` with their hashes, from one script. BullMQ's getJobs runs
   * that same script, then drops the hashes and reads every job again (one HGETALL each) and builds
   * a Job of it: for job search's scan of 200 waiting jobs, 4.0 ms where this takes about 1.5.
   */
  async newestJobs(name: QueueName, state: JobType, count: number): Promise<StoredJob[]> {
    if (count <= 0) return [];
    const [entries = []] = await this.get(name).getBackend().getJobs([state], 0, count - 1, false);
    return entries.map(([id, fields]) => storedJob(id, fields));
  }

  /**
   * One job as its hash holds it (storedJob), null when there is none: job search's id lookup,
   * read as the scan reads. BullMQ's getJob parses the data and answered a SyntaxError for a job
   * whose data is no JSON (a 400 blaming the request), and a NaN timestamp for a hash without one
   * (a 500 once the search merged it).
   */
  async storedJobById(name: QueueName, id: string): Promise<StoredJob | null> {
    // HGETALL's reply as the flat list the script gives: ioredis leaves `call('HGETALL')` flat (its
    // object converter is keyed by the lower-case name); should a release convert it, it is flattened
    // back rather than read as an empty list.
    const reply = (await this.connection.call('HGETALL', this.get(name).toKey(id))) as string[] | Record<string, string>;
    const fields = Array.isArray(reply) ? reply : Object.entries(reply).flat();
    return fields.length === 0 ? null : storedJob(id, fields);
  }

  add<Q extends QueueName, J extends JobName<Q>>(queue: Q, name: J, data: JobPayload<Q, J>, opts?: JobsOptions) {
    return this.get(queue).add(name, data, opts);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

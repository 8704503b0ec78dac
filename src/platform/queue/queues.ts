import { Queue, type JobsOptions } from 'bullmq';
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

  constructor({ connection, prefix, defaults, attempts, log }: QueuesDeps) {
    this.prefix = prefix;
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

  add<Q extends QueueName, J extends JobName<Q>>(queue: Q, name: J, data: JobPayload<Q, J>, opts?: JobsOptions) {
    return this.get(queue).add(name, data, opts);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

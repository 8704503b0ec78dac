import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { RedisClient } from '../redis/connection.js';
import { workerKey, workersKey } from '../redis/keys.js';
import type { QueueName } from './registry.js';
import type { TransportView } from '../email/failover.transport.js';

export interface WorkerHeartbeat {
  id: string;
  host: string;
  pid: number;
  queues: QueueName[];
  concurrency: Partial<Record<QueueName, number>>;
  startedAt: string;
  lastSeenAt: string;
  activeJobs: number;
  /** This process's SMTP transports and their breakers (absent when mail is captured). */
  smtp?: TransportView[];
}

export interface HeartbeatDeps {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly queues: QueueName[];
  readonly concurrency: Partial<Record<QueueName, number>>;
  readonly activeJobs: () => number;
  readonly intervalMs: number;
  readonly smtp?: () => TransportView[];
}

/**
 * Each worker process says it is alive every `intervalMs`, in a key that expires after three
 * missed beats; the set of ids lets admins list them without scanning the keyspace.
 */
export class Heartbeat {
  readonly id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly deps: HeartbeatDeps) {}

  async beat(): Promise<void> {
    const body: WorkerHeartbeat = {
      id: this.id, host: os.hostname(), pid: process.pid, queues: this.deps.queues, concurrency: this.deps.concurrency,
      startedAt: this.startedAt, lastSeenAt: new Date().toISOString(), activeJobs: this.deps.activeJobs(),
    };
    const smtp = this.deps.smtp?.() ?? [];
    if (smtp.length) body.smtp = smtp;
    await this.deps.redis.multi()
      .set(workerKey(this.deps.prefix, this.id), JSON.stringify(body), 'PX', this.deps.intervalMs * 3)
      .sadd(workersKey(this.deps.prefix), this.id)
      .exec();
  }

  start(): void {
    const tick = () => void this.beat().catch(() => undefined);
    tick();
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
  }

  /** Best effort and bounded: with Redis away the key simply expires. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const removal = this.deps.redis.multi().del(workerKey(this.deps.prefix, this.id)).srem(workersKey(this.deps.prefix), this.id).exec().catch(() => undefined);
    await Promise.race([removal, new Promise((r) => setTimeout(r, 1_000).unref())]);
  }
}

/** Live workers; ids whose key expired (a crashed process) are dropped from the index. */
export async function listWorkers(redis: RedisClient, prefix: string): Promise<WorkerHeartbeat[]> {
  const ids = await redis.smembers(workersKey(prefix));
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => workerKey(prefix, id)));
  const dead = ids.filter((_, i) => values[i] === null);
  if (dead.length) await redis.srem(workersKey(prefix), ...dead);
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerHeartbeat)
    .sort((a, b) => a.id.localeCompare(b.id));
}

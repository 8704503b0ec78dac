import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { waitFor } from '../src/platform/net.js';
import { SCHEDULES } from '../src/platform/queue/schedules.js';
import { bullQueueName } from '../src/platform/redis/keys.js';

/**
 * Watches the job schedulers of src/platform/queue/schedules.ts in the drill's private Redis, as
 * BullMQ holds them (`getJobScheduler(id)` on each schedule's queue): the redis drill's verdict
 * on "a FLUSHALL stops nothing recurring" (issue 16, point 9).
 */
export class ScheduleWatch {
  private readonly connection: Redis;
  private readonly queues: Map<string, Queue>;

  constructor(redisUrl: string, prefix = 'drill') {
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined);
    this.queues = new Map([...new Set(SCHEDULES.map((s) => s.queue))].map((name) => [name, new Queue(bullQueueName(name), { connection: this.connection, prefix })]));
  }

  /** Ids of the schedules Redis does not hold (all of them right after a flush). */
  async missing(): Promise<string[]> {
    const out: string[] = [];
    for (const s of SCHEDULES) {
      if (!(await this.queues.get(s.queue)!.getJobScheduler(s.id))) out.push(s.id);
    }
    return out;
  }

  /**
   * Polls until every schedule is back (or `timeoutMs` passed). `seconds` is counted from `since`
   * (the flush), so it is the outage of the schedules as a scheduler process would see it.
   */
  async waitAllBack(since: number, timeoutMs: number): Promise<{ back: boolean; seconds: number | null; stillMissing: string[] }> {
    let stillMissing: string[] = SCHEDULES.map((s) => s.id);
    const back = await waitFor(async () => {
      stillMissing = await this.missing().catch(() => stillMissing);
      return stillMissing.length === 0;
    }, Math.max(0, since + timeoutMs - Date.now()), 250);
    return { back, seconds: back ? Math.round((Date.now() - since) / 100) / 10 : null, stillMissing };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}

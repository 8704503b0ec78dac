import { waitFor } from '../../src/platform/net.js';
import type { App } from '../../src/app.js';

/** Until every outbox row is finished (completed, or failed for good). */
export async function outboxDrained(app: App, timeoutMs = 30_000): Promise<boolean> {
  return waitFor(async () => {
    const row = await app.database.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('completed_at', 'is', null).where('failed_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n) === 0;
  }, timeoutMs, 50);
}

/** Until a queue has nothing waiting, running or waiting to retry (the next scheduled runs aside). */
export async function queueIdle(app: App, queue: Parameters<App['queues']['get']>[0], timeoutMs = 30_000): Promise<boolean> {
  const q = app.queues.get(queue);
  return waitFor(async () => {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(c).some((n) => n > 0)) return false;
    const delayed = await q.getJobs(['delayed']);
    return delayed.every((job) => job.id?.startsWith('repeat:'));
  }, timeoutMs, 50);
}

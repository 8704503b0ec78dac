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

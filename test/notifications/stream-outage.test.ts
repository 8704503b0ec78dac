import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/env.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { openResources } from '../helpers/resources.js';
import { SseClient } from '../helpers/sse-client.js';

/**
 * The stream through a Redis outage, cut by a proxy in front of the one Redis server: a drill of a
 * single Redis (a cluster client learns every node's own address and would go around the proxy),
 * so it runs on REDIS_URL in the cluster group too (moved out of stream.test.ts for that reason).
 */
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ REDIS_URL });
  admin = await t.admin();
});
afterAll(() => t.close());

const notify = async (user: Session, title: string) => {
  const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { userIds: [user.user.id], type: 'SYSTEM', title, message: 'm' } });
  expect(res.status).toBe(202);
};
const deliveriesDone = () => waitFor(async () =>
  (await t.app.database.db.selectFrom('outbox').select('id').where('completed_at', 'is', null).execute()).length === 0, 10_000);

describe('GET /api/notifications/stream through a Redis outage', () => {
  it('after a Redis outage the stream asks the client to resync, and the replay fills the gap', async () => {
    const proxy = await new CuttableProxy(new URL(REDIS_URL).hostname, Number(new URL(REDIS_URL).port || 6379)).start();
    const p = await createApp(loadConfig({
      NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`, QUEUE_PREFIX: t.prefix,
    }), { roles: ['api'], print: () => undefined });
    await p.start();
    openResources.add('proxied api');
    const user = await t.user();
    let stream = await SseClient.open(p.url!, user);
    try {
      await stream.next();
      await notify(user, 'Before');
      const before = await stream.next('notification');
      await proxy.cut();
      await notify(user, 'During');
      await deliveriesDone();
      await proxy.restore();
      expect(await waitFor(async () => stream.ended, 10_000)).toBe(true);
      // Opening is rate-limited in Redis: until the command connection is back too (a moment after
      // the subscriber), it answers 503 like every rate-limited route, and the client retries.
      expect(await waitFor(async () => {
        stream = await SseClient.open(p.url!, user, { lastEventId: before.id! });
        if (!stream.res.ok) await stream.res.body?.cancel();
        return stream.res.ok;
      }, 10_000, 100)).toBe(true);
      expect(JSON.parse((await stream.next('notification')).data!).title).toBe('During');
      await notify(user, 'After');
      expect(JSON.parse((await stream.next('notification')).data!).title).toBe('After');
    } finally {
      stream.close();
      await p.stop();
      openResources.delete('proxied api');
      await proxy.close();
    }
  });
});

import { createTestApp, type TestApp } from './context.js';
import { CuttableProxy } from './proxy.js';

/**
 * A test app (api role, rate limits off: with them on, the limiter answers 503 before a route runs)
 * whose PostgreSQL or Redis is reached through a proxy the test cuts and restores, to see what the
 * routes do while that server is unreachable without stopping the shared one.
 */
export async function appBehindProxy(server: 'postgres' | 'redis', env: Record<string, string> = {}): Promise<{ proxy: CuttableProxy; t: TestApp; close: () => Promise<void> }> {
  const proxy = await new CuttableProxy('127.0.0.1', server === 'postgres' ? 5432 : 6379).start();
  const t = await createTestApp((database) => {
    if (server === 'redis') return { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, RATE_LIMITS: 'off', ...env };
    const url = new URL(database.url);
    url.host = `127.0.0.1:${proxy.port}`;
    return { DATABASE_URL: url.toString(), RATE_LIMITS: 'off', ...env };
  }, { roles: ['api'] });
  return { proxy, t, close: async () => { await t.close(); await proxy.close(); } };
}

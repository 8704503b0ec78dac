import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/platform/db/schema.js';
import { ADMIN_URL, REDIS_ENV, databaseUrl, testDatabaseName } from './env.js';
import { deleteRedisPrefix } from './redis.js';
import { openResources } from './resources.js';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' } as const;

/** A fresh database cloned from the migrated template; dropped by the returned function. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = testDatabaseName();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  openResources.add(`database ${name}`);
  return {
    url: databaseUrl(name),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
      openResources.delete(`database ${name}`);
    },
  };
}

export { deleteRedisPrefix } from './redis.js';

export interface Session {
  readonly token: string;
  readonly user: { id: string; email: string; name: string | null; role: Role };
}

export interface Call {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

export interface TestApp {
  readonly app: App;
  readonly url: string;
  readonly databaseUrl: string;
  readonly prefix: string;
  /** A JSON request; `as` sends a bearer token. */
  call(method: string, path: string, options?: { as?: Session | string; body?: unknown; headers?: Record<string, string> }): Promise<Call>;
  login(email: string, password: string): Promise<Session>;
  /** Creates a user through the service and signs in. */
  user(role?: Role, name?: string): Promise<Session>;
  admin(): Promise<Session>;
  /** Another process's worth of the service (same database, Redis prefix and config). */
  sibling(options?: AppOptions): Promise<App>;
  close(): Promise<void>;
}

let counter = 0;

const throughPort = (url: string, port: number) => Object.assign(new URL(url), { host: `127.0.0.1:${port}` }).toString();

/**
 * `env` may depend on the file's database (its name, for a URL through a pgbouncer). With
 * TEST_PGBOUNCER=1 (the suite's pgbouncer group, see global-setup.ts) the app reaches PostgreSQL
 * as behind PgBouncer in transaction mode: DATABASE_URL through the suite's pgbouncer,
 * DATABASE_DIRECT_URL to the server itself, no named prepared statements.
 */
export async function createTestApp(env: Record<string, string> | ((database: { name: string; url: string }) => Record<string, string>) = {}, options: AppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const bouncer = inject('pgbouncerPort');
  const own = typeof env === 'function' ? env(database) : env;
  // A test that names its own Redis (a private server, a proxy) runs on it, cluster group or not.
  const redis = own.REDIS_URL || own.REDIS_SENTINELS || own.REDIS_CLUSTER_NODES ? {} : REDIS_ENV;
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: database.url, ...redis,
    QUEUE_PREFIX: prefix, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, OUTBOX_POLL_MS: '50',
    ...(bouncer ? { DATABASE_URL: throughPort(database.url, bouncer), DATABASE_DIRECT_URL: database.url, DATABASE_PREPARED_STATEMENTS: 'false' } : {}),
    ...own,
  });
  const app = await createApp(config, { print: () => undefined, ...options });
  await app.start();
  const label = `app ${prefix}`;
  openResources.add(label);
  const url = app.url ?? '';
  let adminSession: Session | null = null;

  const call: TestApp['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = typeof opts.as === 'string' ? opts.as : opts.as?.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch { /* not JSON: keep the text */ }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  const login = async (email: string, password: string): Promise<Session> => {
    const res = await call('POST', '/api/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { token: res.body.data.token, user: res.body.data.user };
  };

  return {
    app, url, databaseUrl: database.url, prefix, call, login,
    async user(role = 'VIEWER', name) {
      const email = `user${++counter}-${randomBytes(3).toString('hex')}@test.local`;
      await app.services.users.createUser({ email, password: 'password-123', role, name: name ?? `${role} ${counter}` });
      return login(email, 'password-123');
    },
    async admin() {
      return (adminSession ??= await login(ADMIN.email, ADMIN.password));
    },
    async sibling(siblingOptions = {}) {
      // The same clock as this app's, unless told otherwise: they share the rate-limit windows.
      const other = await createApp(config, { print: () => undefined, now: options.now, ...siblingOptions });
      await other.start();
      const name = `sibling ${prefix} ${++counter}`;
      openResources.add(name);
      const stop = other.stop.bind(other);
      other.stop = async () => {
        await stop();
        openResources.delete(name);
      };
      return other;
    },
    async close() {
      await app.stop();
      await database.drop();
      await deleteRedisPrefix(prefix);
      openResources.delete(label);
    },
  };
}

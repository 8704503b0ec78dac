import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../../src/platform/password.js';
import { ADMIN_URL, copyRows, createScratchDatabase, uniqueName, type ScratchDatabase } from './database.js';
import { seedInbox } from './inbox-seed.js';
import { USER_COLUMNS, userRows } from './seed-data.js';

/**
 * bench:scaling's data: one template database per scenario, migrated by the build under test and
 * seeded once; every measurement runs on a fresh copy (CREATE DATABASE … TEMPLATE), so 1, 2 and 4
 * processes start from the same rows, statistics and empty queues.
 */

export const PASSWORD = 'bench-password-1';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'herald-bench-scaling' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A copy of `template` (nobody may be connected to it); dropped like any scratch database. */
export async function cloneDatabase(template: ScratchDatabase, kind: string): Promise<ScratchDatabase> {
  const name = uniqueName(kind);
  // An autovacuum worker on the template makes CREATE DATABASE fail ("being accessed by other users") for a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template.name}`));
      break;
    } catch (err) {
      if (attempt >= 40 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name, url: url.toString(),
    drop: () => withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** An empty template database migrated by `migrate` (the build's own `herald migrate`). */
export async function templateDatabase(kind: string, migrate: (url: string) => Promise<void>): Promise<ScratchDatabase> {
  const db = await createScratchDatabase(uniqueName(`${kind}_tpl`));
  await migrate(db.url);
  return db;
}

/** `count` VIEWERs (default, IMMEDIATE preferences) by COPY; their ids in insertion order. */
export async function seedUsers(url: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const hash = await hashPassword(PASSWORD);
  await withClient(url, async (c) => {
    await copyRows(c, 'users', USER_COLUMNS, userRows(ids, hash, Date.now()));
    await c.query('VACUUM ANALYZE users');
  });
  return ids;
}

/** `count` DAILY-digest users with `perUser` unread notifications each, created before `runAt` (as bench:digest). */
export async function seedDigestUsers(url: string, count: number, perUser: number, runAt: Date): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO users (email, name, role, password_hash)
      SELECT 'digest' || g || '@bench.local', 'Digest ' || g, 'VIEWER', 'x' FROM generate_series(1, $1::int) g`, [count]);
    await c.query(`INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency, email_enabled)
      SELECT id, ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','SYSTEM','MESSAGE','POST_ASSIGNED','POST_STATUS_CHANGED','BLOG'], 'DAILY', true FROM users`);
    await c.query(`INSERT INTO notifications (user_id, type, title, message, action_url, priority, created_at)
      SELECT u.id, (ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','MESSAGE']::notification_type[])[k], 'Update ' || k,
             'Something happened on your account (' || k || ').', '/items/' || k, 'MEDIUM', $1::timestamptz - k * interval '1 hour'
      FROM users u CROSS JOIN generate_series(1, $2::int) k`, [runAt, perUser]);
    await c.query('VACUUM ANALYZE');
  });
}

export interface InboxTemplate {
  readonly rows: number;
  /** Bearer tokens of sessions written straight into the template (valid under `secret`). */
  readonly tokens: readonly string[];
  /** (token, notification id) of unread visible rows: what mark-read/unread requests toggle. */
  readonly pairs: ReadonlyArray<{ token: string; id: string }>;
  /** Users the create requests notify, one each. */
  readonly userIds: readonly string[];
}

/**
 * The inbox of bench:api (bench/lib/inbox-seed.ts: `users` × `perUser` rows in every inbox state),
 * `sessions` sessions spread over the users, written as the service stores them (an HMAC of the
 * token under SESSION_SECRET: signing in over HTTP costs ~80 ms of argon2 each), and up to
 * `perSession` unread rows of each session's user to mark read and unread.
 */
export async function seedInboxTemplate(url: string, users: number, perUser: number, sessions: number, secret: string, perSession = 20): Promise<InboxTemplate> {
  const seeded = await seedInbox(url, users, perUser, PASSWORD);
  return withClient(url, async (c) => {
    const { rows: people } = await c.query<{ id: string }>(
      `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users) u WHERE n % greatest(1, $1::int / $2::int) = 0 LIMIT $2`,
      [users, sessions]);
    const tokens: string[] = [];
    const pairs: Array<{ token: string; id: string }> = [];
    for (const { id: userId } of people) {
      const token = randomBytes(32).toString('base64url');
      const hash = createHmac('sha256', secret).update(token).digest();
      await c.query(`INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [userId, hash]);
      tokens.push(token);
      const { rows } = await c.query<{ id: string }>(
        `SELECT id FROM notifications WHERE user_id = $1 AND NOT read AND archived_at IS NULL AND snoozed_until IS NULL AND expires_at IS NULL LIMIT $2`,
        [userId, perSession]);
      for (const r of rows) pairs.push({ token, id: r.id });
    }
    const { rows: all } = await c.query<{ id: string }>('SELECT id FROM users ORDER BY id');
    await c.query('VACUUM ANALYZE sessions');
    // Interleave the pairs across sessions so consecutive requests touch different users.
    pairs.sort((x, y) => (x.id < y.id ? -1 : 1));
    return { rows: seeded.rows, tokens, pairs, userIds: all.map((r) => r.id) };
  });
}

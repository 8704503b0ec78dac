import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../../src/platform/password.js';
import { copyInParallel, copyRows, log, secondaryIndexes } from './database.js';
import { NOTIFICATION_COLUMNS, USER_COLUMNS, notificationRows, userRows } from './seed-data.js';

/** Parallel COPY connections for notifications. Seeding is CPU-bound; on 2 cores, 1 and 2 are alike. */
const COPY_STREAMS = 2;

export interface InboxSeed {
  readonly rows: number;
  readonly seconds: number;
  /** What the seeded table holds, counted after the COPY (see SHARES in seed-data.ts). */
  readonly shares: Record<'read' | 'seen' | 'archived' | 'snoozed' | 'ranked' | 'expiring' | 'expired', number>;
}

/**
 * Users (userN@bench.local, one password), then `perUser` notifications each with every secondary
 * index of notifications dropped (0015's feed and archive indexes among them: building an index
 * once after the COPY is several times faster than maintaining it row by row), then the indexes
 * again and fresh statistics.
 */
export async function seedInbox(databaseUrl: string, users: number, perUser: number, password: string): Promise<InboxSeed> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'herald-bench-seed' });
  await client.connect();
  try {
    const passwordHash = await hashPassword(password);
    const started = performance.now();
    const now = Date.now();
    const userIds = Array.from({ length: users }, () => randomUUID());
    await copyRows(client, 'users', USER_COLUMNS, userRows(userIds, passwordHash, now));
    log(`users: ${users.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const indexes = await secondaryIndexes(client, 'notifications');
    for (const { name } of indexes) await client.query(`DROP INDEX ${name}`);
    log(`dropped for the COPY: ${indexes.map((i) => i.name).join(', ')}`);
    const copyStarted = performance.now();
    const slice = Math.ceil(users / COPY_STREAMS);
    const sources = Array.from({ length: COPY_STREAMS }, (_, k) =>
      notificationRows(userIds.slice(k * slice, (k + 1) * slice), perUser, now, k + 2));
    const rows = await copyInParallel(databaseUrl, 'notifications', NOTIFICATION_COLUMNS, sources, {
      label: 'notifications',
      total: users * perUser,
      // Skips the per-row foreign-key check (user_id) that PostgreSQL queues until the end of a
      // COPY: every user_id was just inserted above. Needs a superuser, as the admin URL is.
      sessionSql: ["SET session_replication_role = 'replica'"],
    });
    const copySec = (performance.now() - copyStarted) / 1000;
    log(`notifications: COPY of ${rows.toLocaleString('en')} rows took ${copySec.toFixed(1)} s (${Math.round(rows / copySec).toLocaleString('en')} rows/s)`);

    await client.query("SET maintenance_work_mem = '1GB'");
    for (const { definition } of indexes) {
      const step = performance.now();
      await client.query(definition);
      log(`${definition}: ${((performance.now() - step) / 1000).toFixed(1)} s`);
    }
    const step = performance.now();
    // VACUUM also sets the visibility map, without which no count would be index-only.
    await client.query('VACUUM ANALYZE notifications');
    await client.query('VACUUM ANALYZE users');
    log(`VACUUM ANALYZE: ${((performance.now() - step) / 1000).toFixed(1)} s`);
    const seconds = (performance.now() - started) / 1000;
    return { rows, seconds, shares: await shares(client) };
  } finally {
    await client.end();
  }
}

async function shares(client: pg.Client): Promise<InboxSeed['shares']> {
  const share = (predicate: string) => `count(*) FILTER (WHERE ${predicate})::float8 / greatest(count(*), 1)`;
  const { rows } = await client.query<InboxSeed['shares']>(`
    SELECT ${share('read')} AS read, ${share('seen_at IS NOT NULL')} AS seen, ${share('archived_at IS NOT NULL')} AS archived,
      ${share('snoozed_until > now()')} AS snoozed, ${share('ranked_at IS NOT NULL')} AS ranked,
      ${share('expires_at > now()')} AS expiring, ${share('expires_at <= now()')} AS expired
    FROM notifications`);
  const row = rows[0]!;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v.toFixed(4))])) as InboxSeed['shares'];
}

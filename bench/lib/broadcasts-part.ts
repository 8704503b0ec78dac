import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createLogger } from '../../src/platform/logger.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './database.js';
import { intEnv } from './env.js';

/**
 * bench:admin's broadcasts part (issue 19, safe broadcasts): the preview's latency over
 * BENCH_BROADCAST_USERS (100,000) users with mixed preferences (a third IMMEDIATE by default, DAILY,
 * WEEKLY, NEVER, email off, a type disabled, quiet hours in 24 zones, 1 % suppressed), for everyone,
 * a role and a list of 10,000 ids; then one recall of a batch with a row per user, half of its
 * emails sent, a tenth reserved (cancelled by the recall), the rest undecided (counted by the rules).
 */
const USERS = intEnv('BENCH_BROADCAST_USERS', 100_000);
const SAMPLES = intEnv('BENCH_BROADCAST_SAMPLES', 20);
const LIST = Math.min(10_000, USERS);
const ZONES = ['UTC', 'Europe/Paris', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney',
  'America/Sao_Paulo', 'Africa/Cairo', 'Europe/Berlin', 'Asia/Singapore', 'America/Chicago', 'Europe/Moscow', 'Asia/Dubai', 'Pacific/Auckland',
  'America/Denver', 'Europe/Madrid', 'Asia/Shanghai', 'America/Toronto', 'Europe/Rome', 'Asia/Seoul', 'America/Mexico_City', 'Europe/Istanbul'];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (ms: number) => Number(ms.toFixed(1));

async function seed(client: pg.Client): Promise<void> {
  await client.query(`
    INSERT INTO users (email, role, password_hash, name)
    SELECT 'u' || i || '@bench.local', (ARRAY['CREATOR','BRAND','VIEWER']::user_role[])[1 + i % 3], 'x', NULL FROM generate_series(1, $1::int) i`, [USERS]);
  // Two thirds save preferences: by i % 9 a frequency, email off, a type disabled, quiet hours in a zone.
  await client.query(`
    INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency, email_enabled, timezone, quiet_start, quiet_end)
    SELECT u.id,
      CASE WHEN n % 9 = 5 THEN ARRAY['LICENSE','PAYOUT'] ELSE ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','SYSTEM','MESSAGE','POST_ASSIGNED','POST_STATUS_CHANGED','BLOG'] END,
      (CASE n % 9 WHEN 1 THEN 'DAILY' WHEN 2 THEN 'WEEKLY' WHEN 3 THEN 'NEVER' ELSE 'IMMEDIATE' END)::digest_frequency,
      n % 9 <> 4,
      CASE WHEN n % 9 IN (6, 7) THEN ($1::text[])[1 + n % array_length($1::text[], 1)] END,
      CASE WHEN n % 9 IN (6, 7) THEN '22:00'::time END, CASE WHEN n % 9 IN (6, 7) THEN '07:00'::time END
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE email LIKE 'u%@bench.local') u WHERE n % 3 <> 0`, [ZONES]);
  await client.query(`
    INSERT INTO email_suppressions (email, reason, source) SELECT email, 'hard-bounce', 'smtp' FROM users WHERE email LIKE 'u%@bench.local' AND id::text LIKE '0%' LIMIT $1`, [Math.ceil(USERS / 100)]);
  await client.query('ANALYZE');
}

async function timedPosts(url: string, token: string, path: string, body: unknown): Promise<{ p50Ms: number; p95Ms: number; maxMs: number; answer: unknown }> {
  const times: number[] = [];
  let answer: unknown = null;
  for (let i = 0; i < SAMPLES + 2; i++) {
    const started = performance.now();
    const res = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    answer = ((await res.json()) as { data: unknown }).data;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(answer)}`);
    if (i >= 2) times.push(performance.now() - started); // two warm-ups
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), maxMs: round(times.at(-1)!), answer };
}

export async function broadcastsPart(): Promise<object> {
  const prefix = `bbrc${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  const client = { pg: null as pg.Client | null };
  try {
    database = await createScratchDatabase(uniqueName('admin_broadcasts'));
    await migrate(database.url);
    client.pg = new pg.Client({ connectionString: database.url });
    await client.pg.connect();
    const seedStarted = performance.now();
    await seed(client.pg);
    log(`broadcasts: ${USERS.toLocaleString('en')} users seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    // The API alone: nothing delivers, so the recall's batch stays as seeded.
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    }), { roles: ['api'], logger: createLogger('warn', process.stderr) });
    await app.start();
    const { token } = await app.services.auth.login('admin@bench.local', 'bench-password', { ip: '127.0.0.1', userAgent: null });
    const url = app.url!;
    const ids = (await client.pg.query<{ id: string }>('SELECT id FROM users ORDER BY email LIMIT $1', [LIST])).rows.map((r) => r.id);
    const content = { type: 'SYSTEM', title: 'Planned maintenance', message: 'Tonight 22:00-23:00 UTC.' };
    const preview = {
      everyone: await timedPosts(url, token, '/api/admin/notifications/preview', { ...content, all: true }),
      role: await timedPosts(url, token, '/api/admin/notifications/preview', { ...content, role: 'CREATOR' }),
      list10k: await timedPosts(url, token, '/api/admin/notifications/preview', { ...content, userIds: ids }),
    };
    log(`broadcasts: preview p95 everyone ${preview.everyone.p95Ms} ms, role ${preview.role.p95Ms} ms, 10,000 ids ${preview.list10k.p95Ms} ms`);

    // A batch with a row per user; half its emails sent, a tenth reserved, the rest undecided.
    const batch = (await client.pg.query<{ id: string }>(`
      INSERT INTO notification_batches (request_hash, target_kind, payload, status, created_count, completed_at)
      VALUES ('bench', 'all', $1::jsonb, 'completed', $2, now()) RETURNING id`, [JSON.stringify({ ...content, actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false }), USERS])).rows[0]!.id;
    await client.pg.query(`INSERT INTO notifications (user_id, type, title, message, batch_id) SELECT id, 'SYSTEM', 'Planned maintenance', 'm', $1 FROM users`, [batch]);
    await client.pg.query(`
      INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id, attempts, claimed_until, sent_at)
      SELECT 'notification:' || n.id, 'notification', n.id, n.user_id, u.email, 's',
             CASE WHEN r % 10 < 5 THEN 'sent' ELSE 'sending' END, '<' || n.id || '@bench>', CASE WHEN r % 10 < 5 THEN 1 ELSE 0 END,
             CASE WHEN r % 10 >= 5 THEN now() - interval '1 millisecond' END, CASE WHEN r % 10 < 5 THEN now() END
      FROM (SELECT id, user_id, row_number() OVER (ORDER BY id) AS r FROM notifications WHERE batch_id = $1) n JOIN users u ON u.id = n.user_id
      WHERE r % 10 < 6`, [batch]);
    await client.pg.query('ANALYZE');
    const started = performance.now();
    const res = await fetch(`${url}/api/admin/notifications/batches/${batch}/recall`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const recallMs = round(performance.now() - started);
    const recalled = ((await res.json()) as { data: { recall: object } }).data;
    if (!res.ok) throw new Error(`recall: ${res.status} ${JSON.stringify(recalled)}`);
    log(`broadcasts: recall of ${USERS.toLocaleString('en')} rows in ${recallMs} ms`);

    const strip = ({ answer, ...timing }: { answer: unknown } & Record<string, unknown>) => ({ ...timing, answer });
    return {
      users: USERS, samples: SAMPLES,
      preview: { everyone: strip(preview.everyone), role: strip(preview.role), list10k: strip(preview.list10k) },
      recall: { rows: USERS, ms: recallMs, counts: recalled.recall },
      targets: { previewEveryoneP95Ms: 500, recallMs: 10_000 },
      pass: { preview: preview.everyone.p95Ms < 500, recall: recallMs < 10_000 },
    };
  } finally {
    await client.pg?.end().catch(() => undefined);
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

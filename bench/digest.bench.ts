import os from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { waitFor } from '../src/platform/net.js';
import { CountingSink } from './lib/counting-sink.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';
import { sendBare } from './lib/delivery-helpers.js';
import { intEnv } from './lib/env.js';

/**
 * bench:digest: a full daily digest run for BENCH_DIGEST_USERS DAILY users with 5 unread
 * notifications each, into an in-process SMTP sink, against the bare pooled nodemailer baseline
 * (TCP_NODELAY, 10 connections) sending as many messages in the same run. Target: < 60 s.
 */
const USERS = intEnv('BENCH_DIGEST_USERS', 100_000);
const PER_USER = 5;
const round = (n: number, d = 2) => Number(n.toFixed(d));

async function seed(url: string, runAt: Date): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query(`INSERT INTO users (email, name, role, password_hash)
      SELECT 'digest' || g || '@bench.local', 'Digest ' || g, 'VIEWER', 'x' FROM generate_series(1, $1) g`, [USERS]);
    await client.query(`INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency, email_enabled)
      SELECT id, ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','SYSTEM','MESSAGE','POST_ASSIGNED','POST_STATUS_CHANGED','BLOG'], 'DAILY', true FROM users`);
    await client.query(`INSERT INTO notifications (user_id, type, title, message, action_url, priority, created_at)
      SELECT u.id, (ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','MESSAGE']::notification_type[])[k], 'Update ' || k, 'Something happened on your account (' || k || ').',
             '/items/' || k, 'MEDIUM', $1::timestamptz - k * interval '1 hour'
      FROM users u CROSS JOIN generate_series(1, ${PER_USER}) k`, [runAt]);
    await client.query('VACUUM ANALYZE');
    log(`seeded ${USERS} users × ${PER_USER} notifications in ${round((performance.now() - started) / 1000)} s`);
  } finally {
    await client.end();
  }
}

async function main() {
  const prefix = `bdig${randomBytes(4).toString('hex')}`;
  const sink = await new CountingSink().start();
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  try {
    log(`baseline: bare pooled nodemailer, ${USERS} messages`);
    const bareSeconds = await sendBare(sink.url, USERS, { maxConnections: 10, inFlight: 20 });
    sink.reset();

    database = await createScratchDatabase(uniqueName('digest'));
    await migrate(database.url);
    const runAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await seed(database.url, runAt);
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: sink.url, PORT: '0', LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off', ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    }), { roles: ['worker'] });
    await app.start();

    log('digest run');
    const started = performance.now();
    const { runId, scanned } = await app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt, trigger: 'manual' });
    const fanoutSeconds = (performance.now() - started) / 1000;
    log(`fan-out enqueued ${scanned} jobs in ${round(fanoutSeconds)} s`);
    const done = await sink.waitFor('digests', USERS, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const settled = await waitFor(async () => {
      const c = await app!.queues.get('notification-digest').getJobCounts('waiting', 'active');
      return (c.waiting ?? 0) + (c.active ?? 0) === 0;
    }, 60_000, 200);
    const report = await app.services.digests.runReport(runId);
    const result = {
      benchmark: 'digest',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      dataset: { users: USERS, unreadPerUser: PER_USER },
      baseline: { emails: USERS, seconds: round(bareSeconds), emailsPerSec: Math.round(USERS / bareSeconds) },
      herald: {
        digests: sink.count, seconds: round(seconds), digestsPerSec: Math.round(sink.count / seconds), fanoutSeconds: round(fanoutSeconds),
        ratioToBaseline: round((sink.count / seconds) / (USERS / bareSeconds)), completed: done && settled, outcomes: report?.outcomes ?? {},
      },
      targets: { totalSeconds: 60 },
      pass: { totalSeconds: done && seconds < 60 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await sink.stop();
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});

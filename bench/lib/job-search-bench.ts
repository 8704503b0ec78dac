import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createLogger } from '../../src/platform/logger.js';
import { waitForQuiet } from './autocannon.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './database.js';
import { intEnv } from './env.js';
import { fillJobHistory } from './job-history-data.js';

/**
 * bench:admin's `search` part: GET /api/admin/jobs/search over BENCH_SEARCH_ROWS (1,000,000) job
 * history rows spread over 30 days (bench/lib/job-history-data.ts, set-based), with
 * BENCH_SEARCH_LIVE (200) jobs waiting in a queue (read by the live scan of every text search).
 * A mix of queries (a job id, a name, a uuid in the data, a word of a failure reason, a rare and
 * a common word, a phrase, with and without queue/state/time filters, browsing without q) is sent
 * BENCH_SEARCH_ROUNDS (20) times, one request at a time; p50/p95/p99 per kind and over the mix.
 * Target (issue 19): p95 < 50 ms.
 */
const ROWS = intEnv('BENCH_SEARCH_ROWS', 1_000_000);
const LIVE = intEnv('BENCH_SEARCH_LIVE', 200);
const ROUNDS = intEnv('BENCH_SEARCH_ROUNDS', 20);
const TARGET_P95_MS = 50;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const r = (n: number) => Number(n.toFixed(1));
  return { n: s.length, p50Ms: r(pct(s, 50)), p95Ms: r(pct(s, 95)), p99Ms: r(pct(s, 99)), maxMs: r(s.at(-1) ?? 0) };
};

/** The queries, by kind, with values read from the filled rows (so each finds something). */
async function queryMix(client: pg.Client): Promise<Record<string, string[]>> {
  const sample = (await client.query<{ job_id: string; uuid: string | null; name: string }>(
    `SELECT job_id, coalesce(data->>'assetId', data->>'entityId', data->'notificationIds'->>1, data->>'id') AS uuid, name
       FROM job_history TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT 40`)).rows;
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
  const q = (params: Record<string, string>) => `/api/admin/jobs/search?${new URLSearchParams(params)}`;
  return {
    jobId: sample.slice(0, 10).map((r) => q({ q: r.job_id })),
    name: ['WebhookDeliver', 'MediaScan', 'PreviewGenerate', 'DigestSend'].map((n) => q({ q: n })),
    dataUuid: sample.filter((r) => r.uuid).slice(10, 20).map((r) => q({ q: r.uuid! })),
    uuidPart: sample.filter((r) => r.uuid).slice(20, 25).map((r) => q({ q: r.uuid!.slice(0, 13) })),
    reasonWord: ['econnrefused', 'deadlock', 'moov', 'unavailable'].map((w) => q({ q: w })),
    reasonWords: ['smtp 421', 'ffmpeg code 1', 'econnrefused 587'].map((w) => q({ q: w })),
    rareWord: [q({ q: 'quasar' }), q({ q: 'capacitor misaligned' })],
    commonWord: [q({ q: 'asset' }), q({ q: 'notificationsdeliver' }), q({ q: 'upload' })],
    phrase: [q({ q: '"try again later"' }), q({ q: '"size limit exceeded"' })],
    filtered: [
      q({ q: 'timeout', queue: 'webhook-delivery', state: 'failed' }),
      q({ q: 'econnrefused', state: 'failed', from: weekAgo }),
      q({ q: 'asset', queue: 'media-scan', from: dayAgo }),
      q({ q: 'quasar', queue: 'notification-delivery', state: 'failed' }),
    ],
    browse: [
      q({ state: 'failed' }), q({ queue: 'media-scan', state: 'failed' }), q({ name: 'BlogPublish' }), q({}), q({ state: 'completed', from: dayAgo }),
      q({ state: 'failed', page: '50', pageSize: '100' }),
    ],
  };
}

export async function searchPart(): Promise<object> {
  const prefix = `bsrch${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  const client = { pg: null as pg.Client | null };
  try {
    database = await createScratchDatabase(uniqueName('admin_search'));
    await migrate(database.url);
    client.pg = new pg.Client({ connectionString: database.url });
    await client.pg.connect();
    log(`search: filling ${ROWS.toLocaleString('en')} history rows over 30 days`);
    const fillSeconds = await fillJobHistory(client.pg, ROWS, 30, new Date(), (day) => day % 10 === 0 && log(`search: ${day} days filled`));
    // What autovacuum does to a table that received this many rows: the GIN indexes' pending
    // lists merged, visibility map and statistics up to date.
    const vacuumStarted = performance.now();
    await client.pg.query('VACUUM ANALYZE job_history');
    const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    const sizes = (await client.pg.query<{ name: string; bytes: string }>(`
      SELECT coalesce(regexp_replace(ci.relname, '^job_history_p\\d{8}_', ''), 'table') AS name, sum(pg_relation_size(ci.oid))::text AS bytes
        FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid JOIN pg_class ci ON ci.oid = i.indexrelid
       WHERE h.inhparent = 'job_history'::regclass GROUP BY 1
      UNION ALL SELECT 'table', sum(pg_table_size(inhrelid))::text FROM pg_inherits WHERE inhparent = 'job_history'::regclass`)).rows;
    const mb = (b: string) => Number((Number(b) / 1_048_576).toFixed(1));

    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    }), { roles: ['api'], logger: createLogger('warn', process.stderr) });
    await app.start();
    // A backlog the live scan reads on every text search (no worker runs in this app).
    for (let i = 0; i < LIVE; i += 500) {
      await app.queues.get('notification-delivery').addBulk(Array.from({ length: Math.min(500, LIVE - i) }, () => ({
        name: 'NotificationsDeliver', data: { notificationIds: [crypto.randomUUID()] },
      })));
    }
    const { token } = await app.services.auth.login('admin@bench.local', 'bench-password', { ip: '127.0.0.1', userAgent: null });
    const headers = { authorization: `Bearer ${token}` };
    const mix = await queryMix(client.pg);
    const url = app.url!;
    const send = async (path: string) => {
      const started = performance.now();
      const res = await fetch(url + path, { headers });
      const body = (await res.json()) as { pagination?: { total: number }; totalExact?: boolean };
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, total: body.pagination!.total, exact: body.totalExact! };
    };
    // Warm-up: each query once (plans, caches), with what it found.
    const found: Record<string, Array<{ total: number; exact: boolean }>> = {};
    for (const [kind, paths] of Object.entries(mix)) found[kind] = await Promise.all(paths.map(async (p) => send(p).then(({ total, exact }) => ({ total, exact }))));
    const backgroundCpu = await waitForQuiet();
    if (backgroundCpu >= 0.15) log(`search: CPUs ${Math.round(backgroundCpu * 100)}% busy before the run — WARNING: the machine is shared and busy; figures will be high`);
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(mix).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, paths] of Object.entries(mix)) for (const p of paths) times[kind]!.push((await send(p)).ms);
    }
    const all = Object.values(times).flat();
    const overall = stats(all);
    log(`search: mix p50 ${overall.p50Ms} ms, p95 ${overall.p95Ms} ms, p99 ${overall.p99Ms} ms over ${overall.n} requests`);
    return {
      rows: ROWS, days: 30, liveWaiting: LIVE, liveScan: app.config.jobConsole.searchLiveScan, fillSeconds: Number(fillSeconds.toFixed(1)), vacuumSeconds: Number(vacuumSeconds.toFixed(1)),
      sizesMb: Object.fromEntries(sizes.map((s) => [s.name, mb(s.bytes)])),
      backgroundCpu: Number(backgroundCpu.toFixed(2)), rounds: ROUNDS,
      kinds: Object.fromEntries(Object.entries(times).map(([k, ms]) => [k, {
        ...stats(ms), totals: found[k]!.map((f) => (f.exact ? f.total : `${f.total}+`)),
      }])),
      mix: overall,
      targets: { p95Ms: TARGET_P95_MS }, pass: { p95: overall.p95Ms < TARGET_P95_MS },
    };
  } finally {
    await client.pg?.end().catch(() => undefined);
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { hashPassword } from '../src/platform/password.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { waitFor } from '../src/platform/net.js';
import { indexInTx } from '../src/search/search.enqueue.js';
import { ADMIN_URL, copyRows, createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';
import { intEnv } from './lib/env.js';
import { generate, queryKinds, querySet, sizesFor } from './lib/search-data.js';

/**
 * bench:search: BENCH_DOCS (1,000,000) documents over every entity type.
 * - the full reindex into an empty index, against a bare `INSERT … SELECT` of the same documents
 *   into a table with the same indexes, in the same run (ratio = reindex rate / bare rate);
 * - unified search latency over a fixed set of 200 queries, as a (non-admin) creator, through HTTP
 *   (target p95 < 15 ms);
 * - realtime lag: a committed update until the document answers the new word (target p95 < 1 s).
 * The query latency's same-run baseline is the bare GIN match of the same queries (the first 20
 * documents whose tsvector matches, no ranking, visibility, count or facets), straight over pg.
 * BENCH_SEARCH_DB=<name> reuses a database kept by an earlier run (BENCH_KEEP_DB) and measures only
 * the queries and the realtime lag: minutes of load and reindex less under the bench lock.
 */
const DOCS = intEnv('BENCH_DOCS', 1_000_000);
const REUSE = process.env.BENCH_SEARCH_DB;
const LAG_SAMPLES = intEnv('BENCH_LAG_SAMPLES', 200);

const pct = (sorted: number[], p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: Number(s[s.length - 1]!.toFixed(2)) };
};

async function load(url: string): Promise<void> {
  const data = generate(sizesFor(DOCS));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const copy = async (table: string, columns: string[], rows: Iterable<string>) => {
      const started = performance.now();
      const n = await copyRows(client, table, columns, rows);
      log(`${table}: ${n.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    };
    await copy('users', ['id', 'email', 'role', 'password_hash'], data.users());
    await copy('creators', ['id', 'user_id', 'stage_name', 'bio', 'specialties'], data.creatorRows());
    await copy('brands', ['id', 'user_id', 'company_name'], data.brandRows());
    await copy('projects', ['id', 'brand_id', 'title', 'description', 'status'], data.projectRows());
    await copy('ip_assets', ['id', 'creator_id', 'project_id', 'title', 'description', 'type', 'tags', 'status'], data.assetRows());
    await copy('licenses', ['id', 'asset_id', 'brand_id', 'status', 'terms', 'starts_at'], data.licenseRows());
    await copy('blog_posts', ['id', 'author_id', 'title', 'excerpt', 'content', 'status'], data.postRows());
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** The same documents with one statement into a table with the same indexes: the floor. */
async function bareRebuild(app: App): Promise<number> {
  const db = app.database.db;
  await sql`CREATE TABLE search_documents_bare (LIKE search_documents INCLUDING ALL)`.execute(db);
  const started = performance.now();
  await sql`INSERT INTO search_documents_bare SELECT *, now() FROM search_source`.execute(db);
  const seconds = (performance.now() - started) / 1000;
  await sql`DROP TABLE search_documents_bare`.execute(db);
  return seconds;
}

/** The floor: each query's bare GIN match, the first 20 documents, no rank, visibility, count or facets. */
async function bareMatchLatency(app: App): Promise<ReturnType<typeof stats>> {
  const db = app.database.db;
  const queries = querySet(200);
  const run = async (q: string) => {
    const started = performance.now();
    await sql`SELECT entity_type, entity_id FROM search_documents WHERE document @@ websearch_to_tsquery('english', ${q}) LIMIT 20`.execute(db);
    return performance.now() - started;
  };
  for (const q of queries.slice(0, 20)) await run(q);
  const timings: number[] = [];
  for (const q of queries) timings.push(await run(q));
  return stats(timings);
}

async function queryLatency(app: App, token: string): Promise<{
  all: ReturnType<typeof stats>; slowest: Record<string, number>; byKind: Record<string, ReturnType<typeof stats>>; totals: { median: number; max: number };
}> {
  const kinds = queryKinds(200);
  const queries = kinds.map(([, q]) => q);
  const run = async (q: string) => {
    const started = performance.now();
    const res = await fetch(`${app.url}/api/search/unified?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.json() as { data: { pagination: { total: number } } };
    if (res.status !== 200) throw new Error(`search ${q}: ${res.status}`);
    return { ms: performance.now() - started, total: body.data.pagination.total };
  };
  for (const q of queries.slice(0, 20)) await run(q); // warm-up: connections, plans, caches
  const timings: number[] = [];
  const totals: number[] = [];
  for (const q of queries) {
    const r = await run(q);
    timings.push(r.ms);
    totals.push(r.total);
  }
  const sortedTotals = [...totals].sort((a, b) => a - b);
  const slowest = queries.map((q, i) => [q, timings[i]!] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
  log(`slowest queries: ${slowest.map(([q, ms]) => `${q} (${ms.toFixed(1)} ms)`).join(', ')}`);
  // Per kind of query (querySet's proportions: 60 words, 50 two-word, 30 prefixes, 30 typos, 20 phrases, 10 exclusions).
  const byKind: Record<string, number[]> = {};
  for (const [i, [kind]] of kinds.entries()) (byKind[kind] ??= []).push(timings[i]!);
  return {
    all: stats(timings), slowest: Object.fromEntries(slowest.map(([q, ms]) => [q, Number(ms.toFixed(1))])),
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, t]) => [kind, stats(t)])), totals: { median: sortedTotals[100]!, max: sortedTotals[199]! },
  };
}

async function realtimeLag(app: App, assetIds: readonly string[]): Promise<ReturnType<typeof stats>> {
  const db = app.database.db;
  const lags: number[] = [];
  for (let i = 0; i < LAG_SAMPLES; i++) {
    const id = assetIds[(i * 7919) % assetIds.length]!;
    const token = `zqx${randomBytes(5).toString('hex').replace(/[0-9]/g, 'k')}`;
    await db.transaction().execute(async (tx) => {
      await sql`UPDATE ip_assets SET description = description || ' ' || ${token}, version = version + 1, updated_at = now() WHERE id = ${id}`.execute(tx);
      await indexInTx(tx, 'asset', id);
    });
    const committed = performance.now();
    const found = await waitFor(async () => (await sql`SELECT 1 FROM search_documents WHERE entity_type = 'asset' AND entity_id = ${id}
      AND document @@ to_tsquery('english', ${token})`.execute(db)).rows.length > 0, 10_000, 2);
    if (!found) throw new Error(`update ${i} not searchable within 10 s`);
    lags.push(performance.now() - committed);
  }
  return stats(lags);
}

/** The bare rebuild, the full reindex into the empty index and a no-drift re-run, with their ratio. */
async function rebuildPhase(app: App) {
  log('bare INSERT … SELECT rebuild');
  const bareSeconds = await bareRebuild(app);
  log(`bare: ${bareSeconds.toFixed(1)} s`);
  log('full reindex into the empty index');
  const reindex = await app.services.search.index.reindex('bench', async (p) => {
    if (p.processed % 100_000 < 5_000) log(`reindex ${p.entityType}: ${p.processed.toLocaleString('en')}/${p.total.toLocaleString('en')}`);
  });
  const reindexSeconds = reindex.durationMs / 1000;
  await sql`VACUUM ANALYZE search_documents`.execute(app.database.db);
  const steady = await app.services.search.index.reindex('bench-no-drift');
  const bareRate = reindex.documents / bareSeconds;
  const reindexRate = reindex.documents / reindexSeconds;
  return {
    seconds: Number(reindexSeconds.toFixed(1)), docsPerSec: Math.round(reindexRate), added: reindex.added,
    bareInsertSelectSeconds: Number(bareSeconds.toFixed(1)), bareDocsPerSec: Math.round(bareRate), ratioToBare: Number((reindexRate / bareRate).toFixed(3)),
    noDriftRerunSeconds: Number((steady.durationMs / 1000).toFixed(1)), noDriftRerunDrift: steady.added + steady.fixed + steady.removed,
  };
}

async function main() {
  const prefix = `bsrch${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  try {
    if (REUSE) {
      const url = new URL(ADMIN_URL);
      url.pathname = `/${REUSE}`;
      database = { name: REUSE, url: url.toString(), drop: async () => undefined };
      await migrate(database.url);
    } else {
      database = await createScratchDatabase(uniqueName('search'));
      await migrate(database.url);
      const loadStarted = performance.now();
      await load(database.url);
      log(`loaded ${DOCS.toLocaleString('en')} entities in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    }
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password', OUTBOX_POLL_MS: '50',
    }), { logger: createLogger('warn', process.stderr) });
    await app.start();

    const rebuild = REUSE ? null : await rebuildPhase(app);

    const user = await app.database.db.selectFrom('users').select('email').where('role', '=', 'CREATOR').limit(1).executeTakeFirstOrThrow();
    await app.database.db.updateTable('users').set({ password_hash: await hashPassword('bench-password') }).where('email', '=', user.email).execute();
    const { token } = await app.services.auth.login(user.email, 'bench-password', { ip: '127.0.0.1', userAgent: null });
    log('query latency (200 queries)');
    const latency = await queryLatency(app, token);
    log('bare match latency (the same 200 queries)');
    const bareMatch = await bareMatchLatency(app);
    log('realtime lag');
    const assets = await app.database.db.selectFrom('ip_assets').select('id').limit(10_000).execute();
    const lag = await realtimeLag(app, assets.map((a) => a.id));

    const documents = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_documents`.execute(app.database.db)).rows[0]!.n;
    process.stdout.write(`${JSON.stringify({
      benchmark: 'search', date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version },
      documents, reusedDatabase: REUSE ? true : undefined,
      unifiedSearchMs: { ...latency.all, slowest: latency.slowest, byKind: latency.byKind, matches: latency.totals },
      bareMatchMs: bareMatch, unifiedToBareMatchP95: Number((latency.all.p95 / bareMatch.p95).toFixed(2)),
      realtimeLagMs: lag,
      reindex: rebuild ?? undefined,
      targets: { searchP95Ms: 15, searchP99Ms: 40, realtimeLagP95Ms: 1000 },
      pass: { search: latency.all.p95 < 15 && latency.all.p99 < 40, realtime: lag.p95 < 1000 },
    }, null, 2)}\n`);
  } finally {
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    if (process.env.BENCH_KEEP_DB || REUSE) log(`kept database ${database?.name}`);
    else await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { Metrics } from '../../src/platform/metrics.js';
import { waitFor } from '../../src/platform/net.js';
import { JobHistoryWriter, type JobHistoryWriterDeps } from '../../src/platform/queue/job-history.js';
import { jobHistoryRow, type JobHistoryRow } from '../../src/platform/queue/job-history.rules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';

/**
 * The writer's failure modes against a real PostgreSQL reached through a proxy the test cuts:
 * an outage within the buffer's bound loses nothing, one past it drops the oldest and counts
 * them, a missing partition is made on demand, a row PostgreSQL refuses is dropped alone, and
 * shutdown with PostgreSQL away is bounded.
 */
let t: TestApp;
let proxy: CuttableProxy;
let handle: DbHandle;
let isCut = false;
const cut = async () => { isCut = true; await proxy.cut(); };
const restore = async () => { if (isCut) await proxy.restore(); isCut = false; };
const writers: JobHistoryWriter[] = [];

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  const target = new URL(t.databaseUrl);
  proxy = await new CuttableProxy(target.hostname, Number(target.port || 5432)).start();
  handle = createDb(Object.assign(new URL(t.databaseUrl), { port: String(proxy.port) }).toString(), { max: 2 });
});
afterEach(async () => {
  await restore();
  for (const w of writers.splice(0)) await w.close();
});
afterAll(async () => {
  await handle.close();
  await proxy.close();
  await t.close();
});

const writer = (over: Partial<JobHistoryWriterDeps> = {}) => {
  const w = new JobHistoryWriter({ db: handle.db, log: createLogger('silent'), flushMs: 30, batch: 100, bufferMax: 1_000, dataMaxBytes: 8_192, ...over });
  writers.push(w);
  w.start();
  return w;
};

/** A row as record() makes it, for job `id` finished at `at`. */
const row = (id: string, at = Date.now()): JobHistoryRow => jobHistoryRow({
  queue: 'notification-delivery', state: 'completed', worker: 'w-test', result: 'ok',
  job: { id, name: 'NotificationsDeliver', data: { notificationIds: [id] }, timestamp: at - 10, opts: {}, processedOn: at - 5, finishedOn: at, attemptsMade: 1 },
}, 8_192, at);

const idsLike = async (prefix: string) => (await t.app.database.db.selectFrom('job_history').select('job_id')
  .where('job_id', 'like', `${prefix}%`).orderBy('id').execute()).map((r) => r.job_id);
const until = async (check: () => Promise<boolean> | boolean, what: string, ms = 15_000) => {
  if (!(await waitFor(async () => check(), ms, 20))) throw new Error(`timed out waiting for ${what}`);
};

describe('JobHistoryWriter', () => {
  it('makes today\'s and tomorrow\'s partitions when it starts', async () => {
    writer();
    const day = (ms: number) => `job_history_p${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;
    const exists = async (name: string) => (await sql<{ r: string | null }>`SELECT to_regclass(${name})::text AS r`.execute(t.app.database.db)).rows[0]!.r !== null;
    await until(async () => (await exists(day(Date.now()))) && (await exists(day(Date.now() + 86_400_000))), 'the partitions');
  });

  it('keeps outcomes while PostgreSQL is unreachable and writes them all, once, when it is back', async () => {
    const w = writer();
    for (let i = 0; i < 50; i++) w.push(row(`outage-a-${i}`));
    await until(() => w.stats.written === 50 && w.pending === 0, 'the first 50');
    await cut();
    for (let i = 0; i < 300; i++) w.push(row(`outage-b-${i}`));
    // Several rounds tried and failed while it was away; nothing reached the table.
    await until(() => w.stats.failedWrites >= 3, 'failed writes');
    expect(w.pending).toBe(300);
    expect(await idsLike('outage-b-')).toEqual([]);
    await restore();
    await until(() => w.pending === 0, 'the buffer to drain');
    const ids = await idsLike('outage-b-');
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => `outage-b-${i}`)); // all, in order, none twice
    expect(w.stats.dropped).toBe(0);
  });

  it('past its bound drops the oldest outcomes and counts them', async () => {
    const metrics = new Metrics({ queues: t.app.queues });
    const w = writer({ bufferMax: 100, metrics });
    await cut();
    // The first 100 are a full batch: its write is under way (and fails) while the other 50 arrive.
    for (let i = 0; i < 150; i++) w.push(row(`bound-${i}`));
    await until(() => w.stats.failedWrites >= 1, 'the failed write');
    expect(w.pending).toBe(100);
    expect(w.stats.dropped).toBe(50);
    expect(await metrics.render()).toContain('herald_job_history_dropped_total{queue="notification-delivery",reason="buffer-full"} 50');
    await restore();
    await until(() => w.pending === 0, 'the buffer to drain');
    expect(await idsLike('bound-')).toEqual(Array.from({ length: 100 }, (_, i) => `bound-${i + 50}`));
  });

  it('makes a missing day\'s partition on demand', async () => {
    const w = writer();
    const at = Date.UTC(2031, 0, 1, 12);
    w.push(row('future-1', at));
    await until(() => w.pending === 0, 'the write');
    const [stored] = await t.app.database.db.selectFrom('job_history').select(['job_id', 'finished_at']).where('job_id', '=', 'future-1').execute();
    expect(stored!.finished_at.getTime()).toBe(at);
    const { rows } = await sql<{ r: string | null }>`SELECT to_regclass('job_history_p20310101')::text AS r`.execute(t.app.database.db);
    expect(rows[0]!.r).toBe('job_history_p20310101');
  });

  it('drops only the row PostgreSQL refuses; the rest of its batch is written', async () => {
    const metrics = new Metrics({ queues: t.app.queues });
    const w = writer({ metrics, flushMs: 600_000, batch: 3 });
    w.push(row('refuse-ok-1'));
    w.push({ ...row('refuse-bad'), data: '{"broken":' });
    w.push(row('refuse-ok-2'));
    await until(() => w.pending === 0 && w.stats.dropped === 1, 'the batch');
    expect(await idsLike('refuse-')).toEqual(['refuse-ok-1', 'refuse-ok-2']);
    expect(await metrics.render()).toContain('herald_job_history_dropped_total{queue="notification-delivery",reason="invalid"} 1');
  });

  it('stores a payload with NUL and lone surrogates (PostgreSQL refuses both as they come)', async () => {
    const w = writer();
    const at = Date.now();
    w.record({
      queue: 'notification-delivery', state: 'failed', worker: 'w', error: { message: 'x' },
      job: { id: 'nul-1', name: 'NotificationsDeliver', data: { text: 'a\u0000b', ['k\u0000']: '\ud800' }, timestamp: at, opts: {}, processedOn: at, finishedOn: at, attemptsMade: 1, failedReason: 'bad\u0000reason', stacktrace: ['Error: \u0000'] },
    });
    await until(() => w.pending === 0, 'the write');
    const [stored] = await t.app.database.db.selectFrom('job_history').selectAll().where('job_id', '=', 'nul-1').execute();
    expect(stored).toMatchObject({ data: { text: 'ab', k: '\ufffd' }, failed_reason: 'badreason', stacktrace: 'Error: ' });
    expect(w.stats.dropped).toBe(0);
  });

  it('writes a full batch at once, without waiting for the tick', async () => {
    const w = writer({ flushMs: 600_000, batch: 25 });
    for (let i = 0; i < 60; i++) w.push(row(`batch-${i}`));
    await until(() => w.stats.written === 50, 'two full batches');
    expect(w.stats.flushes).toBe(2);
    expect(w.pending).toBe(10); // less than a batch waits for the tick (or close)
    await w.close();
    expect(await idsLike('batch-')).toHaveLength(60);
  });

  it('writes an outcome once when its batch is written again (a commit whose answer was lost is retried)', async () => {
    const w = writer({ flushMs: 600_000, batch: 3 });
    const at = Date.now();
    const rows = [row('again-1', at), row('again-2', at), row('again-3', at)];
    for (const r of rows) w.push(r);
    await until(() => w.stats.written === 3, 'the first write');
    // The retry of the same rows, as the writer makes it when PostgreSQL's answer never came.
    for (const r of rows) w.push(r);
    await until(() => w.stats.flushes === 2, 'the second write');
    await w.close();
    expect(await idsLike('again-')).toEqual(['again-1', 'again-2', 'again-3']);
  });

  it('gives up a final write after its bound when PostgreSQL is away, counting what it lost', async () => {
    const metrics = new Metrics({ queues: t.app.queues });
    const w = writer({ metrics, closeTimeoutMs: 300, flushMs: 600_000 });
    await cut();
    for (let i = 0; i < 10; i++) w.push(row(`lost-${i}`));
    const started = Date.now();
    await w.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(w.stats.dropped).toBe(10);
    expect(await metrics.render()).toContain('herald_job_history_dropped_total{queue="notification-delivery",reason="shutdown"} 10');
    w.push(row('after-close'));
    expect(w.pending).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { searchText } from '../../src/platform/queue/job-history.rules.js';
import type { QueueName } from '../../src/platform/queue/registry.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';
import { word } from './search.fixtures.js';

// The API alone: no worker of the app's runs, so a job added to a queue stays waiting (live), and
// history rows are inserted as the writer would (its searchText), each test with words of its own.
const LIVE_SCAN = 40;
const CAP = 200;
let t: TestApp;
let admin: Session;
let connection: RedisClient;

beforeAll(async () => {
  t = await createTestApp({ JOB_SEARCH_LIVE_SCAN: String(LIVE_SCAN), JOB_SEARCH_COUNT_CAP: String(CAP), RATE_LIMIT_OVERRIDES: 'admin.jobs=100000' }, { roles: ['api'] });
  admin = await t.admin();
  connection = testRedis({ maxRetriesPerRequest: null });
});
afterAll(async () => {
  await t.close();
  await connection.quit();
});

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Math.floor((Date.now() - ms) / 1000) * 1000);

interface Row {
  queue: QueueName;
  id?: string;
  name?: string;
  state?: 'completed' | 'failed';
  data?: unknown;
  reason?: string | null;
  finishedAt: Date;
}

/** History rows as the writer makes them (the day's partition first). */
async function history(rows: Row[]): Promise<Array<Row & { id: string }>> {
  const db = t.app.database.db;
  const days = new Set(rows.map((r) => r.finishedAt.toISOString().slice(0, 10)));
  for (const day of days) await sql`SELECT job_history_ensure_partition(${day}::date)`.execute(db);
  const full = rows.map((r) => ({ ...r, id: r.id ?? randomUUID() }));
  await db.insertInto('job_history').values(full.map((r) => {
    const name = r.name ?? 'Work';
    const reason = r.reason ?? (r.state === 'failed' ? 'failed' : null);
    return {
      queue: r.queue, job_id: r.id, name, state: r.state ?? 'completed', data: JSON.stringify(r.data ?? {}), return_summary: null, failed_reason: reason,
      stacktrace: null, attempts: 1, created_at: new Date(r.finishedAt.getTime() - 2_000), processed_at: new Date(r.finishedAt.getTime() - 1_000),
      finished_at: r.finishedAt, wait_ms: 1_000, run_ms: 1_000, worker: 'test-worker', schedule_id: null, search_text: searchText(r.id, name, reason, r.data ?? {}),
    };
  })).execute();
  return full;
}

const search = async (query: Record<string, string | string[]>, as: Session | null = admin) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of [v].flat()) params.append(k, one);
  return t.call('GET', `/api/admin/jobs/search?${params}`, as ? { as } : {});
};
const ids = (body: { data: Array<{ queue: string; id: string; source: string }> }) => body.data.map((h) => `${h.source}:${h.queue}:${h.id}`);

async function live(queue: QueueName, data: unknown, opts: { jobId?: string; name?: string; timestamp?: number } = {}) {
  const job = await t.app.queues.get(queue).add(opts.name ?? 'Work', data, { jobId: opts.jobId, timestamp: opts.timestamp });
  return job.id!;
}

/** Runs one queue's waiting jobs with a worker of the test's: a job whose data has `fail` fails for good. */
async function runOnce(queue: QueueName, until: () => Promise<boolean>) {
  const w = new Worker(bullQueueName(queue), async (job) => {
    if ((job.data as { fail?: string }).fail) throw new UnrecoverableError((job.data as { fail: string }).fail);
    return 'ok';
  }, { connection, prefix: t.prefix });
  try {
    expect(await waitFor(until, 20_000)).toBe(true);
  } finally {
    await w.close();
  }
}

describe('what each kind of q finds', () => {
  it('a job id: exactly that job in every queue, live and history', async () => {
    const id = randomUUID();
    await history([{ queue: 'webhook-delivery', id, name: 'WebhookDeliver', finishedAt: ago(HOUR) }, { queue: 'media-scan', finishedAt: ago(HOUR) }]);
    await live('search-index-update', { entityType: 'asset', entityId: randomUUID() }, { jobId: id });
    const res = await search({ q: id });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([`live:search-index-update:${id}`, `history:webhook-delivery:${id}`]);
    expect(res.body.data[0]).toMatchObject({ state: 'waiting', source: 'live', name: 'Work', finishedOn: null });
    expect(res.body.data[1]).toMatchObject({ state: 'completed', source: 'history', name: 'WebhookDeliver', worker: 'test-worker', durationMs: 1_000 });
    expect(res.body).toMatchObject({ pagination: { page: 1, pageSize: 20, total: 2, totalPages: 1 }, totalExact: true, facets: { queue: { 'search-index-update': 1, 'webhook-delivery': 1 }, state: { waiting: 1, completed: 1 } } });
  });

  it('a name: the jobs of that name, not others', async () => {
    const name = `Job${word()}`;
    const rows = await history([{ queue: 'media-scan', name, finishedAt: ago(HOUR) }, { queue: 'media-scan', name: 'MediaScan', finishedAt: ago(HOUR) }]);
    const liveId = await live('media-thumbnail', {}, { name });
    const res = await search({ q: name });
    expect(ids(res.body).sort()).toEqual([`history:media-scan:${rows[0]!.id}`, `live:media-thumbnail:${liveId}`].sort());
  });

  it('a uuid in the data (whole or a part), live and history', async () => {
    const uuid = randomUUID();
    const rows = await history([
      { queue: 'notification-delivery', data: { notificationIds: [randomUUID(), uuid] }, finishedAt: ago(2 * HOUR) },
      { queue: 'notification-delivery', data: { notificationIds: [randomUUID()] }, finishedAt: ago(2 * HOUR) },
    ]);
    const liveId = await live('notification-delivery', { notificationIds: [uuid] });
    expect(ids((await search({ q: uuid })).body)).toEqual([`live:notification-delivery:${liveId}`, `history:notification-delivery:${rows[0]!.id}`]);
    // The uuid's last group, upper-cased: a substring, case-insensitively.
    expect(ids((await search({ q: uuid.slice(24).toUpperCase() })).body)).toEqual([`live:notification-delivery:${liveId}`, `history:notification-delivery:${rows[0]!.id}`]);
  });

  it('words of a failure reason: in any order (full text), or part of a word (substring), honouring websearch syntax', async () => {
    const [a, b] = [word(), word()];
    const rows = await history([
      { queue: 'webhook-delivery', state: 'failed', reason: `endpoint ${a} refused the ${b} delivery`, finishedAt: ago(3 * HOUR) },
      { queue: 'webhook-delivery', state: 'failed', reason: `endpoint ${a} timed out`, finishedAt: ago(3 * HOUR) },
      { queue: 'webhook-delivery', state: 'completed', data: { note: `${b} only` }, finishedAt: ago(3 * HOUR) },
    ]);
    const [both, onlyA, onlyB] = rows.map((r) => `history:webhook-delivery:${r.id}`);
    expect(ids((await search({ q: `${b} ${a}` })).body)).toEqual([both]);
    expect(ids((await search({ q: a })).body).sort()).toEqual([both, onlyA].sort());
    expect(ids((await search({ q: a.slice(2, 7) })).body).sort()).toEqual([both, onlyA].sort());
    expect(ids((await search({ q: `${a} -${b}` })).body)).toEqual([onlyA]);
    expect(ids((await search({ q: `"${a} timed"` })).body)).toEqual([onlyA]);
    expect(ids((await search({ q: `"${b} ${a}"` })).body)).toEqual([]);
    expect(ids((await search({ q: `${a} or ${b}` })).body).sort()).toEqual([both, onlyA, onlyB].sort());
  });

  it('numbers and ids beside words must be there too (job_search keeps words only)', async () => {
    const a = word();
    const rows = await history([
      { queue: 'webhook-delivery', state: 'failed', reason: `${a} refused with code 77123 by 10.0.3.12`, finishedAt: ago(HOUR) },
      { queue: 'webhook-delivery', state: 'failed', reason: `${a} refused with code 99999 by 10.0.3.13`, finishedAt: ago(HOUR) },
    ]);
    // Not adjacent in the text, so only the full-text branch can find it; read as its words alone it would find both.
    expect(ids((await search({ q: `77123 ${a}` })).body)).toEqual([`history:webhook-delivery:${rows[0]!.id}`]);
    expect(ids((await search({ q: `${a} 10.0.3.13` })).body)).toEqual([`history:webhook-delivery:${rows[1]!.id}`]);
    // One token (no space) is taken as written: a substring, which this is not.
    expect(ids((await search({ q: `${a}-77123` })).body)).toEqual([]);
    // A number is a whole token: 7712 is not in 77123, 10.0.3.1 not in 10.0.3.12.
    expect(ids((await search({ q: `${a} 7712` })).body)).toEqual([]);
    expect(ids((await search({ q: `${a} 10.0.3.1` })).body)).toEqual([]);
  });
});

describe('live and history merged', () => {
  it('a failed job still in Redis and in history is one result; once retried, its live state', async () => {
    const id = `merge-${randomUUID()}`;
    await live('media-thumbnail', { fail: `thumb ${word()}` }, { jobId: id });
    const q = t.app.queues.get('media-thumbnail');
    await runOnce('media-thumbnail', async () => (await q.getJobState(id)) === 'failed');
    const job = (await q.getJob(id))!;
    await history([{ queue: 'media-thumbnail', id, state: 'failed', reason: job.failedReason, data: job.data, finishedAt: new Date(job.finishedOn!) }]);

    const failed = await search({ q: id });
    expect(failed.body.data).toHaveLength(1);
    expect(failed.body.data[0]).toMatchObject({ id, source: 'history', state: 'failed', worker: 'test-worker' });
    expect(failed.body.pagination.total).toBe(1);

    await job.retry('failed');
    const retried = await search({ q: id });
    expect(retried.body.data).toHaveLength(1);
    expect(retried.body.data[0]).toMatchObject({ id, source: 'live', state: 'waiting' });
    expect(retried.body).toMatchObject({ pagination: { total: 1 }, facets: { state: { waiting: 1 } } });
    // Found by its text (the live scan) rather than its id: still one result.
    const byText = await search({ q: (job.data as { fail: string }).fail });
    expect(ids(byText.body)).toEqual([`live:media-thumbnail:${id}`]);
  });

  it('a job completed in Redis that history does not hold yet is shown live', async () => {
    const id = `done-${randomUUID()}`;
    await live('blog-publish', { postId: randomUUID() }, { jobId: id });
    const q = t.app.queues.get('blog-publish');
    await runOnce('blog-publish', async () => (await q.getJobState(id)) === 'completed');
    const res = await search({ q: id });
    expect(res.body.data).toEqual([expect.objectContaining({ id, source: 'live', state: 'completed', durationMs: expect.any(Number) })]);
  });

  it('pages cut one order, newest first, live and history interleaved, ties included, without repeats or gaps', async () => {
    const w = word();
    const base = Date.now() - 5 * HOUR;
    // 30 history rows, every third pair at the same instant; 6 live jobs stamped between them.
    await history(Array.from({ length: 30 }, (_, i) => ({ queue: i % 2 ? 'media-scan' as const : 'webhook-delivery' as const, data: { w }, finishedAt: new Date(base + Math.floor(i / 3) * 60_000) })));
    for (let i = 0; i < 6; i++) await live('search-index-update', { w }, { timestamp: base + i * 90_000 + 30_000 });
    const all = await search({ q: w, pageSize: '100' });
    expect(all.body.pagination).toEqual({ page: 1, pageSize: 100, total: 36, totalPages: 1 });
    const times = all.body.data.map((h: { source: string; timestamp: number; finishedOn: number }) => (h.source === 'live' ? h.timestamp : h.finishedOn));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const paged: string[] = [];
    for (let page = 1; page <= 6; page++) {
      const res = await search({ q: w, pageSize: '7', page: String(page) });
      expect(res.body.pagination).toEqual({ page, pageSize: 7, total: 36, totalPages: 6 });
      paged.push(...ids(res.body));
    }
    expect(paged).toEqual(ids(all.body));
    expect(new Set(paged).size).toBe(36);
    expect((await search({ q: w, page: '7', pageSize: '7' })).body).toMatchObject({ data: [], pagination: { total: 36 } });
    // Facets add up to the total when it is exact.
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(all.body.totalExact).toBe(true);
    expect(all.body.facets).toEqual({ queue: { 'media-scan': 15, 'webhook-delivery': 15, 'search-index-update': 6 }, state: { completed: 30, waiting: 6 } });
    expect(sum(all.body.facets.queue)).toBe(36);
    expect(sum(all.body.facets.state)).toBe(36);
  });
});

describe('filters', () => {
  it('queue (one, or several repeated), state (history or live), name, from/to', async () => {
    const w = word();
    const day = new Date(Date.now() - 2 * 86_400_000);
    const dayIso = day.toISOString().slice(0, 10);
    const rows = await history([
      { queue: 'media-scan', name: 'MediaScan', state: 'failed', data: { w }, finishedAt: new Date(`${dayIso}T10:00:00Z`) },
      { queue: 'media-scan', name: 'MediaFilesDelete', data: { w }, finishedAt: ago(HOUR) },
      { queue: 'webhook-delivery', name: 'WebhookDeliver', data: { w }, finishedAt: ago(HOUR) },
    ]);
    const waiting = await live('blog-publish', { w }, { name: 'BlogPublish' });
    const [scanFailed, scanDelete, hook] = rows.map((r) => `history:${r.queue}:${r.id}`);
    const liveOne = `live:blog-publish:${waiting}`;
    const found = async (query: Record<string, string | string[]>) => ids((await search({ q: w, ...query })).body).sort();
    expect(await found({ queue: 'media-scan' })).toEqual([scanFailed, scanDelete].sort());
    expect(await found({ queue: ['media-scan', 'blog-publish'] })).toEqual([scanFailed, scanDelete, liveOne].sort());
    expect(await found({ queue: 'webhook-delivery,blog-publish' })).toEqual([hook, liveOne].sort());
    expect(await found({ state: 'failed' })).toEqual([scanFailed]);
    expect(await found({ state: 'waiting' })).toEqual([liveOne]);
    expect(await found({ state: ['completed', 'waiting'] })).toEqual([scanDelete, hook, liveOne].sort());
    expect(await found({ state: 'delayed' })).toEqual([]);
    expect(await found({ name: 'MediaFilesDelete' })).toEqual([scanDelete]);
    expect(await found({ name: 'BlogPublish' })).toEqual([liveOne]);
    expect(await found({ name: 'mediafilesdelete' })).toEqual([]);
    // A date `to` is its whole day; live jobs go by their timestamp (now).
    expect(await found({ from: dayIso, to: dayIso })).toEqual([scanFailed]);
    expect(await found({ to: `${dayIso}T09:59:59.999Z` })).toEqual([]);
    expect(await found({ from: new Date(Date.now() - 2 * HOUR).toISOString() })).toEqual([scanDelete, hook, liveOne].sort());
    // Without q: the filters alone (browsing).
    const browse = await search({ queue: 'media-scan', state: 'failed', from: dayIso, to: dayIso });
    expect(ids(browse.body)).toEqual([scanFailed]);
  });

  it('the live scan reads at most JOB_SEARCH_LIVE_SCAN jobs per queue and state, and says so', async () => {
    const w = word();
    await t.app.queues.get('analytics-enrichment').addBulk(Array.from({ length: LIVE_SCAN + 5 }, () => ({
      name: 'AnalyticsEnrich', data: { w, fromId: '1', toId: '2', from: 'a', to: 'b' },
    })));
    const res = await search({ q: w, queue: 'analytics-enrichment', pageSize: '100' });
    expect(res.body).toMatchObject({ live: { scanned: LIVE_SCAN, truncated: true }, totalExact: false, pagination: { total: LIVE_SCAN } });
    // Completed and failed come from history: no live read at all.
    expect((await search({ q: w, queue: 'analytics-enrichment', state: 'failed' })).body).toMatchObject({ live: { scanned: 0, truncated: false }, totalExact: true, data: [] });
  });
});

describe('counting is capped', () => {
  it('past JOB_SEARCH_COUNT_CAP history matches the total and facets count the newest that many and say they are not exact', async () => {
    const w = word();
    const db = t.app.database.db;
    const now = Date.now();
    await sql`SELECT job_history_ensure_partition(${new Date(now).toISOString().slice(0, 10)}::date)`.execute(db);
    await sql`SELECT job_history_ensure_partition(${new Date(now - 86_400_000).toISOString().slice(0, 10)}::date)`.execute(db);
    // CAP + 50 rows over the last 20 hours (across several of the search's slices), the 50 oldest in another queue.
    const n = CAP + 50;
    await sql`
      INSERT INTO job_history (queue, job_id, name, state, data, attempts, created_at, finished_at, search_text)
      SELECT CASE WHEN g <= 50 THEN 'media-scan' ELSE 'webhook-delivery' END, 'cap-' || g, 'Work', 'completed', '{}', 1,
        to_timestamp((${now}::bigint - 72000000 + g * (72000000 / ${n}::int)) / 1000.0), to_timestamp((${now}::bigint - 72000000 + g * (72000000 / ${n}::int)) / 1000.0),
        'cap-' || g || ' work ' || ${w}
      FROM generate_series(1, ${n}::int) g`.execute(db);
    const res = await search({ q: w, pageSize: '100' });
    expect(res.body).toMatchObject({ totalExact: false, pagination: { total: CAP, totalPages: CAP / 100 }, facets: { queue: { 'webhook-delivery': CAP }, state: { completed: CAP } } });
    expect(res.body.data.map((h: { id: string }) => h.id)).toEqual(Array.from({ length: 100 }, (_, i) => `cap-${n - i}`));
    const last = await search({ q: w, pageSize: '100', page: String(CAP / 100) });
    expect(last.body.data.at(-1).id).toBe(`cap-${n - CAP + 1}`);
    expect((await search({ q: w, pageSize: '100', page: String(CAP / 100 + 1) })).body.data).toEqual([]);
    // Narrowed under the cap: exact again, the other queue's 50 included.
    expect((await search({ q: w, queue: 'media-scan' })).body).toMatchObject({ totalExact: true, pagination: { total: 50 } });
  });
});

describe('hostile input', () => {
  it('LIKE and tsquery characters are plain text; a q without three letters or digits in a row matches by id and words only', async () => {
    const w = word();
    const rows = await history([
      { queue: 'media-scan', data: { note: `${w} 100% done a_b c:\\temp` }, finishedAt: ago(HOUR) },
      { queue: 'media-scan', data: { note: `${w} 1000 done axb c:xtemp` }, finishedAt: ago(HOUR) },
    ]);
    const first = [`history:media-scan:${rows[0]!.id}`];
    expect(ids((await search({ q: `${w} 100%` })).body)).toEqual(first);
    expect(ids((await search({ q: `${w} 100% done a_b` })).body)).toEqual(first);
    expect(ids((await search({ q: 'c:\\temp' })).body)).toEqual(first);
    for (const q of ["'", '"', '\\', '%', '_', '%%%', "a' & !b | (c", ')(:*&|!<->', '""', '-', 'or', '--', "'); DROP TABLE job_history; --", '\u00e9\u00e8 \u{1F600}']) {
      const res = await search({ q });
      expect(res.status, q).toBe(200);
      expect(res.body.success, q).toBe(true);
    }
  });

  it('q longer than 400 characters, NUL, repeated single parameters, unknown values and from after to are 400', async () => {
    expect((await search({ q: 'x'.repeat(400) })).status).toBe(200);
    const bad: Array<Record<string, string | string[]>> = [
      { q: 'x'.repeat(401) }, { q: 'x'.repeat(10_000) }, { q: 'a\u0000b' }, { q: ['a', 'b'] }, { name: ['a', 'b'] }, { name: 'a\u0000' },
      { queue: 'no-such-queue' }, { queue: ['media-scan', 'nope'] }, { state: 'stalled' }, { from: 'yesterday' }, { to: '2025-02-30T00:00:00Z' },
      { from: '2025-10-19', to: '2025-10-18' }, { from: '2025-10-18T12:00:00Z', to: '2025-10-18T11:00:00Z' }, { from: ['2025-10-18', '2025-10-19'] },
      { pageSize: '101' }, { page: '0' }, { page: ['1', '2'] }, { sort: 'asc' },
    ];
    for (const query of bad) {
      const res = await search(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters' });
    }
    // The same day as from and to (a date to is its end) is fine.
    expect((await search({ from: '2025-10-18T12:00:00Z', to: '2025-10-18' })).status).toBe(200);
  });

  it('a q naming a queue\'s own key is not read as a job', async () => {
    await live('media-scan', { x: 1 });
    for (const q of ['wait', 'meta', 'events', 'id', 'outbox-epoch', '1:logs', 'prioritized', 'stalled-check']) {
      const res = await search({ q });
      expect(res.status, q).toBe(200);
    }
  });

  it('admins only: anonymous 401, other roles 403', async () => {
    expect((await search({ q: 'x' }, null))).toMatchObject({ status: 401, body: { success: false, error: 'Unauthorized' } });
    const viewer = await t.user('VIEWER');
    expect((await search({ q: 'x' }, viewer))).toMatchObject({ status: 403, body: { success: false, error: 'Forbidden: Admin access required' } });
  });
});

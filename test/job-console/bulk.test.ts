import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditRepository } from '../../src/admin/audit.repository.js';
import { BulkService } from '../../src/job-console/bulk.service.js';
import { waitFor } from '../../src/platform/net.js';
import { OutboxRelay } from '../../src/platform/queue/outbox.js';
import { Queues } from '../../src/platform/queue/queues.js';
import type { QueueName } from '../../src/platform/queue/registry.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { createTestApp, deleteRedisPrefix, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

// The API alone (no workers of the app's, no schedulers): each test runs a worker of its own on
// the app's Redis prefix, so the jobs fail, run or wait exactly as the test has them.
const PAGE = 10;
let t: TestApp;
let admin: Session;
let connection: RedisClient;

beforeAll(async () => {
  t = await createTestApp({ JOB_ATTEMPTS: '1', JOB_BULK_PAGE_SIZE: String(PAGE), RATE_LIMIT_OVERRIDES: 'admin.jobs=10000' }, { roles: ['api'] });
  admin = await t.admin();
  connection = testRedis({ maxRetriesPerRequest: null });
});
afterAll(async () => {
  await t.close();
  await connection.quit();
});

interface Payload { reason?: string; tag?: string; workMs?: number }

/** A worker of the test's: counts each job's runs, fails a job whose data names a reason, else completes (after workMs). */
function worker(queue: QueueName, concurrency = 20, prefix?: string, conn: RedisClient = connection) {
  const runs = new Map<string, number>();
  const w = new Worker<Payload>(bullQueueName(queue), async (job) => {
    runs.set(job.id!, (runs.get(job.id!) ?? 0) + 1);
    if (job.data.workMs) await new Promise((r) => setTimeout(r, job.data.workMs));
    if (job.data.reason) throw new UnrecoverableError(job.data.reason);
    return 'done';
  }, { connection: conn, prefix: prefix ?? t.prefix, concurrency });
  return { runs, close: () => w.close() };
}

const q = (name: QueueName): Queue => t.app.queues.get(name);

/** `n` jobs of `name` failed with `reason` (run once each by a worker of the test's), their ids. */
async function failed(queue: QueueName, n: number, reason: string, opts: { name?: string; ids?: string[]; tag?: string } = {}): Promise<string[]> {
  const before = await q(queue).getJobCountByTypes('failed');
  const jobs = await q(queue).addBulk(Array.from({ length: n }, (_, i) => ({
    name: opts.name ?? 'Work', data: { reason, tag: opts.tag }, opts: opts.ids ? { jobId: opts.ids[i] } : {},
  })));
  const w = worker(queue);
  try {
    expect(await waitFor(async () => (await q(queue).getJobCountByTypes('failed')) === before + n, 30_000)).toBe(true);
  } finally {
    await w.close();
  }
  return jobs.map((j) => j.id!);
}

const post = (path: string, body: unknown, as: Session | string = admin) => t.call('POST', path, { as, body });

interface Step { acted: number; skipped: number; total: { acted: number; skipped: number }; remaining: number; done: boolean; moreThanExpected: boolean; cursor: string | null }

/** What the dashboard does: count to the end, then act step by step until done. */
async function countAll(queue: string, body: Record<string, unknown>, as: Session = admin) {
  let answer = await post(`/api/admin/jobs/queues/${queue}/bulk/count`, body, as);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const first = answer.body.data;
  const sample = [...first.sample];
  let steps = 1;
  while (!answer.body.data.complete) {
    answer = await post(`/api/admin/jobs/queues/${queue}/bulk/count`, { ...body, asOf: first.asOf, cursor: answer.body.data.cursor }, as);
    expect(answer.status).toBe(200);
    sample.push(...answer.body.data.sample);
    steps++;
  }
  return { count: answer.body.data.count as number, asOf: first.asOf as string, sample, steps };
}

async function actAll(queue: string, body: Record<string, unknown>, asOf: string, expected: number, as: Session = admin): Promise<Step[]> {
  const steps: Step[] = [];
  let cursor: string | undefined;
  for (;;) {
    const answer = await post(`/api/admin/jobs/queues/${queue}/bulk`, { ...body, asOf, expected, ...(cursor ? { cursor } : {}) }, as);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    steps.push(answer.body.data);
    if (answer.body.data.done) return steps;
    cursor = answer.body.data.cursor;
  }
}

describe('validation and access', () => {
  const path = '/api/admin/jobs/queues/blog-publish/bulk';
  const asOf = new Date().toISOString();

  it('answers each action a state it cannot take with 400 and the reason', async () => {
    for (const [action, state, error] of [
      ['retry', 'delayed', 'Cannot retry delayed jobs: retry takes failed jobs only'],
      ['retry', 'completed', 'Cannot retry completed jobs: retry takes failed jobs only'],
      ['promote', 'failed', 'Cannot promote failed jobs: promote takes delayed jobs only'],
      ['remove', 'active', 'Cannot remove active jobs: a worker is running them'],
    ] as const) {
      for (const [suffix, extra] of [['/count', {}], ['', { asOf, expected: 1 }]] as const) {
        const answer = await post(path + suffix, { action, state, filter: {}, ...extra });
        expect({ action, state, suffix, status: answer.status, body: answer.body }).toEqual({ action, state, suffix, status: 400, body: { success: false, error } });
      }
    }
  });

  it('takes no pattern: an unknown filter key or an over-long text is a 400, pattern characters are plain text', async () => {
    for (const filter of [{ regex: '(a+)+$' }, { reason: 'x'.repeat(201) }, { reason: '' }, { name: ['a'] }]) {
      const answer = await post(`${path}/count`, { action: 'retry', state: 'failed', filter });
      expect(answer.status, JSON.stringify(filter)).toBe(400);
      expect(answer.body.error).toBe('Invalid request body');
    }
    await failed('blog-publish', 2, 'plain failure');
    expect((await countAll('blog-publish', { action: 'retry', state: 'failed', filter: { reason: '.*' } })).count).toBe(0);
    expect((await countAll('blog-publish', { action: 'retry', state: 'failed', filter: { reason: 'PLAIN fail' } })).count).toBe(2);
    await q('blog-publish').clean(0, 1000, 'failed');
  });

  it('answers an unknown queue with 404, a foreign or forged cursor and a future asOf with 400', async () => {
    expect((await post('/api/admin/jobs/queues/nope/bulk/count', { action: 'retry', state: 'failed' })).body).toEqual({ success: false, error: 'Queue not found' });
    expect((await post('/api/admin/jobs/queues/nope/bulk', { action: 'retry', state: 'failed', asOf, expected: 1 })).status).toBe(404);
    // A cursor of the same queue but another filter: refused, not read as a position in this scan.
    await failed('blog-publish', PAGE * 11, 'cursor test');
    const first = await post(`${path}/count`, { action: 'retry', state: 'failed', filter: { reason: 'cursor' } });
    expect(first.body.data).toMatchObject({ complete: false, count: PAGE * 10, cursor: expect.any(String) });
    const other = await post(`${path}/count`, { action: 'retry', state: 'failed', filter: { reason: 'other' }, asOf: first.body.data.asOf, cursor: first.body.data.cursor });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatch(/^Invalid cursor/);
    expect((await post(`${path}/count`, { action: 'retry', state: 'failed', filter: { reason: 'cursor' }, asOf: first.body.data.asOf, cursor: 'Zm9v' })).status).toBe(400);
    expect((await post(`${path}/count`, { action: 'retry', state: 'failed', filter: { reason: 'cursor' }, cursor: first.body.data.cursor })).body.error).toBe('asOf is required with a cursor');
    const future = await post(path, { action: 'retry', state: 'failed', asOf: new Date(Date.now() + 3_600_000).toISOString(), expected: 1 });
    expect(future.body).toEqual({ success: false, error: 'asOf is in the future: use the asOf a count answered' });
    await q('blog-publish').clean(0, 1000, 'failed');
  });

  it('is for admins only', async () => {
    const creator = await t.user('CREATOR');
    for (const suffix of ['/count', '']) {
      expect((await post(path + suffix, { action: 'retry', state: 'failed', asOf, expected: 1 }, creator)).status).toBe(403);
      expect((await t.call('POST', path + suffix, { body: { action: 'retry', state: 'failed', asOf, expected: 1 } })).status).toBe(401);
    }
  });
});

describe('retry by filter', () => {
  it('counts, then retries exactly the failed jobs whose reason matches, in pages, reopening their outbox rows; each step audited', async () => {
    const db = t.app.database.db;
    // Relayed jobs whose outbox rows failed for good (as after an outage), and others.
    const rows = await db.insertInto('outbox')
      .values(Array.from({ length: 25 }, () => ({ queue: 'notification-fanout', job_name: 'Work', payload: '{}', relayed_at: new Date(), failed_at: new Date() })))
      .returning('id').execute();
    const smtp = await failed('notification-fanout', 25, 'SMTP 421 Service not available', { ids: rows.map((r) => `outbox-${r.id}`) });
    const other = await failed('notification-fanout', 15, 'Invalid address');
    const body = { action: 'retry', state: 'failed', filter: { reason: 'smtp 421' } };

    const counted = await countAll('notification-fanout', body);
    expect(counted.count).toBe(25);
    expect(counted.sample).toHaveLength(5);
    for (const s of counted.sample) expect(s).toMatchObject({ name: 'Work', failedReason: 'SMTP 421 Service not available', finishedAt: expect.any(String), createdAt: expect.any(String) });

    const w = worker('notification-fanout');
    try {
      const steps = await actAll('notification-fanout', body, counted.asOf, counted.count);
      // Pages of PAGE: 10, 10, 5; each step acted on at most a page.
      expect(steps.map((s) => s.acted)).toEqual([10, 10, 5]);
      expect(steps.at(-1)).toMatchObject({ total: { acted: 25, skipped: 0 }, remaining: 0, done: true, moreThanExpected: false, cursor: null });
      expect(await waitFor(async () => smtp.every((id) => w.runs.get(id) === 1), 20_000)).toBe(true);
      for (const id of other) expect(w.runs.get(id)).toBeUndefined();
      expect(await q('notification-fanout').getJobCountByTypes('failed')).toBe(40);
    } finally {
      await w.close();
    }
    const still = await db.selectFrom('outbox').select('id').where('id', 'in', rows.map((r) => r.id)).where('failed_at', 'is not', null).execute();
    expect(still).toEqual([]);

    const audit = await t.call('GET', '/api/admin/jobs/audit?pageSize=3', { as: admin });
    expect(audit.body.data.map((e: { action: string; queue: string; details: { acted: number; filter: unknown; expected: number; state: string } }) =>
      [e.action, e.queue, e.details.state, e.details.filter, e.details.expected, e.details.acted])).toEqual([
      ['queue.bulk.retry', 'notification-fanout', 'failed', { reason: 'smtp 421' }, 25, 5],
      ['queue.bulk.retry', 'notification-fanout', 'failed', { reason: 'smtp 421' }, 25, 10],
      ['queue.bulk.retry', 'notification-fanout', 'failed', { reason: 'smtp 421' }, 25, 10],
    ]);
    await db.updateTable('outbox').set({ completed_at: new Date() }).where('id', 'in', rows.map((r) => r.id)).execute();
    await q('notification-fanout').clean(0, 1000, 'failed');
  });

  it('leaves failures newer than asOf alone, and stops at the expected count', async () => {
    const old = await failed('search-index-bulk', 12, 'timeout');
    const counted = await countAll('search-index-bulk', { action: 'retry', state: 'failed', filter: { reason: 'timeout' } });
    expect(counted.count).toBe(12);
    // Failures after the count: they match the filter, but the admin did not count them.
    const newer = await failed('search-index-bulk', 7, 'timeout');
    const w = worker('search-index-bulk');
    try {
      const steps = await actAll('search-index-bulk', { action: 'retry', state: 'failed', filter: { reason: 'timeout' } }, counted.asOf, counted.count);
      expect(steps.at(-1)).toMatchObject({ total: { acted: 12, skipped: 0 }, done: true, moreThanExpected: false });
      expect(await waitFor(async () => old.every((id) => w.runs.get(id) === 1), 20_000)).toBe(true);
      for (const id of newer) expect(w.runs.get(id)).toBeUndefined();

      // Confirmed 5 of what are now 19 failures matching (12 retried, failed again, and 7 newer):
      // 5 are retried and the answer says it met more.
      const again = await countAll('search-index-bulk', { action: 'retry', state: 'failed', filter: { reason: 'timeout' } });
      expect(again.count).toBe(19);
      const capped = await actAll('search-index-bulk', { action: 'retry', state: 'failed', filter: { reason: 'timeout' } }, again.asOf, 5);
      expect(capped.at(-1)).toMatchObject({ total: { acted: 5, skipped: 0 }, done: true, moreThanExpected: true });
      expect(await waitFor(async () => (await q('search-index-bulk').getJobCountByTypes('failed')) === 19, 20_000)).toBe(true);
      expect([...w.runs.values()].reduce((a, b) => a + b, 0)).toBe(12 + 5);
    } finally {
      await w.close();
    }
    await q('search-index-bulk').clean(0, 1000, 'failed');
  });

  it('skips a job retried by hand between the count and the act: it runs once, not twice', async () => {
    const ids = await failed('search-index-update', 6, 'flaky');
    const counted = await countAll('search-index-update', { action: 'retry', state: 'failed', filter: { reason: 'flaky' } });
    const w = worker('search-index-update');
    try {
      const byHand = ids[2]!;
      expect((await post(`/api/admin/jobs/search-index-update/${byHand}/retry`, undefined)).status).toBe(200);
      // It ran and failed again: it is back in the failed set, newer than asOf.
      expect(await waitFor(async () => w.runs.get(byHand) === 1 && (await q('search-index-update').getJobState(byHand)) === 'failed', 10_000)).toBe(true);
      const steps = await actAll('search-index-update', { action: 'retry', state: 'failed', filter: { reason: 'flaky' } }, counted.asOf, counted.count);
      expect(steps.at(-1)!.total.acted).toBe(5);
      expect(await waitFor(async () => ids.every((id) => w.runs.get(id) === 1) && (await q('search-index-update').getJobCountByTypes('failed')) === 6, 10_000)).toBe(true);
      expect(w.runs.get(byHand)).toBe(1);
    } finally {
      await w.close();
    }
    await q('search-index-update').clean(0, 1000, 'failed');
  });

  it('two admins running the same bulk retry at once: each job is retried once', async () => {
    const N = 120;
    const ids = await failed('webhook-delivery', N, 'receiver down');
    const other = await t.user('ADMIN');
    const body = { action: 'retry', state: 'failed', filter: { reason: 'receiver' } };
    // Jobs fail again at once when retried, so a failed job met by the slower admin may be a new failure.
    const w = worker('webhook-delivery', 50);
    try {
      const [a, b] = await Promise.all([admin, other].map(async (as) => {
        const c = await countAll('webhook-delivery', body, as);
        return actAll('webhook-delivery', body, c.asOf, c.count, as);
      }));
      const acted = a!.at(-1)!.total.acted + b!.at(-1)!.total.acted;
      expect(acted).toBe(N);
      expect(await waitFor(async () => (await q('webhook-delivery').getJobCountByTypes('failed')) === N, 20_000)).toBe(true);
      // Each job ran once after the retry: neither admin retried a job the other had.
      expect(ids.filter((id) => w.runs.get(id) !== 1)).toEqual([]);
    } finally {
      await w.close();
    }
    await q('webhook-delivery').clean(0, 1000, 'failed');
  }, 60_000);
});

describe('remove and promote', () => {
  it('removes failed jobs by name and data, and the others stay', async () => {
    const a = await failed('media-scan', 8, 'bad file', { name: 'Scan', tag: 'brand-42' });
    const b = await failed('media-scan', 4, 'bad file', { name: 'Scan', tag: 'brand-7' });
    const c = await failed('media-scan', 3, 'bad file', { name: 'Other', tag: 'brand-42' });
    const body = { action: 'remove', state: 'failed', filter: { name: 'Scan', data: 'BRAND-42' } };
    const counted = await countAll('media-scan', body);
    expect(counted.count).toBe(8);
    const steps = await actAll('media-scan', body, counted.asOf, counted.count);
    expect(steps.at(-1)!.total).toEqual({ acted: 8, skipped: 0 });
    for (const id of a) expect(await q('media-scan').getJobState(id)).toBe('unknown');
    for (const id of [...b, ...c]) expect(await q('media-scan').getJobState(id)).toBe('failed');
    await q('media-scan').clean(0, 1000, 'failed');
  });

  it('removes completed jobs older than a given age, and prioritized jobs by name', async () => {
    const queue = q('search-index-reindex');
    await queue.addBulk(Array.from({ length: 14 }, () => ({ name: 'Done', data: {} })));
    const w = worker('search-index-reindex');
    try {
      expect(await waitFor(async () => (await queue.getJobCountByTypes('completed')) === 14, 20_000)).toBe(true);
    } finally {
      await w.close();
    }
    // Finished less than an hour ago: none is old enough.
    expect((await countAll('search-index-reindex', { action: 'remove', state: 'completed', filter: { olderThanMs: 3_600_000 } })).count).toBe(0);
    const done = await countAll('search-index-reindex', { action: 'remove', state: 'completed', filter: { olderThanMs: 0 } });
    expect(done.count).toBe(14);
    expect((await actAll('search-index-reindex', { action: 'remove', state: 'completed', filter: { olderThanMs: 0 } }, done.asOf, done.count)).at(-1)!.total).toEqual({ acted: 14, skipped: 0 });
    expect(await queue.getJobCountByTypes('completed')).toBe(0);

    // Prioritized jobs wait in a sorted set by priority (no worker runs here).
    const urgent = await queue.addBulk(Array.from({ length: 12 }, (_, i) => ({ name: 'Urgent', data: {}, opts: { priority: 1 + (i % 3) } })));
    const keep = await queue.addBulk(Array.from({ length: 3 }, () => ({ name: 'Keep', data: {}, opts: { priority: 2 } })));
    const counted = await countAll('search-index-reindex', { action: 'remove', state: 'prioritized', filter: { name: 'Urgent' } });
    expect(counted.count).toBe(12);
    expect((await actAll('search-index-reindex', { action: 'remove', state: 'prioritized', filter: { name: 'Urgent' } }, counted.asOf, counted.count)).at(-1)!.total).toEqual({ acted: 12, skipped: 0 });
    for (const j of urgent) expect(await queue.getJobState(j.id!)).toBe('unknown');
    for (const j of keep) expect(await queue.getJobState(j.id!)).toBe('prioritized');
    await queue.obliterate({ force: true });
  });

  it('promotes delayed jobs by name, never a schedule\'s next run', async () => {
    const queue = q('media-thumbnail');
    const mine = await queue.addBulk(Array.from({ length: 13 }, () => ({ name: 'Thumb', data: {}, opts: { delay: 3_600_000 } })));
    const others = await queue.addBulk(Array.from({ length: 4 }, () => ({ name: 'Keep', data: {}, opts: { delay: 3_600_000 } })));
    await queue.upsertJobScheduler('bulk-test-schedule', { every: 3_600_000, startDate: Date.now() + 3_600_000 }, { name: 'Thumb', data: {} });
    const iteration = (await queue.getJobs(['delayed'])).find((j) => j.id!.startsWith('repeat:'));
    expect(iteration).toBeDefined();

    // Without a filter the schedule's run is not counted; with one matching its name either.
    expect((await countAll('media-thumbnail', { action: 'promote', state: 'delayed' })).count).toBe(17);
    const counted = await countAll('media-thumbnail', { action: 'promote', state: 'delayed', filter: { name: 'Thumb' } });
    expect(counted.count).toBe(13);
    const steps = await actAll('media-thumbnail', { action: 'promote', state: 'delayed', filter: { name: 'Thumb' } }, counted.asOf, counted.count);
    expect(steps.at(-1)!.total).toEqual({ acted: 13, skipped: 0 });
    for (const j of mine) expect(await queue.getJobState(j.id!)).toBe('waiting');
    for (const j of others) expect(await queue.getJobState(j.id!)).toBe('delayed');
    expect(await queue.getJobState(iteration!.id!)).toBe('delayed');
    await queue.removeJobScheduler('bulk-test-schedule');
    await queue.obliterate({ force: true });
  });

  it('removing waiting jobs while a worker picks them up never removes one it took', async () => {
    const queue = q('file-preview-generation');
    const N = 300;
    const jobs = await queue.addBulk(Array.from({ length: N }, () => ({ name: 'Preview', data: { workMs: 5 } })));
    const counted = await countAll('file-preview-generation', { action: 'remove', state: 'waiting', filter: { name: 'Preview' } });
    expect(counted.count).toBe(N);
    const w = worker('file-preview-generation', 4);
    const failures: string[] = [];
    try {
      const steps = await actAll('file-preview-generation', { action: 'remove', state: 'waiting', filter: { name: 'Preview' } }, counted.asOf, counted.count);
      const removed = steps.reduce((n, s) => n + s.acted, 0);
      expect(await waitFor(async () => (await queue.getJobCountByTypes('waiting', 'active')) === 0, 20_000)).toBe(true);
      // Every job either ran to completion (a worker had it) or was removed before any worker took it.
      const states = await Promise.all(jobs.map(async (j) => [j.id!, await queue.getJobState(j.id!)] as const));
      for (const [id, state] of states) {
        if (w.runs.has(id)) {
          if (state !== 'completed') failures.push(`${id} ran and is ${state}`);
        } else if (state !== 'unknown') failures.push(`${id} never ran and is ${state}`);
      }
      expect(failures).toEqual([]);
      expect(removed).toBe(states.filter(([, s]) => s === 'unknown').length);
      expect(removed).toBeGreaterThan(0);
      expect(w.runs.size).toBeGreaterThan(0);
    } finally {
      await w.close();
    }
    await queue.obliterate({ force: true });
  });
});

describe('claims', () => {
  it('leaves no claim key behind once its jobs are acted on: Redis holds claims of a step in flight, not one per job ever touched', async () => {
    const claims = async () => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await connection.scan(cursor, 'MATCH', `${t.prefix}:*bulk-claim:*`, 'COUNT', 1000);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
      return keys;
    };
    await failed('media-thumbnail', 15, 'broken thumb', { name: 'Claimed' });
    for (const [action, state] of [['retry', 'failed'], ['remove', 'failed']] as const) {
      if (action === 'remove') {
        const w = worker('media-thumbnail');
        try {
          expect(await waitFor(async () => (await q('media-thumbnail').getJobCountByTypes('failed')) === 15, 20_000)).toBe(true);
        } finally {
          await w.close();
        }
      }
      const body = { action, state, filter: { name: 'Claimed' } };
      const counted = await countAll('media-thumbnail', body);
      expect(counted.count).toBe(15);
      expect((await actAll('media-thumbnail', body, counted.asOf, counted.count)).at(-1)!.total).toEqual({ acted: 15, skipped: 0 });
      expect([action, await claims()]).toEqual([action, []]);
    }
    await q('media-thumbnail').obliterate({ force: true });
  });
});

describe('remove and the outbox', () => {
  it('a waiting job relayed from the outbox that a bulk remove took is not brought back by the relay', async () => {
    const db = t.app.database.db;
    const queue = q('search-index-update');
    const hourAgo = new Date(Date.now() - 3_600_000);
    // Relayed an hour ago and waiting (no worker here): three by outbox id, one by a fixed job id; one more that stays.
    const rows = await db.insertInto('outbox')
      .values(Array.from({ length: 4 }, () => ({ queue: 'search-index-update', job_name: 'Gone', payload: '{}', relayed_at: hourAgo })))
      .returning('id').execute();
    const fixed = await db.insertInto('outbox')
      .values({ queue: 'search-index-update', job_name: 'Gone', payload: '{}', relayed_at: hourAgo, job_id: 'bulk-fixed-1' }).returning('id').executeTakeFirstOrThrow();
    const gone = [...rows.slice(0, 3).map((r) => `outbox-${r.id}`), 'bulk-fixed-1'];
    const kept = `outbox-${rows[3]!.id}`;
    await queue.addBulk([...gone.map((jobId) => ({ name: 'Gone', data: {}, opts: { jobId } })), { name: 'Kept', data: {}, opts: { jobId: kept } }]);

    const body = { action: 'remove', state: 'waiting', filter: { name: 'Gone' } };
    const counted = await countAll('search-index-update', body);
    expect(counted.count).toBe(4);
    expect((await actAll('search-index-update', body, counted.asOf, counted.count)).at(-1)!.total).toEqual({ acted: 4, skipped: 0 });
    for (const id of gone) expect(await queue.getJobState(id)).toBe('unknown');

    // The relay's checks for lost work (a queue whose epoch key is new, a relayed job gone from Redis).
    const relay = new OutboxRelay({
      db, pool: t.app.database.pool, queues: t.app.queues, redis: t.app.redis, prefix: t.prefix, log: t.app.log, pollMs: 50, staleAfterMs: 1,
    });
    await relay.relayOnce();
    await relay.relayOnce();
    for (const id of gone) expect([id, await queue.getJobState(id)]).toEqual([id, 'unknown']);
    expect(await queue.getJobState(kept)).toBe('waiting');
    // The removed rows are settled as given up (failed_at), so retry-failed and the relay leave them be; the kept one is open.
    const settled = await db.selectFrom('outbox').select(['id', 'failed_at', 'completed_at']).where('id', 'in', [...rows.map((r) => r.id), fixed.id]).orderBy('id').execute();
    expect(settled.map((r) => r.failed_at !== null)).toEqual([true, true, true, false, true]);
    await db.updateTable('outbox').set({ completed_at: new Date() }).where('id', 'in', [...rows.map((r) => r.id), fixed.id]).execute();
    await queue.obliterate({ force: true });
  });
});

describe('a queue with 20,000 failed jobs', () => {
  it('is counted and retried in pages: no read holds more than a page, each step is short', async () => {
    const JOBS = 20_000;
    const PAGE_SIZE = 500;
    // A prefix of its own without any worker: the retried jobs stay waiting, where the test counts them.
    const prefix = `${t.prefix}big`;
    const conn = testRedis({ maxRetriesPerRequest: null });
    const queues = new Queues({ connection: conn, prefix, defaults: { attempts: 1, backoffMs: 10 }, log: t.app.log });
    const queue = queues.get('analytics-enrichment');
    try {
      // Half fail with one reason, half with another, interleaved.
      await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: 'Enrich', data: { reason: i % 2 ? 'GeoIP lookup failed' : 'UA parse error' } })));
      const w = worker('analytics-enrichment', 200, prefix, conn);
      try {
        expect(await waitFor(async () => (await queue.getJobCountByTypes('failed')) === JOBS, 180_000, 200)).toBe(true);
      } finally {
        await w.close();
      }
      const service = new BulkService({ db: t.app.database.db, queues, redis: conn, audit: new AuditRepository(t.app.database.db), pageSize: PAGE_SIZE });
      const evals = vi.spyOn(conn, 'eval');
      const filter = { reason: 'geoip' };
      let count = await service.count('analytics-enrichment', { action: 'retry', state: 'failed', filter });
      const countSteps = [count];
      while (!count.complete) {
        count = await service.count('analytics-enrichment', { action: 'retry', state: 'failed', filter, asOf: count.asOf, cursor: count.cursor! });
        countSteps.push(count);
      }
      expect(count.count).toBe(JOBS / 2);
      // 10 pages a step: 20,000 jobs read in 4 steps (and one that finds the end, as the 4th ends on a full page).
      expect(countSteps.length).toBeGreaterThanOrEqual(4);
      expect(countSteps.length).toBeLessThanOrEqual(5);
      expect(countSteps.slice(0, -1).every((s) => s.cursor !== null && !s.complete)).toBe(true);

      const durations: number[] = [];
      let step = await service.act(admin.user.id, 'analytics-enrichment', { action: 'retry', state: 'failed', filter, asOf: count.asOf, expected: count.count });
      const steps = [step];
      while (!step.done) {
        const started = performance.now();
        step = await service.act(admin.user.id, 'analytics-enrichment', { action: 'retry', state: 'failed', filter, asOf: count.asOf, expected: count.count, cursor: step.cursor! });
        durations.push(performance.now() - started);
        steps.push(step);
      }
      expect(step.total).toEqual({ acted: JOBS / 2, skipped: 0 });
      expect(steps.every((s) => s.acted <= PAGE_SIZE)).toBe(true);
      expect(steps.length).toBeGreaterThanOrEqual(JOBS / 2 / PAGE_SIZE);
      expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: JOBS / 2, waiting: JOBS / 2 });
      const stillFailed = await queue.getJobs(['failed'], 0, 20);
      for (const j of stillFailed) expect(j.failedReason).toBe('UA parse error');

      // Every read of Redis held at most one page of jobs (9 fields each, after a status).
      expect(evals.mock.calls.length).toBeGreaterThanOrEqual(JOBS / PAGE_SIZE);
      for (const result of evals.mock.results) {
        const reply = await (result.value as Promise<unknown[]>);
        expect(reply.length).toBeLessThanOrEqual(1 + 9 * PAGE_SIZE);
      }
      // Each step is a bounded amount of work: well under a second on a quiet machine (loose here: shared CI cores).
      expect(Math.max(...durations)).toBeLessThan(5_000);
    } finally {
      vi.restoreAllMocks();
      await queues.close();
      await deleteRedisPrefix(prefix);
      await conn.quit();
    }
  }, 300_000);
});

import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { QueuesService } from '../../src/admin/queues.service.js';
import { AuditRepository } from '../../src/admin/audit.repository.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, deleteRedisPrefix, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxSettled } from '../helpers/wait.js';

let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  // One attempt: an SMTP outage leaves the job failed for an admin to retry.
  t = await createTestApp({ SMTP_URL: sink.url, JOB_ATTEMPTS: '1' });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const get = (path: string) => t.call('GET', path, { as: admin });
const post = (path: string, body?: unknown) => t.call('POST', path, { as: admin, body });

async function failedDeliveryJob(): Promise<{ jobId: string; email: string }> {
  const user = await t.app.services.users.createUser({ email: `q-${randomUUID()}@mail.test`, password: 'password-123', role: 'VIEWER' });
  await sink.stop();
  await t.app.services.notifications.notify({ userIds: [user.id], type: 'SYSTEM', title: 'Retry me', message: 'm' });
  // The failure is the point: the delivery's outbox row failed for good (outboxDrained would throw).
  expect(await outboxSettled(t.app)).toEqual({ drained: true, failed: [expect.objectContaining({ queue: 'notification-delivery' })] });
  await sink.start();
  const failed = await get('/api/admin/jobs/queues/notification-delivery/jobs?state=failed');
  const job = failed.body.data.find((j: { failedReason: string }) => /not sent yet/.test(j.failedReason));
  expect(job).toBeDefined();
  return { jobId: job.id, email: user.email };
}

/** A fan-out job (of a batch that does not exist: nothing to do) that has run; its id. */
async function completedFanOutJob(): Promise<string> {
  const job = await t.app.queues.add('notification-fanout', 'NotificationBatchFanOut', { batchId: randomUUID() });
  expect(await waitFor(async () => (await t.app.queues.get('notification-fanout').getJobState(job.id!)) === 'completed', 10_000)).toBe(true);
  return job.id!;
}

describe('queue overview', () => {
  it('lists every queue with counts by state, paused flag, workers and the last hour per minute', async () => {
    const res = await get('/api/admin/jobs/queues');
    expect(res.status).toBe(200);
    const delivery = res.body.data.find((q: { name: string }) => q.name === 'notification-delivery');
    expect(delivery).toMatchObject({ group: 'email', paused: false, workers: 1, counts: { waiting: expect.any(Number), failed: expect.any(Number), completed: expect.any(Number) } });
    expect(delivery.perMinute.completed).toHaveLength(60);
    // Every queue of the registry, each job family's included.
    const names = res.body.data.map((q: { name: string }) => q.name).sort();
    expect(names).toEqual([...QUEUE_NAMES].sort());
    expect(names).toEqual(expect.arrayContaining(['analytics-aggregation', 'notification-delivery', 'search-index-update', 'search-index-bulk', 'search-index-reindex']));
  });

  it('lists schedulers with pattern, time zone and next run', async () => {
    const res = await get('/api/admin/jobs/schedulers');
    expect(res.body.data.find((s: { id: string }) => s.id === 'digest-daily')).toMatchObject({ pattern: '0 9 * * *', tz: 'UTC', registered: true, overdue: false, nextRun: expect.stringMatching(/T09:00:00.000Z$/) });
  });
});

describe('failed jobs', () => {
  it('shows a failed job with its error and stack; retry moves it back and it completes', async () => {
    const { jobId, email } = await failedDeliveryJob();
    const detail = await get(`/api/admin/jobs/notification-delivery/${jobId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.data).toMatchObject({ id: jobId, state: 'failed', attemptsMade: 1, data: { notificationIds: expect.any(Array) } });
    expect(detail.body.data.stacktrace.length).toBeGreaterThan(0);
    expect(sink.mailbox(email)).toHaveLength(0);

    const retried = await post(`/api/admin/jobs/notification-delivery/${jobId}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ success: true, data: { jobId, status: 'retried' } });
    expect(await waitFor(async () => (await get(`/api/admin/jobs/notification-delivery/${jobId}`)).body.data.state === 'completed', 15_000)).toBe(true);
    expect(sink.mailbox(email)).toHaveLength(1);

    const again = await post(`/api/admin/jobs/notification-delivery/${jobId}/retry`);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ success: false, error: 'Cannot retry job' });
  });

  it('retries every failed job of a queue at once', async () => {
    const a = await failedDeliveryJob();
    const b = await failedDeliveryJob();
    // Every failed job of the queue, these two among them (each test leaves none of its own behind).
    const failedIds = (await t.app.queues.get('notification-delivery').getJobs(['failed'])).map((j) => j.id);
    expect(failedIds).toEqual(expect.arrayContaining([a.jobId, b.jobId]));
    const res = await post('/api/admin/jobs/queues/notification-delivery/retry-failed');
    expect(res.body.data.count).toBe(failedIds.length);
    expect(await waitFor(async () => sink.mailbox(a.email).length === 1 && sink.mailbox(b.email).length === 1, 15_000)).toBe(true);
  });

  it('deletes a job, which is then gone', async () => {
    const { jobId } = await failedDeliveryJob();
    expect((await t.call('DELETE', `/api/admin/jobs/notification-delivery/${jobId}`, { as: admin })).body).toEqual({ success: true });
    expect((await get(`/api/admin/jobs/notification-delivery/${jobId}`)).status).toBe(404);
  });

  it('answers unknown queues and jobs with 404 and bad states with 400', async () => {
    expect((await post('/api/admin/jobs/nope/1/retry')).body).toEqual({ success: false, error: 'Job not found' });
    expect((await post('/api/admin/jobs/notification-delivery/does-not-exist/retry')).body).toEqual({ success: false, error: 'Job not found' });
    expect((await get('/api/admin/jobs/notification-delivery/does-not-exist')).status).toBe(404);
    expect((await get('/api/admin/jobs/queues/nope/jobs')).body).toEqual({ success: false, error: 'Queue not found' });
    expect((await post('/api/admin/jobs/queues/nope/pause')).status).toBe(404);
    const bad = await get('/api/admin/jobs/queues/notification-delivery/jobs?state=exploded');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('Invalid query parameters');
    expect((await post('/api/admin/jobs/queues/notification-delivery/clean', { state: 'active', olderThanMs: 0 })).status).toBe(400);
  });
});

describe('job ids that name one of the queue\'s own keys', () => {
  it('answer 404 and leave the key alone: the outbox epoch, BullMQ\'s meta, events and a job\'s logs', async () => {
    // BullMQ reads job <id> at <prefix>:{<queue>}:<id>, where the queue's other keys live too.
    // 'outbox-epoch' (a string, moved into the queue's slot by the cluster work) answered 500, and
    // so did 'events' (a stream); 'meta' read BullMQ's meta hash as a job and DELETE removed it.
    const jobId = await completedFanOutJob();
    const redis = testRedis();
    try {
      const key = (suffix: string) => `${t.prefix}:${bullQueueName('notification-fanout')}:${suffix}`;
      await expect.poll(() => redis.exists(key('outbox-epoch')), { timeout: 10_000 }).toBe(1);
      await t.app.queues.get('notification-fanout').getJob(jobId).then((job) => job!.log('a line'));
      for (const id of ['outbox-epoch', 'meta', 'events', `${jobId}:logs`]) {
        for (const [method, suffix] of [['GET', ''], ['POST', '/retry'], ['DELETE', '']] as const) {
          const answer = await t.call(method, `/api/admin/jobs/notification-fanout/${encodeURIComponent(id)}${suffix}`, { as: admin });
          expect({ id, method, suffix, status: answer.status, body: answer.body }).toEqual({ id, method, suffix, status: 404, body: { success: false, error: 'Job not found' } });
        }
      }
      for (const suffix of ['outbox-epoch', 'meta', 'events', `${jobId}:logs`]) expect(await redis.exists(key(suffix)), suffix).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});

describe('delayed jobs, pause and clean', () => {
  it('promotes a delayed job, which then runs', async () => {
    const job = await t.app.queues.add('notification-fanout', 'NotificationBatchFanOut', { batchId: randomUUID() }, { delay: 3_600_000 });
    const delayed = await get('/api/admin/jobs/queues/notification-fanout/jobs?state=delayed');
    expect(delayed.body.data.map((j: { id: string }) => j.id)).toContain(job.id);
    expect((await post('/api/admin/jobs/queues/notification-fanout/promote')).body.data.count).toBe(1);
    expect(await waitFor(async () => (await get(`/api/admin/jobs/notification-fanout/${job.id}`)).body.data.state === 'completed', 10_000)).toBe(true);
  });

  it('pause stops processing and resume restarts it', async () => {
    const user = await t.app.services.users.createUser({ email: `p-${randomUUID()}@mail.test`, password: 'password-123', role: 'VIEWER' });
    expect((await post('/api/admin/jobs/queues/notification-delivery/pause')).body.data).toEqual({ paused: true });
    await t.app.services.notifications.notify({ userIds: [user.id], type: 'SYSTEM', title: 'Paused', message: 'm' });
    // The delivery job reaches the queue and stays there, untaken.
    const delivery = t.app.queues.get('notification-delivery');
    const notification = await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    const queued = async () => (await delivery.getJobs(['prioritized', 'waiting'])).find((j) => j.data.notificationIds.includes(notification.id));
    expect(await waitFor(async () => (await queued()) !== undefined, 10_000)).toBe(true);
    const job = (await queued())!;
    // Evidence that a running worker would have taken it by now: a job enqueued after it, on
    // another queue of the same workers, has run.
    const marker = await t.app.queues.add('notification-fanout', 'NotificationBatchFanOut', { batchId: randomUUID() });
    expect(await waitFor(async () => (await t.app.queues.get('notification-fanout').getJobState(marker.id!)) === 'completed', 10_000)).toBe(true);
    expect(await delivery.getJobState(job.id!)).toBe('prioritized');
    expect(sink.mailbox(user.email)).toHaveLength(0);
    const overview = (await get('/api/admin/jobs/queues')).body.data.find((q: { name: string }) => q.name === 'notification-delivery');
    expect(overview.paused).toBe(true);
    // Delivery jobs carry a priority, so they wait in BullMQ's prioritized set.
    expect(overview.counts.waiting + overview.counts.prioritized).toBeGreaterThanOrEqual(1);
    expect((await post('/api/admin/jobs/queues/notification-delivery/resume')).body.data).toEqual({ paused: false });
    expect(await waitFor(async () => sink.mailbox(user.email).length === 1, 10_000)).toBe(true);
  });

  it('cleans completed jobs older than a given age', async () => {
    const done = await completedFanOutJob();
    const before = (await get('/api/admin/jobs/queues')).body.data.find((q: { name: string }) => q.name === 'notification-fanout').counts.completed;
    expect(before).toBeGreaterThan(0);
    const res = await post('/api/admin/jobs/queues/notification-fanout/clean', { state: 'completed', olderThanMs: 0 });
    expect(res.body.data.removed).toBe(before);
    expect((await get('/api/admin/jobs/queues')).body.data.find((q: { name: string }) => q.name === 'notification-fanout').counts.completed).toBe(0);
    expect(await t.app.queues.get('notification-fanout').getJobState(done)).toBe('unknown');
  });

  it('records every state change in the audit log with the admin', async () => {
    const before = (await get('/api/admin/jobs/audit')).body.pagination.total;
    // Each operation done here, so the test stands alone.
    const failed = await failedDeliveryJob();
    expect((await post(`/api/admin/jobs/notification-delivery/${failed.jobId}/retry`)).status).toBe(200);
    expect(await waitFor(async () => sink.mailbox(failed.email).length === 1, 15_000)).toBe(true);
    expect((await post('/api/admin/jobs/queues/notification-delivery/retry-failed')).status).toBe(200);
    const promoted = await t.app.queues.add('notification-fanout', 'NotificationBatchFanOut', { batchId: randomUUID() }, { delay: 3_600_000 });
    expect((await post('/api/admin/jobs/queues/notification-fanout/promote')).body.data.count).toBe(1);
    expect(await waitFor(async () => (await t.app.queues.get('notification-fanout').getJobState(promoted.id!)) === 'completed', 10_000)).toBe(true);
    const removed = await t.app.queues.add('notification-fanout', 'NotificationBatchFanOut', { batchId: randomUUID() }, { delay: 3_600_000 });
    expect((await t.call('DELETE', `/api/admin/jobs/notification-fanout/${removed.id}`, { as: admin })).status).toBe(200);
    expect((await post('/api/admin/jobs/queues/notification-fanout/pause')).status).toBe(200);
    expect((await post('/api/admin/jobs/queues/notification-fanout/resume')).status).toBe(200);
    expect((await post('/api/admin/jobs/queues/notification-fanout/clean', { state: 'completed', olderThanMs: 0 })).status).toBe(200);

    const res = await get('/api/admin/jobs/audit?pageSize=7');
    expect(res.body.pagination.total).toBe(before + 7);
    // Newest first, each with what it acted on and who did it.
    expect(res.body.data.map((e: { action: string; queue: string | null; jobId: string | null }) => [e.action, e.queue, e.jobId])).toEqual([
      ['queue.clean', 'notification-fanout', null],
      ['queue.resume', 'notification-fanout', null],
      ['queue.pause', 'notification-fanout', null],
      ['job.remove', 'notification-fanout', removed.id],
      ['queue.promote', 'notification-fanout', null],
      ['queue.retryFailed', 'notification-delivery', null],
      ['job.retry', 'notification-delivery', failed.jobId],
    ]);
    for (const entry of res.body.data) expect(entry).toMatchObject({ adminId: admin.user.id, adminEmail: admin.user.email, createdAt: expect.any(String) });
  });
});

describe('bulk operations over 5,000 jobs', () => {
  const JOBS = 5_000;
  const PAGE = 500;

  it('retry-failed and clean work in bounded pages, reopening every outbox row', async () => {
    // A prefix of its own without the app's workers: the jobs stay where the test puts them.
    const prefix = `${t.prefix}bulk`;
    const connection = testRedis({ maxRetriesPerRequest: null });
    const queues = new Queues({ connection, prefix, defaults: { attempts: 1, backoffMs: 10 }, log: t.app.log });
    const q = queues.get('blog-publish');
    const db = t.app.database.db;
    const failAll = async () => {
      const worker = new Worker(bullQueueName('blog-publish'), async () => { throw new UnrecoverableError('refused'); }, { connection, prefix, concurrency: 100 });
      try {
        expect(await waitFor(async () => (await q.getJobCountByTypes('failed')) === JOBS, 90_000, 100)).toBe(true);
      } finally {
        await worker.close();
      }
    };
    try {
      // Jobs relayed from outbox rows that failed for good, as after an outage.
      const rows = await db.insertInto('outbox')
        .values(Array.from({ length: JOBS }, () => ({ queue: 'blog-publish', job_name: 'BlogPublish', payload: JSON.stringify({ postId: randomUUID() }), relayed_at: new Date(), failed_at: new Date() })))
        .returning('id').execute();
      await q.addBulk(rows.map((r) => ({ name: 'BlogPublish', data: { postId: r.id }, opts: { jobId: `outbox-${r.id}` } })));
      await failAll();

      const service = new QueuesService({ db, queues, redis: connection, prefix, pageSize: PAGE, audit: new AuditRepository(db) });
      const ranges = vi.spyOn(q, 'getRanges');
      const lists = vi.spyOn(q, 'getJobs');
      const retries = vi.spyOn(q, 'retryJobs');
      const cleans = vi.spyOn(q, 'clean');
      expect(await service.retryAllFailed(admin.user.id, 'blog-publish')).toEqual({ count: JOBS });
      expect(await q.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: JOBS });
      const stillFailed = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', 'in', rows.map((r) => r.id)).where('failed_at', 'is not', null).executeTakeFirstOrThrow();
      expect(Number(stillFailed.n)).toBe(0);

      await failAll();
      expect(await service.clean(admin.user.id, 'blog-publish', 'failed', 0)).toEqual({ removed: JOBS });
      expect(await q.getJobCountByTypes('failed')).toBe(0);

      // No step held more than a page: every read and every move was bounded.
      const span = (start = 0, end = -1) => (end < 0 ? Infinity : end - start + 1);
      for (const [, start, end] of ranges.mock.calls) expect(span(start, end)).toBeLessThanOrEqual(PAGE);
      for (const [, start, end] of lists.mock.calls) expect(span(start, end)).toBeLessThanOrEqual(PAGE);
      expect(ranges.mock.calls.length).toBeGreaterThanOrEqual(JOBS / PAGE);
      for (const [opts] of retries.mock.calls) expect(opts?.count).toBeLessThanOrEqual(PAGE);
      for (const [, limit] of cleans.mock.calls) expect(limit).toBeLessThanOrEqual(PAGE);
      expect(cleans.mock.calls.length).toBeGreaterThanOrEqual(JOBS / PAGE);
      await db.updateTable('outbox').set({ completed_at: new Date() }).where('id', 'in', rows.map((r) => r.id)).execute();
    } finally {
      vi.restoreAllMocks();
      await queues.close();
      await deleteRedisPrefix(prefix);
      await connection.quit();
    }
  }, 240_000);
});

describe('access', () => {
  it('answers every queue route with 403 for other roles', async () => {
    const creator = await t.user('CREATOR');
    for (const [method, path] of [
      ['GET', '/api/admin/jobs/queues'], ['GET', '/api/admin/jobs/schedulers'], ['GET', '/api/admin/jobs/queues/notification-delivery/jobs'],
      ['POST', '/api/admin/jobs/queues/notification-delivery/pause'], ['POST', '/api/admin/jobs/notification-delivery/1/retry'],
      ['GET', '/api/admin/jobs/notification-delivery/1'], ['DELETE', '/api/admin/jobs/notification-delivery/1'], ['GET', '/api/admin/jobs/audit'],
      ['GET', '/api/admin/jobs/aggregation/logs'],
    ] as const) {
      const res = await t.call(method, path, { as: creator });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });
});

describe('GET /api/admin/jobs/aggregation/logs', () => {
  it('filters by type, status and period, paginates with 50 by default, newest first', async () => {
    const db = t.app.database.db;
    const rows = Array.from({ length: 60 }, (_, i) => ({
      job_type: (['hourly', 'daily'] as const)[i % 2]!, status: (['COMPLETED', 'FAILED', 'PARTIAL'] as const)[i % 3]!,
      period_start_date: new Date(Date.UTC(2025, 9, 1 + (i % 20))), period_end_date: new Date(Date.UTC(2025, 9, 2 + (i % 20))),
      started_at: new Date(Date.UTC(2025, 9, 1, 0, i)), records_processed: i, metadata: JSON.stringify({ i }),
    }));
    await db.insertInto('metrics_aggregation_jobs_log').values(rows).execute();
    const all = await get('/api/admin/jobs/aggregation/logs');
    expect(all.body.pagination).toEqual({ page: 1, pageSize: 50, total: 60, totalPages: 2 });
    expect(all.body.data[0]).toMatchObject({ recordsProcessed: 59, jobType: 'daily', status: 'PARTIAL', metadata: { i: 59 }, completedAt: null, errorMessage: null });
    expect(Object.keys(all.body.data[0]).sort()).toEqual(['completedAt', 'createdAt', 'durationSeconds', 'errorMessage', 'errorStack', 'errorsCount', 'id', 'jobType',
      'memoryUsedMb', 'metadata', 'periodEndDate', 'periodStartDate', 'recordsCreated', 'recordsProcessed', 'recordsUpdated', 'startedAt', 'status'].sort());
    const filtered = await get('/api/admin/jobs/aggregation/logs?jobType=hourly&status=FAILED&startDate=2025-10-05&endDate=2025-10-11T00:00:00Z&pageSize=100');
    const expected = rows.filter((r) => r.job_type === 'hourly' && r.status === 'FAILED' && r.period_start_date >= new Date('2025-10-05') && r.period_end_date <= new Date('2025-10-11'));
    expect(filtered.body.pagination.total).toBe(expected.length);
    for (const q of ['jobType=minutely', 'status=DONE', 'startDate=yesterday', 'pageSize=101']) {
      expect((await get(`/api/admin/jobs/aggregation/logs?${q}`)).status).toBe(400);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { REDIS_ENV } from '../helpers/env.js';
import { spawnHerald } from '../helpers/processes.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxSettled } from '../helpers/wait.js';

let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, WORKER_HEARTBEAT_MS: '200', HEALTH_FAILURE_MIN_JOBS: '3', HEALTH_FAILURE_RATE: '0.25' });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

describe('GET /api/admin/jobs/health', () => {
  it('is healthy with workers, schedules and both stores up, in the contract shape', async () => {
    const res = await t.call('GET', '/api/admin/jobs/health', { as: admin });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      healthy: true, redis: { healthy: true }, postgres: { healthy: true },
      email: {
        healthy: true, scheduledJobs: 5, // the digests' four and notification-retention (issue 17)
        workers: { 'notification-delivery': { isRunning: true }, 'notification-digest': { isRunning: true }, 'notification-fanout': { isRunning: true } },
      },
    });
    expect(res.body.data.email.schedules.map((s: { id: string }) => s.id)).toContain('digest-daily');
    // One group per job family, each with its queues' workers.
    expect(Object.keys(res.body.data)).toEqual(expect.arrayContaining(['email', 'analytics', 'search', 'previews', 'blog']));
    expect(res.body.data.search).toMatchObject({
      healthy: true,
      workers: { 'search-index-update': { isRunning: true }, 'search-index-bulk': { isRunning: true }, 'search-index-reindex': { isRunning: true } },
    });
    expect(res.body.data.search.schedules.map((s: { id: string }) => s.id)).toEqual(['search-reindex']);
    expect(res.body.data.previews.workers['file-preview-generation']).toEqual({ isRunning: true });
    expect(res.body.data.blog).toMatchObject({ healthy: true, scheduledJobs: expect.any(Number) });
  });

  it('turns red when a scheduler is overdue (time injected)', async () => {
    const scheduler = await t.app.queues.get('notification-digest').getJobScheduler('digest-daily');
    const later = new Date(scheduler!.next! + 10 * 60_000);
    const { JobHealthService } = await import('../../src/admin/job-health.service.js');
    const service = new JobHealthService({ db: t.app.database.db, queues: t.app.queues, redis: t.app.redis, prefix: t.prefix, health: t.app.services.health, config: t.app.config });
    const report = await service.report(later);
    expect(report.healthy).toBe(false);
    expect((report as { email: { problems: string[] } }).email.problems.some((p) => p.startsWith('digest-daily: overdue'))).toBe(true);
  });

  it('turns red when jobs fail too often in the last 15 minutes', async () => {
    const bounces = await Promise.all([1, 2, 3, 4].map((i) => t.app.services.users.createUser({ email: `b${i}-${Date.now()}@reject.test`, password: 'password-123', role: 'VIEWER' })));
    for (const u of bounces) await t.app.services.notifications.notify({ userIds: [u.id], type: 'SYSTEM', title: 'x', message: 'y' });
    const settled = await outboxSettled(t.app);
    expect(settled.drained).toBe(true);
    expect(settled.failed.map((r) => r.queue)).toEqual(Array(4).fill('notification-delivery'));
    const res = await t.call('GET', '/api/admin/jobs/health', { as: admin });
    expect(res.body.data.healthy).toBe(false);
    expect(res.body.data.email.healthy).toBe(false);
    expect(res.body.data.email.failureRates['notification-delivery'].failed).toBeGreaterThanOrEqual(4);
    expect(res.body.data.email.problems.join(' ')).toMatch(/notification-delivery: \d+% of jobs failed/);
  });

  it('reports groups without workers or schedules as unhealthy', async () => {
    const apiOnly = await createTestApp({}, { roles: ['api'] });
    try {
      const res = await apiOnly.call('GET', '/api/admin/jobs/health', { as: await apiOnly.admin() });
      expect(res.body.data.healthy).toBe(false);
      expect(res.body.data.email.workers['notification-delivery']).toEqual({ isRunning: false, error: 'no live worker serves this queue' });
      expect(res.body.data.email.problems).toContain('digest-daily: schedule not registered (no scheduler process has run)');
    } finally {
      await apiOnly.close();
    }
  });

  it('is for admins only', async () => {
    const viewer = await t.user('VIEWER');
    const res = await t.call('GET', '/api/admin/jobs/health', { as: viewer });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, error: 'Forbidden: Admin access required' });
    expect((await t.call('GET', '/api/admin/jobs/workers', { as: viewer })).status).toBe(403);
  });
});

describe('worker heartbeats', () => {
  it('lists live workers with their facts; a killed worker disappears when its heartbeat expires', async () => {
    const list = async () => (await t.call('GET', '/api/admin/jobs/workers', { as: admin })).body.data as Array<{ id: string; pid: number; queues: string[]; lastSeenAt: string; activeJobs: number; concurrency: Record<string, number>; host: string; startedAt: string }>;
    const mine = (await list()).find((w) => w.pid === process.pid);
    expect(mine).toMatchObject({ host: expect.any(String), queues: expect.arrayContaining(['notification-delivery']), activeJobs: expect.any(Number), startedAt: expect.any(String) });
    expect(mine!.concurrency['notification-fanout']).toBe(2);
    expect(Date.now() - Date.parse(mine!.lastSeenAt)).toBeLessThan(2_000);

    const other = spawnHerald(['worker', '--queues', 'notification-digest'], {
      DATABASE_URL: t.databaseUrl, ...REDIS_ENV, QUEUE_PREFIX: t.prefix, WORKER_HEARTBEAT_MS: '200',
    });
    // Every 400 ms: the admin API allows 100 requests a minute, and a slow start (tsx, a cluster) polls long.
    expect(await waitFor(async () => (await list()).some((w) => w.pid === other.child.pid), 30_000, 400), other.output()).toBe(true);
    expect((await list()).find((w) => w.pid === other.child.pid)!.queues).toEqual(['notification-digest']);
    other.child.kill('SIGKILL');
    await other.exited;
    expect(await waitFor(async () => !(await list()).some((w) => w.pid === other.child.pid), 5_000, 100)).toBe(true);
  }, 60_000);
});

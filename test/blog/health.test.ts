import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobHealthService } from '../../src/admin/job-health.service.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { draft, inMs, jobDueAt, schedule } from './helpers.js';

let t: TestApp;
let admin: Session;
let author: Session;

const GRACE_MS = 60_000;

beforeAll(async () => {
  // A day of schedule grace: injected times far ahead judge the posts, not the every-minute reconciler.
  t = await createTestApp({ BLOG_PUBLISH_GRACE_MS: String(GRACE_MS), SCHEDULE_GRACE_MS: '86400000', WORKER_HEARTBEAT_MS: '200' });
  [admin, author] = await Promise.all([t.admin(), t.user('CREATOR')]);
});
afterAll(() => t.close());

const health = async () => (await t.call('GET', '/api/admin/jobs/health', { as: admin })).body.data;
const reportAt = (app: TestApp, now: Date) => new JobHealthService({
  db: app.app.database.db, queues: app.app.queues, redis: app.app.redis, prefix: app.prefix, health: app.app.services.health, config: app.app.config,
  probes: { blog: (at) => app.app.services.blogPublishing.health(at) },
}).report(now) as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Scheduled by the first test, an hour apart; the third is unscheduled again. */
const posts: Array<{ id: string; at: Date }> = [];

describe('GET /api/admin/jobs/health: the blog group', () => {
  it('counts the delayed publish jobs (not the reconciler\'s next run) and is healthy with a worker', async () => {
    expect((await health()).blog).toMatchObject({ healthy: true, scheduledJobs: 0, workers: { 'blog-publish': { isRunning: true } }, problems: [] });
    for (const hours of [1, 2, 3]) {
      const post = await draft(t, author);
      const at = inMs(hours * 3_600_000);
      expect((await schedule(t, author, post.id, at)).status).toBe(200);
      expect(await jobDueAt(t, post.id, at)).toBe(true);
      posts.push({ id: post.id, at });
    }
    const data = await health();
    expect(data.healthy).toBe(true);
    expect(data.blog).toMatchObject({ healthy: true, scheduledJobs: 3 });
    expect(data.blog.schedules).toEqual([expect.objectContaining({ id: 'blog-reconcile', pattern: '* * * * *', overdue: false })]);
    await t.call('DELETE', `/api/blog/posts/${posts[2]!.id}/schedule`, { as: author });
    expect(await waitFor(async () => (await health()).blog.scheduledJobs === 2, 10_000)).toBe(true);
  });

  it('turns red when a post is overdue by more than BLOG_PUBLISH_GRACE_MS (time injected)', async () => {
    const first = posts[0]!.at.getTime();
    const within = await reportAt(t, new Date(first + GRACE_MS - 1_000));
    expect(within.blog).toMatchObject({ healthy: true, problems: [] });
    const past = await reportAt(t, new Date(first + GRACE_MS + 1_000));
    expect(past.healthy).toBe(false);
    expect(past.blog).toMatchObject({ healthy: false, scheduledJobs: 2, problems: ['blog-publish: 1 scheduled post is unpublished more than 60 s past their time'] });
    const both = await reportAt(t, new Date(posts[1]!.at.getTime() + GRACE_MS + 1_000));
    expect(both.blog.problems).toEqual(['blog-publish: 2 scheduled posts are unpublished more than 60 s past their time']);
  });

  it('turns red when no worker serves blog-publish', async () => {
    const apiOnly = await createTestApp({}, { roles: ['api', 'scheduler'] });
    try {
      const res = await apiOnly.call('GET', '/api/admin/jobs/health', { as: await apiOnly.admin() });
      expect(res.body.data.blog).toMatchObject({
        healthy: false, scheduledJobs: 0, workers: { 'blog-publish': { isRunning: false, error: 'no live worker serves this queue' } },
      });
      expect(res.body.data.blog.problems).toContain('blog-publish: no live worker');
    } finally {
      await apiOnly.close();
    }
  });
});

describe('GET /api/admin/jobs/blog/scheduled', () => {
  it('lists SCHEDULED posts by time with their job state, paged, for admins only', async () => {
    const res = await t.call('GET', '/api/admin/jobs/blog/scheduled', { as: admin });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, pageSize: 20, total: 2, totalPages: 1 });
    expect(res.body.data).toEqual(posts.slice(0, 2).map((p) => ({
      id: p.id, title: expect.any(String), authorId: author.user.id, announcement: false, publishAt: p.at.toISOString(), overdue: false, job: 'delayed',
    })));
    expect((await t.call('GET', '/api/admin/jobs/blog/scheduled?pageSize=1&page=2', { as: admin })).body.data.map((p: { id: string }) => p.id)).toEqual([posts[1]!.id]);
    await t.app.queues.get('blog-publish').remove(posts[1]!.id);
    expect((await t.call('GET', '/api/admin/jobs/blog/scheduled', { as: admin })).body.data[1].job).toBe('unknown');
    expect((await t.call('GET', '/api/admin/jobs/blog/scheduled?pageSize=0', { as: admin })).status).toBe(400);
    const res403 = await t.call('GET', '/api/admin/jobs/blog/scheduled', { as: author });
    expect(res403).toMatchObject({ status: 403, body: { success: false, error: 'Forbidden: Admin access required' } });
  });
});

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type HeraldClient } from '../../packages/client/src/index.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { checkedFetch, failure } from './helpers.js';

/** Every admin, catalog, search and analytics method of the client, against the real service. */
let t: TestApp;
let admin: HeraldClient;
let creator: Session;
const checked: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ JOB_ATTEMPTS: '1' });
  admin = createHeraldClient({ baseUrl: t.url, token: (await t.admin()).token, fetch: checkedFetch(t, checked) });
  creator = await t.user('CREATOR');
});
afterAll(() => t?.close());

const as = (session: Session) => createHeraldClient({ baseUrl: t.url, token: session.token, fetch: checkedFetch(t, checked) });
const yesterday = () => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000).toISOString();

describe('adminJobsApi', () => {
  it('reads health, logs, stats, workers, queues, schedules, audit, runs and emails', async () => {
    const health = await admin.adminJobs.health();
    expect(health.data.redis).toEqual({ healthy: true });
    expect(health.data.email).toMatchObject({ healthy: expect.any(Boolean), workers: expect.any(Object) });
    expect((await admin.adminJobs.aggregationLogs({ pageSize: 5, status: 'FAILED' })).pagination).toMatchObject({ page: 1, pageSize: 5 });
    expect(Object.keys((await admin.adminJobs.searchIndexStats()).data)).toEqual(['realtime', 'bulk', 'reindex']);
    expect((await admin.adminJobs.notificationStats()).data.delivery).toEqual({ waiting: expect.any(Number), active: expect.any(Number), completed: expect.any(Number), failed: expect.any(Number) });
    expect((await admin.adminJobs.workers()).data.length).toBeGreaterThan(0);
    expect((await admin.adminJobs.queues()).data.map((q) => q.name)).toContain('notification-delivery');
    expect((await admin.adminJobs.schedulers()).data.map((s) => s.id)).toContain('digest-daily');
    expect((await admin.adminJobs.jobs('notification-delivery', { state: 'completed', pageSize: 5 })).pagination.pageSize).toBe(5);
    expect((await admin.adminJobs.audit({ page: 1 })).success).toBe(true);
    expect((await admin.adminJobs.searchIndexRuns()).success).toBe(true);
    expect((await admin.adminJobs.emails({ status: 'captured' })).success).toBe(true);
  });

  it('starts jobs, pauses and resumes, retries a failed job and maps the retry errors', async () => {
    expect((await admin.adminJobs.runDigest({ frequency: 'DAILY' })).data.jobId).toMatch(/^digest-run-DAILY-/);
    expect((await admin.adminJobs.runAggregation({ jobType: 'daily', periodStart: yesterday() })).data.jobId).toMatch(/^analytics-run-/);
    expect((await admin.adminJobs.reindex()).data.jobId).toBeTruthy();
    expect((await admin.adminJobs.pause('search-index-bulk')).data).toEqual({ paused: true });
    expect((await admin.adminJobs.resume('search-index-bulk')).data).toEqual({ paused: false });
    expect((await admin.adminJobs.promote('search-index-bulk')).data).toEqual({ count: 0 });
    expect((await admin.adminJobs.clean('search-index-bulk', { state: 'completed', olderThanMs: 0 })).data).toEqual({ removed: expect.any(Number) });

    // A job that fails for good (its payload fails the registry's schema: no notification ids), then succeeds no better on retry.
    const queue = t.app.queues.get('notification-delivery');
    const job = await queue.add('NotificationsDeliver', { notificationIds: null as never }, { attempts: 1 });
    expect(await waitFor(async () => (await job.getState()) === 'failed', 15_000)).toBe(true);
    expect((await admin.adminJobs.getJob('notification-delivery', job.id!)).data).toMatchObject({ state: 'failed', failedReason: 'Invalid payload of notification-delivery/NotificationsDeliver: notificationIds: Invalid input: expected array, received null' });
    expect((await admin.adminJobs.retry('notification-delivery', job.id!)).data).toEqual({ jobId: job.id, status: 'retried' });
    expect(await waitFor(async () => (await job.getState()) === 'failed', 15_000)).toBe(true);
    expect((await admin.adminJobs.retryFailed('notification-delivery')).data.count).toBeGreaterThanOrEqual(1);
    expect(await waitFor(async () => (await job.getState()) === 'failed', 15_000)).toBe(true);
    const completed = await queue.add('NotificationsDeliver', { notificationIds: [] });
    expect(await waitFor(async () => (await completed.getState()) === 'completed', 15_000)).toBe(true);
    const notFailed = await failure(admin.adminJobs.retry('notification-delivery', completed.id!));
    expect([notFailed.status, notFailed.message]).toEqual([400, 'Cannot retry job']);
    expect(await admin.adminJobs.removeJob('notification-delivery', job.id!)).toEqual({ success: true });
    const missing = await failure(admin.adminJobs.retry('notification-delivery', job.id!));
    expect([missing.status, missing.message]).toEqual([404, 'Job not found']);
  });
});

describe('admin, catalog, search and analytics', () => {
  it('creates users and notifications and follows a fan-out', async () => {
    const created = await admin.admin.createUser({ email: `c-${Date.now()}@test.local`, password: 'password-123', role: 'BRAND', name: 'Brand' });
    expect(created.data).toMatchObject({ role: 'BRAND', name: 'Brand' });
    const direct = await admin.admin.notify({ userIds: [created.data.id], type: 'SYSTEM', title: 'Hi', message: 'Hello', idempotencyKey: 'k-1' });
    expect(direct.data).toMatchObject({ created: 1, replayed: false });
    expect((await admin.admin.notify({ userIds: [created.data.id], type: 'SYSTEM', title: 'Hi', message: 'Hello', idempotencyKey: 'k-1' })).data.replayed).toBe(true);
    const fanout = await admin.admin.notify({ role: 'BRAND', type: 'SYSTEM', title: 'All brands', message: 'Hello brands' });
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await admin.admin.notificationBatch(fanout.data.batchId)).data).toMatchObject({ id: fanout.data.batchId, target: 'role', role: 'BRAND' });
  });

  it('does the five routes of each catalog resource', async () => {
    const mine = as(creator);
    const profile = await mine.catalog.creators.create({ stageName: 'Ada', specialties: ['Ink'] });
    expect(profile.data).toMatchObject({ stageName: 'Ada', specialties: ['ink'] });
    expect((await mine.catalog.creators.get(profile.data.id)).data.id).toBe(profile.data.id);
    expect((await mine.catalog.creators.update(profile.data.id, { bio: 'Draws.' })).data.bio).toBe('Draws.');
    expect((await mine.catalog.creators.list({ specialty: 'ink' })).data.map((c) => c.id)).toContain(profile.data.id);
    const asset = await mine.catalog.assets.create({ title: 'Sketch', type: 'IMAGE', status: 'PUBLISHED', tags: ['ink'] });
    expect((await mine.catalog.assets.bulkCreate({ assets: [{ title: 'Two', type: 'AUDIO' }] })).data).toHaveLength(1);
    expect((await mine.catalog.assets.list({ type: 'IMAGE' })).data.map((a) => a.id)).toEqual([asset.data.id]);

    const brandUser = await t.user('BRAND');
    const brand = await as(brandUser).catalog.brands.create({ companyName: 'Acme' });
    expect((await as(brandUser).catalog.projects.create({ title: 'Launch', status: 'ACTIVE' })).data.brandId).toBe(brand.data.id);
    expect((await as(brandUser).catalog.projects.list()).pagination.total).toBe(1);
    const license = await admin.catalog.licenses.create({ assetId: asset.data.id, brandId: brand.data.id, startsAt: new Date().toISOString() });
    expect((await mine.catalog.licenses.list({ assetId: asset.data.id })).data.map((l) => l.id)).toEqual([license.data.id]);
    expect((await admin.catalog.brands.list()).pagination.total).toBeGreaterThanOrEqual(1);
    expect(await admin.catalog.licenses.delete(license.data.id)).toEqual({ success: true });
    expect((await failure(mine.catalog.creators.get('not-an-id'))).status).toBe(404);
  });

  it('searches and reads analytics', async () => {
    const mine = as(creator);
    expect((await mine.search.unified({ q: 'sketch' })).data.pagination.page).toBe(1);
    expect((await mine.search.assets({ q: 'sketch', assetType: 'IMAGE' })).data.query).toBe('sketch');
    expect((await mine.search.creators({ q: 'ada' })).success).toBe(true);
    expect((await mine.search.projects({ q: 'launch' })).success).toBe(true);
    expect((await mine.analytics.ingest({ events: [{ eventType: 'asset_viewed' }] })).data).toEqual({ accepted: 1, duplicates: 0 });
    expect((await admin.analytics.platformOverview({ granularity: 'week' })).data.granularity).toBe('week');
    expect((await admin.analytics.platformAssets({ limit: 3 })).data.top).toEqual(expect.any(Array));
    expect((await admin.analytics.platformProjects()).success).toBe(true);
    const profile = (await mine.catalog.creators.list({ userId: creator.user.id })).data[0]!;
    expect((await mine.analytics.creator(profile.id)).data.totals).toMatchObject({ views: expect.any(Number) });
    expect((await failure(mine.analytics.brand('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('writes, schedules and lists blog posts; uploads and downloads an asset file; lists missing previews', async () => {
    const author = as(await t.user('CREATOR'));
    const post = await author.blog.posts.create({ title: 'Launch notes', content: 'Soon.' });
    expect(post.data).toMatchObject({ title: 'Launch notes', status: 'DRAFT' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await author.blog.schedule(post.data.id, at)).data).toMatchObject({ status: 'SCHEDULED', publishAt: at });
    expect((await admin.blog.scheduled()).data.map((p) => p.id)).toContain(post.data.id);
    expect((await author.blog.unschedule(post.data.id)).data.status).toBe('DRAFT');
    expect((await author.blog.posts.update(post.data.id, { excerpt: 'Short.' })).data.excerpt).toBe('Short.');
    expect((await author.blog.posts.list({ status: 'DRAFT' })).data.map((p) => p.id)).toEqual([post.data.id]);
    expect(await author.blog.posts.delete(post.data.id)).toEqual({ success: true });

    const mine = as(creator);
    const asset = await mine.catalog.assets.create({ title: 'Pixel', type: 'IMAGE' });
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c00' } }).png().toBuffer();
    const uploaded = await mine.catalog.assets.upload(asset.data.id, new Blob([new Uint8Array(png)], { type: 'image/png' }), 'pixel.png');
    expect(uploaded.data).toMatchObject({ id: asset.data.id, mimeType: 'image/png', fileSize: png.length });
    const file = await fetch(mine.catalog.assets.fileUrl(asset.data.id), { headers: { authorization: `Bearer ${creator.token}` } });
    expect([file.status, Buffer.from(await file.arrayBuffer()).equals(png)]).toEqual([200, true]);
    expect(mine.catalog.assets.thumbnailUrl(asset.data.id, 400)).toBe(`${t.url}/api/assets/${asset.data.id}/thumbnail?size=400`);
    expect((await admin.adminJobs.missingPreviews()).success).toBe(true);
    expect((await admin.adminJobs.runPreviews({ missing: true })).data).toEqual({ queued: expect.any(Number) });
  });

  it('calls any operation by key, typed from the document', async () => {
    const health = await admin.call('GET /api/health');
    expect(health.data).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
    const page = await admin.call('GET /api/admin/jobs/queues/{queue}/jobs', { params: { queue: 'notification-digest' }, query: { state: 'completed' } });
    expect(page.pagination.page).toBe(1);
  });

  it('had every answer above checked against its documented schema', () => {
    const adminJobs = ['GET /api/admin/jobs/health', 'GET /api/admin/jobs/aggregation/logs', 'GET /api/admin/jobs/search-index/stats', 'GET /api/admin/jobs/notifications/stats', 'POST /api/admin/jobs/:queueName/:jobId/retry'];
    for (const operation of adminJobs) expect(checked, operation).toContain(operation);
    expect(new Set(checked).size).toBeGreaterThan(40);
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { periodStartOf } from '../../src/analytics/analytics.periods.js';
import { deleteRedisPrefix } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { assetWhen, creatorAsset, createMediaApp, upload, type MediaTestApp } from '../media/helpers.js';
import { makeAudio, mediaDir } from '../previews/media.fixtures.js';

/**
 * Issue 16, point 9: admin-triggered runs (aggregation, reindex, preview re-runs) are as durable
 * as every other job. The API process answers 202; before any relay moved the work to BullMQ,
 * Redis loses everything of this test's prefix (what FLUSHALL does to it). Then a worker starts:
 * every run still happens.
 */
const DAY_MS = 86_400_000;
const dir = mediaDir();
let m: MediaTestApp;
let worker: App | null = null;

beforeAll(async () => {
  // The API process alone: no relay, no worker.
  m = await createMediaApp({}, { roles: ['api'] });
});
afterAll(async () => {
  await worker?.stop();
  await m?.close();
});

describe('admin runs survive Redis losing its data before the relay', () => {
  it('an aggregation run, a reindex and a preview re-run all run after a flush', async () => {
    const { t } = m;
    const admin = await t.admin();
    // An audio asset through its upload pipeline first (scan, preview), so only the admin run is left.
    const audio = await creatorAsset(t, 'AUDIO');
    expect((await upload(t, audio.session, audio.assetId, await readFile(await makeAudio(path.join(dir.path, 'a.wav'), { seconds: 2 })))).status).toBe(200);
    worker = await t.sibling({ roles: ['worker'] });
    await assetWhen(t, audio.session, audio.assetId, (a) => a.metadata?.previewGenerated === true);
    expect(await outboxDrained(t.app)).toBe(true);
    await worker.stop();
    worker = null;

    const day = new Date(periodStartOf('daily', new Date()).getTime() - 3 * DAY_MS);
    const aggregation = await t.call('POST', '/api/admin/jobs/aggregation/run', { as: admin, body: { jobType: 'daily', periodStart: day.toISOString() } });
    const reindex = await t.call('POST', '/api/admin/jobs/search-index/reindex', { as: admin });
    const preview = await t.call('POST', '/api/admin/jobs/previews/run', { as: admin, body: { assetId: audio.assetId } });
    expect([aggregation.status, reindex.status, preview.status]).toEqual([202, 202, 202]);

    await deleteRedisPrefix(t.prefix);
    worker = await t.sibling({ roles: ['worker'] });

    const db = t.app.database.db;
    await expect.poll(async () => (await db.selectFrom('metrics_aggregation_jobs_log').select('status')
      .where('job_type', '=', 'daily').where('period_start_date', '=', day).execute()).map((r) => r.status), { timeout: 20_000 }).toContain('COMPLETED');
    await expect.poll(async () => (await db.selectFrom('search_reindex_runs').select('status').where('trigger', '=', 'manual').execute()).map((r) => r.status), { timeout: 20_000 }).toEqual(['COMPLETED']);
    const previews = worker.queues.get('file-preview-generation');
    await expect.poll(async () => previews.getJobState(preview.body.data.jobId), { timeout: 20_000 }).toBe('completed');
    expect((await previews.getJob(preview.body.data.jobId))?.data).toMatchObject({ assetId: audio.assetId, trigger: 'admin' });
    // Nothing left over: the rows of fixed-id jobs are completed by the worker.
    expect(await outboxDrained(t.app)).toBe(true);
  }, 90_000);
});

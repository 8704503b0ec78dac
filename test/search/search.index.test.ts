import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

let t: TestApp;
let admin: Session;
let creator: Session;
let creatorId: string;

const hits = async (as: Session, q: string, path = '/api/search/unified') =>
  (await t.call('GET', `${path}?q=${encodeURIComponent(q)}&pageSize=100`, { as })).body.data;
const docCount = async (app: App, type: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM search_documents WHERE entity_type = ${type}`.execute(app.database.db)).rows[0]!.n);

async function finished(app: App, jobId: string) {
  const queue = app.queues.get('search-index-reindex');
  expect(await waitFor(async () => (await queue.getJob(jobId))?.finishedOn !== undefined, 60_000, 50)).toBe(true);
  return (await queue.getJob(jobId))!;
}

beforeAll(async () => {
  t = await createTestApp();
  [admin, creator] = await Promise.all([t.admin(), t.user('CREATOR')]);
  creatorId = await fixtures(t.app).creator(creator.user.id, 'Ada Realtime');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('realtime updates', () => {
  it('makes a saved entity findable after its job, follows an update, and a delete removes it', async () => {
    const f = fixtures(t.app);
    const id = await f.asset(creatorId, 'Glacier panorama');
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await hits(admin, 'glacier')).results.map((r: { id: string }) => r.id)).toEqual([id]);

    await f.updateAsset(id, { title: 'Volcano panorama' });
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await hits(admin, 'glacier')).results).toEqual([]);
    expect((await hits(admin, 'volcano')).results.map((r: { id: string }) => r.id)).toEqual([id]);

    await f.deleteAsset(id);
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await hits(admin, 'volcano')).results).toEqual([]);
    expect(await docCount(t.app, 'asset')).toBe(0);
  });

  it('refreshes the documents built from an entity when it changes (a creator renamed, then deleted)', async () => {
    const f = fixtures(t.app);
    const other = await t.user('CREATOR');
    const otherId = await f.creator(other.user.id, 'Old Name');
    const asset = await f.asset(otherId, 'Harbour lights');
    expect(await outboxDrained(t.app)).toBe(true);
    await t.app.database.db.transaction().execute(async (tx) => {
      await tx.updateTable('creators').set({ stage_name: 'New Name', version: sql<number>`version + 1` }).where('id', '=', otherId).execute();
      await (await import('../../src/search/search.enqueue.js')).indexInTx(tx, 'creator', otherId);
    });
    expect(await outboxDrained(t.app)).toBe(true);
    const result = (await hits(admin, 'harbour')).results[0];
    expect(result.metadata.creatorName).toBe('New Name');
    await t.app.database.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('creators').where('id', '=', otherId).execute();
      await (await import('../../src/search/search.enqueue.js')).indexInTx(tx, 'creator', otherId);
    });
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await hits(admin, 'harbour')).results).toEqual([]);
    expect(asset).toBeTruthy();
  });

  it('ends a burst of 100 updates to one entity with its last state', async () => {
    const f = fixtures(t.app);
    const id = await f.asset(creatorId, 'Burst 0');
    for (let i = 1; i <= 100; i++) await f.updateAsset(id, { title: `Burst ${i}`, description: i === 100 ? 'final flamingo' : `step ${i}` });
    expect(await outboxDrained(t.app)).toBe(true);
    const doc = await t.app.database.db.selectFrom('search_documents').select(['title', 'source_version']).where('entity_id', '=', id).executeTakeFirstOrThrow();
    expect(doc).toEqual({ title: 'Burst 100', source_version: 101 });
    expect((await hits(admin, 'flamingo')).results.map((r: { id: string }) => r.id)).toEqual([id]);
    await f.deleteAsset(id);
    expect(await outboxDrained(t.app)).toBe(true);
  });
});

describe('deduplication while waiting', () => {
  it('collapses the waiting jobs of one entity into one run that completes every outbox row', async () => {
    const api = await createTestApp({}, { roles: ['api'] });
    try {
      const creatorSession = await api.user('CREATOR');
      const f = fixtures(api.app);
      const owner = await f.creator(creatorSession.user.id, 'Dedup Creator');
      const id = await f.asset(owner, 'Version 0');
      for (let i = 1; i <= 50; i++) await f.updateAsset(id, { title: `Version ${i}` });
      const worker = await api.sibling({ roles: ['worker'] });
      try {
        expect(await outboxDrained(worker)).toBe(true);
        expect(await queueIdle(worker, 'search-index-update')).toBe(true);
        const counts = await worker.queues.get('search-index-update').getJobCounts('completed', 'failed');
        // The creator's job and the asset's 51 rows: two runs, every row completed.
        expect(counts).toEqual({ completed: 2, failed: 0 });
        const doc = await worker.database.db.selectFrom('search_documents').select('title').where('entity_id', '=', id).executeTakeFirstOrThrow();
        expect(doc.title).toBe('Version 50');
      } finally {
        await worker.stop();
      }
    } finally {
      await api.close();
    }
  });
});

describe('bulk import', () => {
  it('indexes an import through the bulk queue in chunks of 1,000', async () => {
    const f = fixtures(t.app);
    const ids = await f.importAssets(creatorId, 2_500, (i) => `Imported manuscript ${i}`);
    const rows = await t.app.database.db.selectFrom('outbox').select(['payload']).where('queue', '=', 'search-index-bulk').execute();
    expect(rows.map((r) => (r.payload as { entityIds: string[] }).entityIds.length)).toEqual([1_000, 1_000, 500]);
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await docCount(t.app, 'asset')).toBe(2_500);
    // Past SEARCH_MAX_CANDIDATES (500 by default) matches, the total is a lower bound.
    expect((await hits(admin, 'manuscript', '/api/search/assets')).pagination).toMatchObject({ total: 500, totalIsExact: false });
    await t.app.database.db.deleteFrom('ip_assets').where('id', 'in', ids).execute();
    await t.app.services.search.index.bulk('asset', ids);
    expect(await docCount(t.app, 'asset')).toBe(0);
  });
});

describe('full reindex', () => {
  it('repairs a hand-corrupted index, reports the drift, and records the run', async () => {
    const f = fixtures(t.app);
    const [a, b, c] = [await f.asset(creatorId, 'Aurora one'), await f.asset(creatorId, 'Aurora two'), await f.asset(creatorId, 'Aurora three')];
    expect(await outboxDrained(t.app)).toBe(true);
    const db = t.app.database.db;
    await db.deleteFrom('search_documents').where('entity_id', '=', a).execute();
    await sql`UPDATE search_documents SET title = 'Corrupted', document = to_tsvector('english', 'corrupted') WHERE entity_id = ${b}`.execute(db);
    await sql`UPDATE search_documents SET is_public = false WHERE entity_id = ${c}`.execute(db);
    await sql`INSERT INTO search_documents SELECT 'asset', ${randomUUID()}::uuid, 'Ghost aurora', body, document, title_document, metadata, is_public, viewer_ids, parent_ids,
      status, asset_type, tags, creator_id, project_id, brand_id, created_at, updated_at, source_version, indexed_at FROM search_documents WHERE entity_id = ${c}`.execute(db);

    const res = await t.call('POST', '/api/admin/jobs/search-index/reindex', { as: admin });
    expect(res.status).toBe(202);
    const job = await finished(t.app, res.body.data.jobId);
    expect(job.returnvalue).toMatchObject({ added: 1, fixed: 2, removed: 1 });
    expect(job.returnvalue.documents).toBeGreaterThanOrEqual(4);
    expect((await hits(admin, 'aurora')).results.map((r: { title: string }) => r.title).sort()).toEqual(['Aurora one', 'Aurora three', 'Aurora two']);
    expect((await hits(creator, 'aurora')).results).toHaveLength(3);

    const runs = await t.call('GET', '/api/admin/jobs/search-index/runs', { as: admin });
    expect(runs.body.data[0]).toMatchObject({ trigger: 'manual', status: 'COMPLETED', added: 1, fixed: 2, removed: 1 });
    const again = await t.app.services.search.index.reindex('test');
    expect(again).toMatchObject({ added: 0, fixed: 0, removed: 0 });
  });

  it('joins a running manual reindex: requests while it runs return its job, and one run happens', async () => {
    const reindexQueue = t.app.queues.get('search-index-reindex');
    const manualJobs = async () => (await reindexQueue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized']))
      .filter((j) => j.data.trigger === 'manual').length;
    const runsBefore = (await t.call('GET', '/api/admin/jobs/search-index/runs', { as: admin })).body.data.length;
    const jobsBefore = await manualJobs();
    // The run blocks on its first write (the run log) while a transaction holds the table: it is active, not finished.
    const blocker = await t.app.database.pool.connect();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await blocker.query('ROLLBACK');
      blocker.release();
    };
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE search_reindex_runs IN ACCESS EXCLUSIVE MODE');
      const first = await t.call('POST', '/api/admin/jobs/search-index/reindex', { as: admin });
      expect(first.status).toBe(202);
      const jobId = first.body.data.jobId;
      expect(await waitFor(async () => (await reindexQueue.getJob(jobId))?.processedOn !== undefined && (await reindexQueue.getJobCountByTypes('active')) === 1, 30_000, 50)).toBe(true);

      const again = await Promise.all([1, 2].map(() => t.call('POST', '/api/admin/jobs/search-index/reindex', { as: admin })));
      expect(again.map((r) => [r.status, r.body.data.jobId])).toEqual([[202, jobId], [202, jobId]]);
      await release();
      await finished(t.app, jobId);
      expect(await outboxDrained(t.app)).toBe(true);
      expect(await queueIdle(t.app, 'search-index-reindex')).toBe(true);
    } finally {
      await release();
    }
    // One job and one recorded run for the three requests.
    const runs = (await t.call('GET', '/api/admin/jobs/search-index/runs', { as: admin })).body.data;
    expect(runs.length - runsBefore).toBe(1);
    expect(await manualJobs() - jobsBefore).toBe(1);
  });

  it('never runs two full reindexes at once, whatever started them: a second one (the schedule, a retry) joins the running run', async () => {
    const index = t.app.services.search.index;
    const runsBefore = (await t.call('GET', '/api/admin/jobs/search-index/runs', { as: admin })).body.data.length;
    let enter!: () => void;
    let leave!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    const mayGoOn = new Promise<void>((resolve) => (leave = resolve));
    // The first run is held inside its first batch's progress report.
    const first = index.reindex('manual', async () => {
      enter();
      await mayGoOn;
    });
    await entered;
    const second = await index.reindex('schedule');
    expect(second).toMatchObject({ joined: true, added: 0, fixed: 0, removed: 0 });
    leave();
    const done = await first;
    expect(done.joined).toBeUndefined();
    expect(second.runId).toBe(done.runId);
    const runs = (await t.call('GET', '/api/admin/jobs/search-index/runs', { as: admin })).body.data;
    expect(runs.length - runsBefore).toBe(1);
    expect(await index.reindex('after')).not.toHaveProperty('joined'); // the lock went with the run
  });

  it('keeps search answering in full while it runs', async () => {
    const small = await createTestApp({ SEARCH_REINDEX_BATCH: '100', SEARCH_MAX_CANDIDATES: '5000' });
    try {
      const owner = await small.user('CREATOR');
      const f = fixtures(small.app);
      const id = await f.creator(owner.user.id, 'Busy Creator');
      await f.importAssets(id, 2_000, (i) => `Nebula study ${i}`);
      expect(await outboxDrained(small.app)).toBe(true);
      // Corrupt every other document, so the reindex rewrites half of them while searches run.
      await sql`UPDATE search_documents SET body = 'stale' WHERE entity_type = 'asset' AND (hashtext(entity_id::text) & 1) = 0`.execute(small.app.database.db);
      const as = await small.admin();
      const total = async () => (await small.call('GET', '/api/search/assets?q=nebula&pageSize=1', { as })).body.data.pagination.total as number;
      // Searches between every two batches (deterministic) and concurrently with them (a loop).
      let done = false;
      const between: number[] = [];
      const concurrent: number[] = [];
      const loop = (async () => {
        while (!done) concurrent.push(await total());
      })();
      const report = await small.app.services.search.index.reindex('test', async () => {
        between.push(await total());
      });
      done = true;
      await loop;
      expect(report.fixed).toBeGreaterThan(500);
      expect(between.length).toBeGreaterThan(20);
      expect(concurrent.length).toBeGreaterThan(0);
      const totals = [...between, ...concurrent];
      expect(new Set(totals)).toEqual(new Set([2_000]));
    } finally {
      await small.close();
    }
  });
});

describe('admin stats', () => {
  it('reports the three queues, for admins only', async () => {
    const res = await t.call('GET', '/api/admin/jobs/search-index/stats', { as: admin });
    expect(res.status).toBe(200);
    for (const key of ['realtime', 'bulk', 'reindex']) {
      expect(Object.keys(res.body.data[key]).sort()).toEqual(['active', 'completed', 'failed', 'waiting']);
    }
    expect(res.body.data.realtime.completed).toBeGreaterThan(0);
    expect(res.body.data.bulk.completed).toBeGreaterThan(0);
    expect((await t.call('GET', '/api/admin/jobs/search-index/stats', { as: creator })).status).toBe(403);
    expect((await t.call('POST', '/api/admin/jobs/search-index/reindex', { as: creator })).status).toBe(403);
  });
});

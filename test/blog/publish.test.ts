import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { enqueueJobInTx } from '../../src/platform/queue/outbox.js';
import { outboxEpochKey } from '../../src/platform/redis/keys.js';
import { createTestApp, deleteRedisPrefix, type Session, type TestApp } from '../helpers/context.js';
import { draft, inMs, jobDueAt, notificationsOf, postStatus, publishJob, publishRows, published, schedule } from './helpers.js';

let t: TestApp;
let author: Session;

beforeAll(async () => {
  t = await createTestApp();
  author = await t.user('CREATOR');
});
afterAll(() => t.close());

const get = async (id: string) => (await t.call('GET', `/api/blog/posts/${id}`, { as: author })).body.data;
const searchRows = async (app: App, id: string) => (await app.database.db.selectFrom('outbox').select('id')
  .where('queue', '=', 'search-index-update').where('payload', '@>', JSON.stringify({ entityId: id }) as never).execute()).length;

describe('publication at the scheduled time', () => {
  it('publishes when the time comes: PUBLISHED, publishedAt, re-indexed, the author told once', async () => {
    const post = await draft(t, author, { title: 'Launch day' });
    const at = inMs(2_000);
    expect((await schedule(t, author, post.id, at)).status).toBe(200);
    const indexedBefore = await searchRows(t.app, post.id);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect(await postStatus(t, post.id)).toBe('SCHEDULED');
    expect(await published(t, post.id)).toBe(true);
    const after = await get(post.id);
    expect(after).toMatchObject({ status: 'PUBLISHED', publishAt: at.toISOString(), version: 3 });
    expect(Date.parse(after.publishedAt)).toBeGreaterThanOrEqual(at.getTime());
    expect(Date.parse(after.publishedAt) - at.getTime()).toBeLessThan(5_000);
    expect(await searchRows(t.app, post.id)).toBe(indexedBefore + 1);
    const told = await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED');
    expect(told).toEqual([{ title: 'Your post "Launch day" is now PUBLISHED', metadata: { postId: post.id, from: 'SCHEDULED', to: 'PUBLISHED', changedBy: null, publishAt: at.toISOString() } }]);
    expect(await waitFor(async () => (await publishJob(t, post.id))?.state === 'completed', 5_000)).toBe(true);
    expect((await publishRows(t, post.id)).every((r) => r.completed)).toBe(true);
  });

  it('publishing twice is a no-op', async () => {
    const post = await draft(t, author);
    await schedule(t, author, post.id, inMs(1_000));
    expect(await published(t, post.id)).toBe(true);
    const once = await get(post.id);
    expect(await t.app.services.blogPublishing.publishScheduled(post.id)).toBe('skipped');
    expect(await t.app.services.blogPublishing.reconcile(inMs(60_000))).toEqual({ published: 0, rearmed: 0 });
    expect(await get(post.id)).toEqual(once);
    expect((await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED')).filter((n) => (n.metadata as { postId: string }).postId === post.id)).toHaveLength(1);
  });

  it('a job run before its time (an admin promoted it) publishes nothing and is armed again', async () => {
    const post = await draft(t, author);
    const at = inMs(3_600_000);
    await schedule(t, author, post.id, at);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    await (await t.app.queues.get('blog-publish').getJob(post.id))!.promote();
    // The early run completes, then the relay puts the job back for its time. Under load the early
    // run may itself run twice (a stalled job is re-run: at least once), each arming again; the
    // newest arming is the intent and every older row is completed, however many there are.
    const settled = (rows: Awaited<ReturnType<typeof publishRows>>) =>
      rows.length >= 2 && rows.at(-1)!.completed === false && rows.slice(0, -1).every((r) => r.completed);
    expect(await waitFor(async () => settled(await publishRows(t, post.id)), 10_000)).toBe(true);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect(await postStatus(t, post.id)).toBe('SCHEDULED');
    const rows = await publishRows(t, post.id);
    expect(settled(rows), JSON.stringify(rows)).toBe(true);
    expect(rows.at(-1)!.delay_until).toEqual(at);
  });
});

describe('announcements', () => {
  it('an admin\'s announcement tells every user (BLOG) through the fan-out, once; a creator\'s is refused', async () => {
    const readers = await Promise.all([t.user('VIEWER'), t.user('BRAND'), t.user('VIEWER')]);
    const admin = await t.admin();
    // The hole this test once asserted: a creator's announcement reaching everyone.
    const refused = await t.call('POST', '/api/blog/posts', { as: author, body: { title: 'Big news', content: 'x', announcement: true } });
    expect(refused.status).toBe(403);
    const post = await draft(t, admin, { title: 'Big news', excerpt: 'We launched.', announcement: true });
    await schedule(t, admin, post.id, inMs(1_000));
    expect(await published(t, post.id)).toBe(true);
    const everyone = await t.app.database.db.selectFrom('users').select('id').execute();
    expect(await waitFor(async () => {
      const n = await t.app.database.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'BLOG').executeTakeFirstOrThrow();
      return Number(n.n) >= everyone.length;
    }, 15_000)).toBe(true);
    for (const reader of [...readers, author]) {
      expect(await notificationsOf(t, reader.user.id, 'BLOG')).toEqual([{ title: 'Big news', metadata: { postId: post.id } }]);
    }
    const rows = await t.app.database.db.selectFrom('notifications').select(['user_id']).where('type', '=', 'BLOG').execute();
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(rows.length);
    expect(rows).toHaveLength(everyone.length);
  });

  it('a plain post tells only its author', async () => {
    const before = await t.app.database.db.selectFrom('notifications').select('id').where('type', '=', 'BLOG').execute();
    const post = await draft(t, author, { announcement: false });
    await schedule(t, author, post.id, inMs(1_000));
    expect(await published(t, post.id)).toBe(true);
    expect(await t.app.database.db.selectFrom('notifications').select('id').where('type', '=', 'BLOG').execute()).toHaveLength(before.length);
  });
});

describe('two workers', () => {
  it('publish each post once, even with a duplicate job per post racing the real one', async () => {
    const second = await t.sibling({ roles: ['worker'] });
    try {
      const posts = await Promise.all([1, 2, 3, 4, 5].map(() => draft(t, author)));
      const at = inMs(3_000);
      for (const post of posts) expect((await schedule(t, author, post.id, at)).status).toBe(200);
      for (const post of posts) expect(await jobDueAt(t, post.id, at)).toBe(true);
      // A second job per post, due at the same moment: the two workers race on every post.
      const queue = t.app.queues.get('blog-publish');
      for (const post of posts) await queue.add('BlogPublish', { postId: post.id }, { jobId: `dup-${post.id}`, delay: at.getTime() - Date.now() });
      for (const post of posts) expect(await published(t, post.id)).toBe(true);
      expect(await waitFor(async () => (await Promise.all(posts.map((p) => queue.getJobState(`dup-${p.id}`)))).every((s) => s === 'completed'), 10_000)).toBe(true);
      for (const post of posts) {
        expect((await get(post.id)).version).toBe(3);
        const told = (await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED')).filter((n) => (n.metadata as { postId: string }).postId === post.id);
        expect(told).toHaveLength(1);
      }
      // And straight through the service: reconcilers of both processes at once on a due post whose job is gone...
      const orphan = await draft(t, author);
      await schedule(t, author, orphan.id, inMs(60_000));
      expect(await jobDueAt(t, orphan.id, inMs(60_000))).toBe(true);
      await queue.remove(orphan.id);
      const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? t.app : second).services.blogPublishing.reconcile(inMs(120_000))));
      expect(runs.reduce((n, r) => n + r.published, 0)).toBe(1);
      // ...and two handlers at once.
      const racer = await draft(t, author);
      await schedule(t, author, racer.id, inMs(60_000));
      const direct = await Promise.all([t.app, second].map((app) => app.services.blogPublishing.publishScheduled(racer.id, inMs(120_000))));
      expect(direct.sort()).toEqual(['published', 'skipped']);
      for (const id of [orphan.id, racer.id]) {
        expect(await postStatus(t, id)).toBe('PUBLISHED');
        expect((await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED')).filter((n) => (n.metadata as { postId: string }).postId === id)).toHaveLength(1);
      }
    } finally {
      await second.stop();
    }
  });
});

describe('Redis loses its data between scheduling and publication', () => {
  it('the reconciler publishes a due post whose job is gone, once; the relay does not publish it again', async () => {
    // Polling once a minute: the relay wakes only on new outbox rows, so it cannot re-drive first.
    // No scheduler role: its every-minute reconciler could fire inside the window and publish
    // first (it did on a loaded CI box when a minute boundary fell there); the test runs it itself.
    const quiet = await createTestApp({ OUTBOX_POLL_MS: '60000' }, { roles: ['api', 'worker'] });
    try {
      const writer = await quiet.user('CREATOR');
      const post = await draft(quiet, writer);
      const at = inMs(2_500);
      await schedule(quiet, writer, post.id, at);
      expect(await jobDueAt(quiet, post.id, at)).toBe(true);
      await deleteRedisPrefix(quiet.prefix);
      expect(await publishJob(quiet, post.id)).toBeNull();
      await new Promise((r) => setTimeout(r, at.getTime() - Date.now() + 200));
      expect(await postStatus(quiet, post.id)).toBe('SCHEDULED');
      // The scheduler's run, as the every-minute job scheduler would start it.
      const run = await quiet.app.queues.add('blog-publish', 'BlogReconcile', {});
      expect(await waitFor(async () => (await run.getState()) === 'completed', 10_000)).toBe(true);
      expect((await quiet.app.queues.get('blog-publish').getJob(run.id!))!.returnvalue).toEqual({ published: 1, rearmed: 0 });
      expect(await postStatus(quiet, post.id)).toBe('PUBLISHED');
      // The reconciler's own rows woke the relay: it saw the lost epoch and re-drove what was unfinished.
      expect(await waitFor(async () => (await quiet.app.redis.exists(outboxEpochKey(quiet.prefix, 'blog-publish'))) === 1, 10_000)).toBe(true);
      // Evidence instead of a pause: a marker row committed now is relayed only after the rows the
      // re-drive reopened (lower ids, the same or an earlier round), so once it is relayed, any
      // job the re-drive would have added again is in Redis.
      const markerJob = await enqueueJobInTx(quiet.app.database.db, 'search-index-update', 'SearchIndexUpdate', { entityType: 'asset', entityId: randomUUID() });
      const marker = Number(markerJob.replace('outbox-', ''));
      expect(await waitFor(async () => (await quiet.app.database.db.selectFrom('outbox').select('relayed_at').where('id', '=', marker).executeTakeFirstOrThrow()).relayed_at !== null, 10_000)).toBe(true);
      expect(await publishJob(quiet, post.id)).toBeNull();
      expect(await notificationsOf(quiet, writer.user.id, 'POST_STATUS_CHANGED')).toHaveLength(1);
    } finally {
      await quiet.close();
    }
  });

  it('the relay re-adds a lost job (epoch key gone) and it publishes at its time, once', async () => {
    const post = await draft(t, author);
    const at = inMs(2_500);
    await schedule(t, author, post.id, at);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    await deleteRedisPrefix(t.prefix);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect(await published(t, post.id)).toBe(true);
    expect(Date.parse((await get(post.id)).publishedAt)).toBeGreaterThanOrEqual(at.getTime());
    const told = (await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED')).filter((n) => (n.metadata as { postId: string }).postId === post.id);
    expect(told).toHaveLength(1);
  });

  it('the reconciler re-adds the missing job of a future post', async () => {
    const post = await draft(t, author);
    const at = inMs(3_600_000);
    await schedule(t, author, post.id, at);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    await t.app.queues.get('blog-publish').remove(post.id);
    expect(await t.app.services.blogPublishing.reconcile()).toEqual({ published: 0, rearmed: 1 });
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect(await t.app.services.blogPublishing.reconcile()).toEqual({ published: 0, rearmed: 0 });
  });
});

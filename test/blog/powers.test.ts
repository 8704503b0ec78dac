import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { draft, inMs, jobDueAt, notificationsOf, published, schedule } from './helpers.js';

/** The blog's powers over other users, written as the attacks: fan-out to everyone, text to anyone, write floods. */

let t: TestApp;
/** The rate limits' windows follow it. */
const clock = createClock();
let admin: Session;
let creator: Session;
let brand: Session;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'blog.write=40' }, { now: clock.now });
  [admin, creator, brand] = await Promise.all([t.admin(), t.user('CREATOR'), t.user('BRAND')]);
});
afterAll(() => t.close());

const db = () => t.app.database.db;
const blogCount = async () => Number((await db().selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'BLOG').executeTakeFirstOrThrow()).n);
const userCount = async () => Number((await db().selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
/** Until the fan-out's rows are all written (the fan-out is a job; its outbox rows finish when it does). */
const settled = async () => expect(await outboxDrained(t.app)).toBe(true);

describe('announcements are an admin\'s power', () => {
  it('a creator or brand setting announcement gets 403 and reaches nobody, on create and on edit', async () => {
    const before = await blogCount();
    for (const as of [creator, brand]) {
      const res = await t.call('POST', '/api/blog/posts', { as, body: { title: 'Everyone read this', content: 'Click here', announcement: true } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ success: false, error: 'Forbidden: only admins may make announcements' });
      const own = await draft(t, as);
      const patch = await t.call('PATCH', `/api/blog/posts/${own.id}`, { as, body: { announcement: true } });
      expect(patch.status).toBe(403);
      expect(patch.body).toEqual({ success: false, error: 'Forbidden: only admins may make announcements' });
      // The attack as it used to go: the post scheduled and published anyway.
      expect((await schedule(t, as, own.id, inMs(500))).status).toBe(200);
      expect(await published(t, own.id)).toBe(true);
    }
    await settled();
    expect(await blogCount()).toBe(before);
  });

  it('while an announcement has not gone out, only an admin edits its text', async () => {
    const post = await draft(t, creator, { title: 'Approved text' });
    expect((await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: admin, body: { announcement: true } })).status).toBe(200);
    const swap = await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: creator, body: { content: 'Something else entirely' } });
    expect(swap.status).toBe(403);
    expect(swap.body).toEqual({ success: false, error: 'Forbidden: only admins may edit an announcement before it goes out' });
    expect((await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: admin, body: { content: 'Edited by an admin' } })).status).toBe(200);
  });

  it('a post announces once in its life: published, back to DRAFT, scheduled again, and two publishers at once', async () => {
    await Promise.all([t.user('VIEWER'), t.user('VIEWER')]);
    const post = await draft(t, admin, { title: 'Once only', excerpt: 'One time.', announcement: true });
    const before = await blogCount();
    await schedule(t, admin, post.id, inMs(500));
    expect(await published(t, post.id)).toBe(true);
    const everyone = await userCount();
    expect(await waitFor(async () => (await blogCount()) === before + everyone, 15_000)).toBe(true);
    const announcedAt = (await db().selectFrom('blog_posts').select('announced_at').where('id', '=', post.id).executeTakeFirstOrThrow()).announced_at;
    expect(announcedAt).toBeInstanceOf(Date);

    // Round two: back to DRAFT and scheduled again (what repeated the fan-out), published by a job...
    expect((await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: admin, body: { status: 'DRAFT' } })).status).toBe(200);
    await schedule(t, admin, post.id, inMs(500));
    expect(await published(t, post.id)).toBe(true);
    // ...and round three: two publishers (two processes' handlers) at once on the same due post.
    const second = await t.sibling({ roles: ['worker'] });
    try {
      expect((await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: admin, body: { status: 'DRAFT' } })).status).toBe(200);
      const at = inMs(60_000);
      await schedule(t, admin, post.id, at);
      expect(await jobDueAt(t, post.id, at)).toBe(true);
      const runs = await Promise.all([t.app, second].map((app) => app.services.blogPublishing.publishScheduled(post.id, inMs(120_000))));
      expect(runs.sort()).toEqual(['published', 'skipped']);
    } finally {
      await second.stop();
    }
    await settled();
    expect(await blogCount()).toBe(before + everyone);
    expect(await notificationsOf(t, creator.user.id, 'BLOG')).toEqual([{ title: 'Once only', metadata: { postId: post.id } }]);
    expect((await db().selectFrom('blog_posts').select('announced_at').where('id', '=', post.id).executeTakeFirstOrThrow()).announced_at).toEqual(announcedAt);
  });
});

describe('assignees are editors', () => {
  it('a user cannot send POST_ASSIGNED (their text) to an arbitrary user: 400, nothing sent', async () => {
    const victim = await t.user('VIEWER');
    const body = { title: 'You won a prize, log in at evil.example', content: 'x', assigneeId: victim.user.id };
    const made = await t.call('POST', '/api/blog/posts', { as: creator, body });
    expect(made.status).toBe(400);
    expect(made.body).toEqual({ success: false, error: 'Invalid request body', details: [expect.objectContaining({ path: ['assigneeId'], message: 'must be an admin or the post\'s author' })] });
    const own = await draft(t, creator, { title: 'You won a prize' });
    const patched = await t.call('PATCH', `/api/blog/posts/${own.id}`, { as: creator, body: { assigneeId: victim.user.id } });
    expect(patched.status).toBe(400);
    expect(patched.body.details[0].path).toEqual(['assigneeId']);
    // An admin cannot hand it to a stranger either: the rule is about the assignee, not the caller.
    expect((await t.call('PATCH', `/api/blog/posts/${own.id}`, { as: admin, body: { assigneeId: brand.user.id } })).status).toBe(400);
    await settled();
    expect(await notificationsOf(t, victim.user.id, 'POST_ASSIGNED')).toEqual([]);
    expect(await notificationsOf(t, brand.user.id, 'POST_ASSIGNED')).toEqual([]);
    // Editors may be assigned: an admin, or the post's author (who is told nothing of their own act).
    expect((await t.call('PATCH', `/api/blog/posts/${own.id}`, { as: creator, body: { assigneeId: admin.user.id } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/blog/posts/${own.id}`, { as: admin, body: { assigneeId: creator.user.id } })).status).toBe(200);
    expect((await t.call('POST', '/api/blog/posts', { as: creator, body: { ...body, assigneeId: randomUUID() } })).status).toBe(404);
  });
});

describe('blog writes are rate limited', () => {
  it('parallel writes past blog.write get 429 with the contract body, and write nothing more', async () => {
    const writer = await t.user('BRAND');
    // Windows are fixed minutes: the burst starts at the first millisecond of one, and no minute ends under it.
    clock.nextWindow(60_000);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      t.call('POST', '/api/blog/posts', { as: writer, body: { title: `Flood ${i}`, content: 'x' } })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(results.find((r) => r.status === 429)!.body).toEqual({ success: false, error: 'Too many requests. Please try again later.' });
    const rows = await db().selectFrom('blog_posts').select('id').where('author_id', '=', writer.user.id).execute();
    expect(rows).toHaveLength(40);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { draft, inMs, jobDueAt, jobGone, legacyAssign, notificationsOf, publishRows, relayedRows, schedule } from './helpers.js';

let t: TestApp;
let admin: Session;
let author: Session;
let other: Session;

beforeAll(async () => {
  t = await createTestApp();
  [admin, author, other] = await Promise.all([t.admin(), t.user('CREATOR'), t.user('BRAND')]);
});
afterAll(() => t.close());

const HOUR = 3_600_000;

describe('scheduling a post', () => {
  it('sets SCHEDULED and publishAt and makes one delayed job, id = the post id, due at publishAt', async () => {
    const post = await draft(t, author);
    const at = inMs(HOUR);
    const res = await schedule(t, author, post.id, at);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: post.id, status: 'SCHEDULED', publishAt: at.toISOString(), publishedAt: null, version: 2 });
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect(await relayedRows(t, post.id)).toEqual([expect.objectContaining({ op: 'add', relayed: true, completed: false, delay_until: at })]);
    // The author's own action tells nobody.
    expect(await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED')).toEqual([]);
  });

  it('reschedules by moving the same job; the older outbox row is superseded', async () => {
    const post = await draft(t, author);
    const first = inMs(HOUR);
    await schedule(t, author, post.id, first);
    expect(await jobDueAt(t, post.id, first)).toBe(true);
    const later = inMs(3 * HOUR);
    const res = await schedule(t, author, post.id, later);
    expect(res.body.data).toMatchObject({ status: 'SCHEDULED', publishAt: later.toISOString(), version: 3 });
    expect(await jobDueAt(t, post.id, later)).toBe(true);
    expect(await t.app.queues.get('blog-publish').getJobs(['delayed']).then((jobs) => jobs.filter((j) => j.id === post.id))).toHaveLength(1);
    expect((await relayedRows(t, post.id)).map((r) => [r.op, r.relayed, r.completed])).toEqual([['add', true, true], ['add', true, false]]);
  });

  it('collapses a burst of reschedules into the newest one', async () => {
    const post = await draft(t, author);
    const times = [1, 2, 3, 4, 5].map((h) => inMs(h * HOUR));
    for (const at of times) expect((await schedule(t, author, post.id, at)).status).toBe(200);
    expect(await jobDueAt(t, post.id, times.at(-1)!)).toBe(true);
    const rows = await relayedRows(t, post.id);
    expect(rows.filter((r) => !r.completed)).toEqual([expect.objectContaining({ delay_until: times.at(-1) })]);
  });

  it('unschedules back to DRAFT and removes the job', async () => {
    const post = await draft(t, author);
    const at = inMs(HOUR);
    await schedule(t, author, post.id, at);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    const res = await t.call('DELETE', `/api/blog/posts/${post.id}/schedule`, { as: author });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'DRAFT', publishAt: null });
    expect(await jobGone(t, post.id)).toBe(true);
    expect((await relayedRows(t, post.id)).every((r) => r.completed)).toBe(true);
    expect((await t.call('DELETE', `/api/blog/posts/${post.id}/schedule`, { as: author })).body).toEqual({ success: false, error: 'Post is not scheduled' });
  });

  it('PATCH: SCHEDULED cannot be set; back to DRAFT unschedules; other edits keep the job', async () => {
    const post = await draft(t, author);
    expect((await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: author, body: { status: 'SCHEDULED' } })).status).toBe(400);
    const at = inMs(HOUR);
    await schedule(t, author, post.id, at);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect((await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: author, body: { title: 'Renamed' } })).body.data).toMatchObject({ status: 'SCHEDULED', title: 'Renamed' });
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    for (const status of ['PUBLISHED', 'ARCHIVED']) {
      const res = await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: author, body: { status } });
      expect(res.body).toEqual({ success: false, error: 'A SCHEDULED post can only go back to DRAFT (or be rescheduled)' });
    }
    const back = await t.call('PATCH', `/api/blog/posts/${post.id}`, { as: author, body: { status: 'DRAFT' } });
    expect(back.body.data).toMatchObject({ status: 'DRAFT', publishAt: null });
    expect(await jobGone(t, post.id)).toBe(true);
  });

  it('deleting a scheduled post removes its job', async () => {
    const post = await draft(t, author);
    const at = inMs(HOUR);
    await schedule(t, author, post.id, at);
    expect(await jobDueAt(t, post.id, at)).toBe(true);
    expect((await t.call('DELETE', `/api/blog/posts/${post.id}`, { as: author })).status).toBe(200);
    expect(await jobGone(t, post.id)).toBe(true);
  });

  it('lets an admin schedule and unschedule another author\'s post, telling the author', async () => {
    const post = await draft(t, author, { title: 'By admin' });
    expect((await schedule(t, admin, post.id, inMs(HOUR))).status).toBe(200);
    expect((await t.call('DELETE', `/api/blog/posts/${post.id}/schedule`, { as: admin })).status).toBe(200);
    const told = await notificationsOf(t, author.user.id, 'POST_STATUS_CHANGED');
    expect(told.map((n) => n.title)).toEqual(['Your post "By admin" is now SCHEDULED', 'Your post "By admin" is now DRAFT']);
    expect(told[0]!.metadata).toEqual({ postId: post.id, from: 'DRAFT', to: 'SCHEDULED', changedBy: admin.user.id });
  });
});

describe('bad input', () => {
  it('refuses a past, malformed, zone-less or too distant publishAt with the contract\'s 400', async () => {
    const post = await draft(t, author);
    const yearAndDay = new Date();
    yearAndDay.setUTCFullYear(yearAndDay.getUTCFullYear() + 1);
    yearAndDay.setUTCDate(yearAndDay.getUTCDate() + 1);
    const cases: Array<[unknown, string]> = [
      [{ publishAt: inMs(-60_000).toISOString() }, 'must be in the future'],
      [{ publishAt: 'tomorrow' }, ''],
      [{ publishAt: '2030-01-01' }, ''],
      [{ publishAt: '2030-01-01T09:00:00' }, ''],
      [{ publishAt: 1_900_000_000_000 }, ''],
      [{ publishAt: yearAndDay.toISOString() }, 'must be at most a year ahead'],
      [{}, ''],
      [{ publishAt: inMs(HOUR).toISOString(), status: 'SCHEDULED' }, ''],
    ];
    for (const [body, message] of cases) {
      const res = await t.call('POST', `/api/blog/posts/${post.id}/schedule`, { as: author, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: expect.any(Array) });
      if (message) expect(res.body.details[0]).toMatchObject({ path: ['publishAt'], message });
    }
    expect(await publishRows(t, post.id)).toEqual([]);
    // An offset other than Z names a moment too.
    const at = inMs(HOUR);
    const local = new Date(at.getTime() + 2 * HOUR).toISOString().replace('Z', '+02:00');
    expect((await schedule(t, author, post.id, local)).body.data.publishAt).toBe(at.toISOString());
  });

  it('refuses to schedule a PUBLISHED or ARCHIVED post (400), writing no job', async () => {
    for (const status of ['PUBLISHED', 'ARCHIVED']) {
      const post = await draft(t, author, { status });
      const res = await schedule(t, author, post.id, inMs(HOUR));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ success: false, error: `A ${status} post cannot be scheduled` });
      expect(await publishRows(t, post.id)).toEqual([]);
    }
  });

  it('answers 404 for another author\'s post, even a visible one, and for unknown or malformed ids', async () => {
    const assigned = await draft(t, author);
    await legacyAssign(t, assigned.id, other.user.id);
    const visible = await draft(t, author, { status: 'PUBLISHED' });
    for (const id of [assigned.id, visible.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await schedule(t, other, id, inMs(HOUR));
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Post not found' });
      expect((await t.call('DELETE', `/api/blog/posts/${id}/schedule`, { as: other })).status).toBe(404);
    }
    expect(await publishRows(t, assigned.id)).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { created, inbox, searchJobCount, searchJobsFor } from '../catalog/helpers.js';
import { legacyAssign } from './helpers.js';

let t: TestApp;
let admin: Session;
let author: Session;
let editor: Session;
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp();
  [admin, author, editor, viewer] = await Promise.all([t.admin(), t.user('CREATOR'), t.user('BRAND'), t.user('VIEWER')]);
});
afterAll(() => t.close());

const post = (as: Session, body: Record<string, unknown> = {}) => created(t, '/api/blog/posts', as, { title: 'Hello', content: 'Body', ...body });

describe('writing posts', () => {
  it('creates a DRAFT post with every column in the view and an index job', async () => {
    const res = await t.call('POST', '/api/blog/posts', { as: admin, body: { title: ' Launch notes ', excerpt: 'Short', content: 'Long text', announcement: true } });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String), authorId: admin.user.id, assigneeId: null, title: 'Launch notes', excerpt: 'Short', content: 'Long text',
      status: 'DRAFT', announcement: true, publishAt: null, publishedAt: null, version: 1, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(await searchJobsFor(t, res.body.data.id)).toEqual([{ queue: 'search-index-update', payload: { entityType: 'blog_post', entityId: res.body.data.id } }]);
  });

  it('refuses viewers (403), SCHEDULED, unknown keys and oversized fields (400), writing nothing', async () => {
    const before = await searchJobCount(t);
    expect((await t.call('POST', '/api/blog/posts', { as: viewer, body: { title: 'X', content: 'Y' } })).body).toEqual({ success: false, error: 'Forbidden' });
    const scheduled = await t.call('POST', '/api/blog/posts', { as: author, body: { title: 'X', content: 'Y', status: 'SCHEDULED' } });
    expect(scheduled.status).toBe(400);
    expect(scheduled.body.details[0]).toMatchObject({ path: ['status'], message: expect.stringContaining('SCHEDULED') });
    for (const body of [{ title: 'X', content: 'Y', publishAt: '2030-01-01T00:00:00Z' }, { title: 'x'.repeat(201), content: 'Y' }, { title: 'X', content: '' },
      { title: 'X', content: 'c'.repeat(100_001) }, { title: 'X', content: 'Y', status: 'LIVE' }]) {
      expect((await t.call('POST', '/api/blog/posts', { as: author, body })).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await t.call('POST', '/api/blog/posts', { as: author, body: { title: 'X', content: 'Y', assigneeId: randomUUID() } })).body.error).toBe('Assignee not found');
    expect((await t.call('POST', '/api/blog/posts', { as: author, body: { title: 'X', content: 'Y', assigneeId: 'garbage' } })).status).toBe(404);
    expect(await searchJobCount(t)).toBe(before);
  });

  it('sets publishedAt when published and keeps it through archive and republish', async () => {
    const made = await post(admin, { status: 'PUBLISHED' });
    expect(made.publishedAt).toEqual(expect.any(String));
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: admin, body: { status: 'ARCHIVED' } });
    const again = await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: admin, body: { status: 'PUBLISHED' } });
    expect(again.body.data).toMatchObject({ status: 'PUBLISHED', publishedAt: made.publishedAt, version: 3 });
  });
});

describe('reading posts', () => {
  it('shows unpublished posts only to the author, the assignee and admins', async () => {
    const draft = await post(author, { title: 'Private draft' });
    await legacyAssign(t, draft.id, editor.user.id);
    const archived = await post(author, { title: 'Archived', status: 'ARCHIVED' });
    const published = await post(author, { title: 'Public', status: 'PUBLISHED' });
    expect((await t.call('GET', `/api/blog/posts/${draft.id}`, { as: viewer })).body).toEqual({ success: false, error: 'Post not found' });
    expect((await t.call('GET', `/api/blog/posts/${archived.id}`, { as: editor })).status).toBe(404);
    for (const as of [author, editor, admin]) expect((await t.call('GET', `/api/blog/posts/${draft.id}`, { as })).status).toBe(200);
    expect((await t.call('GET', `/api/blog/posts/${published.id}`, { as: viewer })).status).toBe(200);
    expect((await t.call('GET', '/api/blog/posts/42', { as: viewer })).status).toBe(404);

    const ids = async (as: Session, query = '') =>
      (await t.call('GET', `/api/blog/posts?authorId=${author.user.id}&pageSize=100${query}`, { as })).body.data.map((p: { id: string }) => p.id);
    expect(await ids(viewer)).toContain(published.id);
    expect(await ids(viewer)).not.toContain(draft.id);
    expect(await ids(editor)).toContain(draft.id);
    expect(await ids(editor)).not.toContain(archived.id);
    expect(await ids(author, '&status=ARCHIVED')).toEqual([archived.id]);
    expect(await ids(viewer, '&status=DRAFT')).toEqual([]);
  });

  it('pages the list', async () => {
    const writer = await t.user('BRAND');
    for (let i = 0; i < 3; i++) await post(writer, { title: `Page ${i}`, status: 'PUBLISHED' });
    const res = await t.call('GET', `/api/blog/posts?authorId=${writer.user.id}&pageSize=2&page=2`, { as: viewer });
    expect(res.body.pagination).toEqual({ page: 2, pageSize: 2, total: 3, totalPages: 2 });
    expect(res.body.data.map((p: { title: string }) => p.title)).toEqual(['Page 0']);
    expect((await t.call('GET', '/api/blog/posts?authorId=nope', { as: viewer })).body.data).toEqual([]);
  });
});

describe('editing posts and notifications', () => {
  it('notifies an assignee on create, and again only when the assignee changes to someone', async () => {
    const [assignee, next] = await Promise.all([t.user('ADMIN'), t.user('ADMIN')]);
    const made = await post(author, { title: 'Assigned', assigneeId: assignee.user.id });
    expect(await inbox(t, assignee, 'POST_ASSIGNED')).toEqual([expect.objectContaining({
      title: 'You were assigned the post "Assigned"', actionUrl: `/blog/posts/${made.id}`, metadata: { postId: made.id, assignedBy: author.user.id },
    })]);
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: { title: 'Assigned v2', assigneeId: assignee.user.id } });
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: { content: 'More' } });
    expect(await inbox(t, assignee, 'POST_ASSIGNED')).toHaveLength(1);
    expect((await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: { assigneeId: null } })).body.data.assigneeId).toBeNull();
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: { assigneeId: next.user.id } });
    expect(await inbox(t, next, 'POST_ASSIGNED')).toHaveLength(1);
    await post(author, { title: 'Self', assigneeId: author.user.id });
    expect(await inbox(t, author, 'POST_ASSIGNED')).toEqual([]);
  });

  it('tells the author of a status change made by someone else, never of their own', async () => {
    const made = await post(author, { title: 'Status' });
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: { status: 'PUBLISHED' } });
    expect(await inbox(t, author, 'POST_STATUS_CHANGED')).toEqual([]);
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: admin, body: { title: 'Status (edited)' } });
    expect(await inbox(t, author, 'POST_STATUS_CHANGED')).toEqual([]);
    await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: admin, body: { status: 'ARCHIVED' } });
    expect(await inbox(t, author, 'POST_STATUS_CHANGED')).toEqual([expect.objectContaining({
      title: 'Your post "Status (edited)" is now ARCHIVED', actionUrl: `/blog/posts/${made.id}`,
      message: expect.stringContaining('from PUBLISHED to ARCHIVED'), metadata: { postId: made.id, from: 'PUBLISHED', to: 'ARCHIVED', changedBy: admin.user.id },
    })]);
  });

  it('lets only the author and admins edit and delete (the assignee gets 403)', async () => {
    const made = await post(author);
    await legacyAssign(t, made.id, editor.user.id);
    expect((await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: editor, body: { title: 'Mine' } })).body).toEqual({ success: false, error: 'Forbidden' });
    expect((await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: viewer, body: { title: 'Mine' } })).status).toBe(404);
    expect((await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: { status: 'SCHEDULED' } })).status).toBe(400);
    expect((await t.call('PATCH', `/api/blog/posts/${made.id}`, { as: author, body: {} })).status).toBe(400);
    expect((await t.call('DELETE', `/api/blog/posts/${made.id}`, { as: editor })).status).toBe(403);
    expect((await t.call('DELETE', `/api/blog/posts/${made.id}`, { as: admin })).body).toEqual({ success: true });
    expect((await t.call('GET', `/api/blog/posts/${made.id}`, { as: author })).status).toBe(404);
    expect((await searchJobsFor(t, made.id)).map((j) => j.payload.entityType)).toEqual(['blog_post', 'blog_post']);
  });
});

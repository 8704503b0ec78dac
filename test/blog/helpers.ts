import { sql } from 'kysely';
import { expect } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import type { Session, TestApp } from '../helpers/context.js';

let counter = 0;

/** A DRAFT post made through the API. */
export async function draft(t: TestApp, as: Session, body: Record<string, unknown> = {}): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await t.call('POST', '/api/blog/posts', { as, body: { title: `Post ${++counter}`, content: 'Body', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

export const inMs = (ms: number) => new Date(Date.now() + ms);

export function schedule(t: TestApp, as: Session, id: string, publishAt: Date | string) {
  return t.call('POST', `/api/blog/posts/${id}/schedule`, { as, body: { publishAt: publishAt instanceof Date ? publishAt.toISOString() : publishAt } });
}

/** The publish job of a post as Redis has it: its state and when it is due (null: no such job). */
export async function publishJob(t: TestApp, postId: string): Promise<{ state: string; dueAt: number } | null> {
  const job = await t.app.queues.get('blog-publish').getJob(postId);
  if (!job) return null;
  return { state: await job.getState(), dueAt: job.timestamp + (job.delay ?? 0) };
}

/** Until the post's job is delayed and due at `at` (within a second: the relay computes the delay). */
export function jobDueAt(t: TestApp, postId: string, at: Date, timeoutMs = 10_000): Promise<boolean> {
  return waitFor(async () => {
    const job = await publishJob(t, postId);
    return job?.state === 'delayed' && Math.abs(job.dueAt - at.getTime()) < 1_000;
  }, timeoutMs);
}

export function jobGone(t: TestApp, postId: string, timeoutMs = 10_000): Promise<boolean> {
  return waitFor(async () => (await publishJob(t, postId)) === null, timeoutMs);
}

export async function postStatus(t: TestApp, id: string): Promise<string | undefined> {
  const row = await t.app.database.db.selectFrom('blog_posts').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status;
}

export function published(t: TestApp, id: string, timeoutMs = 15_000): Promise<boolean> {
  return waitFor(async () => (await postStatus(t, id)) === 'PUBLISHED', timeoutMs);
}

export interface PublishRow { id: number; op: string; job_id: string; relayed: boolean; completed: boolean; delay_until: Date | null }

/** The blog-publish outbox rows of a post, oldest first. */
export async function publishRows(t: TestApp, postId: string): Promise<PublishRow[]> {
  const rows = await sql<PublishRow>`
    SELECT id, op, job_id, relayed_at IS NOT NULL AS relayed, completed_at IS NOT NULL AS completed, delay_until
    FROM outbox WHERE queue = 'blog-publish' AND job_id = ${postId} ORDER BY id`.execute(t.app.database.db);
  return rows.rows;
}

/** The rows once every one is relayed: the relay marks them in a transaction that commits after Redis took the job. */
export async function relayedRows(t: TestApp, postId: string, timeoutMs = 10_000): Promise<PublishRow[]> {
  await waitFor(async () => (await publishRows(t, postId)).every((r) => r.relayed), timeoutMs);
  return publishRows(t, postId);
}

/** Notifications of a type that reached a user, straight from the table (every row, read or not). */
export async function notificationsOf(t: TestApp, userId: string, type: string): Promise<Array<{ title: string; metadata: unknown }>> {
  return t.app.database.db.selectFrom('notifications').select(['title', 'metadata']).where('user_id', '=', userId).where('type', '=', type as never).execute();
}

/** An assignment written before assignees had to be editors (ADMIN or the author): such rows may exist. */
export async function legacyAssign(t: TestApp, postId: string, userId: string): Promise<void> {
  await t.app.database.db.updateTable('blog_posts').set({ assignee_id: userId }).where('id', '=', postId).execute();
}

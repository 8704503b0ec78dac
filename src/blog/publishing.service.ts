import type { Notify } from '../notifications/index.js';
import type { Tx } from '../platform/db/client.js';
import { toIso } from '../platform/http/reply.js';
import { isId } from '../platform/http/validation.js';
import type { Platform } from '../platform/module.js';
import { SCHEDULES } from '../platform/queue/schedules.js';
import { indexInTx } from '../search/index.js';
import type { BlogRepository } from './blog.repository.js';
import { clip, type PostRow } from './blog.schemas.js';
import { armPublishInTx, PUBLISH_QUEUE, settlePublishRows } from './publish.enqueue.js';
import type { PublishingRepository, ScheduledRef } from './publishing.repository.js';

/** Job states in which a publish job will still run. */
const PENDING = new Set(['delayed', 'waiting', 'active', 'prioritized', 'waiting-children']);
const PAGE = 500;

export interface ScheduledPostView {
  id: string;
  title: string;
  authorId: string;
  announcement: boolean;
  publishAt: string;
  /** Past its time by more than BLOG_PUBLISH_GRACE_MS. */
  overdue: boolean;
  /** The BullMQ state of its publish job; `unknown`: none (the reconciler re-adds it). */
  job: string;
}

export interface BlogPublishingServiceDeps extends Pick<Platform, 'db' | 'queues'> {
  readonly posts: BlogRepository;
  readonly publishing: PublishingRepository;
  readonly notifications: Notify;
  /** BLOG_PUBLISH_GRACE_MS: how late a scheduled post may be before health reports it. */
  readonly graceMs: number;
}

/**
 * Scheduled publication. A post's delayed job (id = post id) publishes it when due; publishing
 * is one conditional UPDATE, so a job run twice, a stale job, two workers and the reconciler all
 * publish a post once. The reconciler (every minute) publishes due posts whose job is gone and
 * re-adds the missing jobs of future ones.
 */
export class BlogPublishingService {
  constructor(private readonly deps: BlogPublishingServiceDeps) {}

  /** BlogPublish: `now` is the worker's clock, the one BullMQ fired the job by. */
  async publishScheduled(postId: string, now = new Date()): Promise<'published' | 'rearmed' | 'skipped'> {
    return this.deps.db.transaction().execute(async (tx) => {
      const post = isId(postId) ? await this.deps.posts.in(tx).find(postId, { lock: true }) : undefined;
      if (post?.status === 'SCHEDULED' && post.publish_at && post.publish_at > now) {
        // Run before its time (an admin promoted it, or a reschedule is not relayed yet): armed again.
        await armPublishInTx(tx, post.id, post.publish_at);
        await settlePublishRows(tx, postId, true);
        return 'rearmed';
      }
      const published = post?.status === 'SCHEDULED' ? await this.publishInTx(tx, [post.id], now) : [];
      // Not published: unscheduled, deleted, or published already; a row written since stays.
      if (published.length === 0) await settlePublishRows(tx, postId, true);
      return published.length ? 'published' : 'skipped';
    });
  }

  /** BlogReconcile: every SCHEDULED post, page by page, against the state of its job. */
  async reconcile(now = new Date()): Promise<{ published: number; rearmed: number }> {
    const totals = { published: 0, rearmed: 0 };
    let after: ScheduledRef | null = null;
    for (;;) {
      const page = await this.deps.publishing.scheduledPage(after, PAGE);
      if (page.length === 0) break;
      after = page.at(-1)!;
      const states = await this.jobStates(page.map((p) => p.id));
      const missing = page.filter((p) => !PENDING.has(states.get(p.id)!));
      const due = missing.filter((p) => p.publish_at <= now).map((p) => p.id);
      const future = missing.filter((p) => p.publish_at > now).map((p) => p.id);
      if (due.length) totals.published += (await this.deps.db.transaction().execute((tx) => this.publishInTx(tx, due, now))).length;
      if (future.length) {
        totals.rearmed += await this.deps.db.transaction().execute(async (tx) => {
          const locked = await this.deps.publishing.in(tx).lockFuture(future, now);
          for (const p of locked) await armPublishInTx(tx, p.id, p.publish_at);
          return locked.length;
        });
      }
      if (page.length < PAGE) break;
    }
    return totals;
  }

  /** The blog health group: delayed publish jobs, and posts overdue past the grace period. */
  async health(now = new Date()): Promise<{ scheduledJobs: number; problems: string[] }> {
    const [scheduledJobs, overdue] = await Promise.all([
      this.delayedPublishJobs(), this.deps.publishing.countOverdue(new Date(now.getTime() - this.deps.graceMs)),
    ]);
    const problems = overdue === 0 ? [] : [`${PUBLISH_QUEUE}: ${overdue} scheduled post${overdue === 1 ? ' is' : 's are'} unpublished more than ${this.deps.graceMs / 1000} s past their time`];
    return { scheduledJobs, problems };
  }

  /** The admin's list: SCHEDULED posts in publication order, with their job's state. */
  async listScheduled(page: number, pageSize: number, now = new Date()): Promise<{ items: ScheduledPostView[]; total: number }> {
    const { rows, total } = await this.deps.publishing.listScheduled(pageSize, (page - 1) * pageSize);
    const states = await this.jobStates(rows.map((r) => r.id));
    const items = rows.map((r) => ({
      id: r.id, title: r.title, authorId: r.author_id, announcement: r.announcement, publishAt: toIso(r.publish_at)!,
      overdue: r.publish_at!.getTime() < now.getTime() - this.deps.graceMs, job: states.get(r.id) ?? 'unknown',
    }));
    return { items, total };
  }

  /** Publishes the due ones of `ids`, with everything a publication brings, in the caller's transaction. */
  private async publishInTx(tx: Tx, ids: readonly string[], now: Date): Promise<PostRow[]> {
    const rows = await this.deps.publishing.in(tx).publishDue(ids, now);
    for (const post of rows) {
      await indexInTx(tx, 'blog_post', post.id);
      await this.deps.notifications.notify({
        userIds: [post.author_id], type: 'POST_STATUS_CHANGED',
        title: `Your post "${clip(post.title)}" is now PUBLISHED`,
        message: `"${post.title}" was published as scheduled (${toIso(post.publish_at)}).`,
        actionUrl: `/blog/posts/${post.id}`,
        metadata: { postId: post.id, from: 'SCHEDULED', to: 'PUBLISHED', changedBy: null, publishAt: toIso(post.publish_at) },
      }, tx);
      // Once in the post's life: published again after DRAFT, it finds its announcement claimed.
      if (post.announcement && await this.deps.publishing.in(tx).claimAnnouncement(post.id)) {
        await this.deps.notifications.notify({
          all: true, type: 'BLOG', title: clip(post.title), message: post.excerpt || clip(post.content, 280),
          actionUrl: `/blog/posts/${post.id}`, metadata: { postId: post.id }, createdBy: post.author_id,
        }, tx);
      }
      await settlePublishRows(tx, post.id);
    }
    return rows;
  }

  private async jobStates(ids: readonly string[]): Promise<Map<string, string>> {
    const queue = this.deps.queues.get(PUBLISH_QUEUE);
    const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
    return new Map(ids.map((id, i) => [id, states[i]!]));
  }

  /** Delayed jobs of the queue but for the reconciler's next run, which waits there as `repeat:<id>:<time>`. */
  private async delayedPublishJobs(): Promise<number> {
    const queue = this.deps.queues.get(PUBLISH_QUEUE);
    const [delayed, ...iterations] = await Promise.all([queue.getDelayedCount(), ...SCHEDULES.filter((s) => s.queue === PUBLISH_QUEUE).map(async (s) => {
      const next = (await queue.getJobScheduler(s.id))?.next;
      return next && (await queue.getJobState(`repeat:${s.id}:${next}`)) === 'delayed' ? 1 : 0;
    })]);
    return delayed - iterations.reduce<number>((a, b) => a + b, 0);
  }
}

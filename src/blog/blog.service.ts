import type { Notify } from '../notifications/index.js';
import type { Tx } from '../platform/db/client.js';
import type { Role } from '../platform/db/schema.js';
import { ForbiddenError, InvalidError, NotFoundError } from '../platform/errors.js';
import type { AuthUser } from '../platform/http/auth.js';
import { INVALID_BODY, isId } from '../platform/http/validation.js';
import type { Platform } from '../platform/module.js';
import { indexInTx } from '../search/index.js';
import type { UserLookup } from '../users/index.js';
import type { BlogRepository } from './blog.repository.js';
import { clip, postView, type CreatePostInput, type ListPostsQuery, type PostRow, type PostView, type ScheduleInput, type UpdatePostInput } from './blog.schemas.js';
import { armPublishInTx, disarmPublishInTx } from './publish.enqueue.js';

export const POST_NOT_FOUND = 'Post not found';
export const ASSIGNEE_NOT_FOUND = 'Assignee not found';
export const NOT_SCHEDULED = 'Post is not scheduled';
export const LEAVE_SCHEDULED = 'A SCHEDULED post can only go back to DRAFT (or be rescheduled)';
export const ANNOUNCE_FORBIDDEN = 'Forbidden: only admins may make announcements';
export const ANNOUNCEMENT_TEXT_FORBIDDEN = 'Forbidden: only admins may edit an announcement before it goes out';
const NOT_ASSIGNABLE = 'must be an admin or the post\'s author';
const cannotSchedule = (status: string) => `A ${status} post cannot be scheduled`;
const AUTHOR_ROLES: readonly Role[] = ['ADMIN', 'CREATOR', 'BRAND'];

type Actor = Pick<AuthUser, 'id' | 'role'>;
const isAdmin = (actor: Actor) => actor.role === 'ADMIN';
/** Unpublished posts are seen by their author, their assignee and admins; published ones by everyone. */
const canSee = (actor: Actor, post: PostRow) =>
  isAdmin(actor) || post.status === 'PUBLISHED' || post.author_id === actor.id || post.assignee_id === actor.id;

export interface BlogServiceDeps extends Pick<Platform, 'db'> {
  readonly posts: BlogRepository;
  readonly notifications: Notify;
  /** Assignees are looked up (they must exist, and be an admin or the author). */
  readonly users: UserLookup;
}

/**
 * Blog posts. Admins, creators and brands write them; the author (or an admin) edits one.
 * Announcements reach every user, so they are an admin's power: only an admin sets
 * `announcement: true` (anyone else: 403), and while one has not gone out only an admin edits its
 * text. Assignees are editors: an ADMIN, or the post's own author (anyone else: 400), so a
 * POST_ASSIGNED notification never carries an author's text to an arbitrary user.
 * Nobody is notified of their own action: assigning oneself or changing one's own post's status
 * sends nothing. DRAFT → SCHEDULED (POST …/schedule, with its publication job) → PUBLISHED (by
 * the job, see publishing.service.ts) → ARCHIVED; a SCHEDULED post goes back to DRAFT only.
 */
export class BlogService {
  constructor(private readonly deps: BlogServiceDeps) {}

  async create(actor: Actor, input: CreatePostInput): Promise<PostView> {
    if (!AUTHOR_ROLES.includes(actor.role)) throw new ForbiddenError();
    if (input.announcement === true && !isAdmin(actor)) throw new ForbiddenError(ANNOUNCE_FORBIDDEN);
    const assigneeId = await this.assignee(input.assigneeId, actor.id);
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.posts.in(tx).insert({ ...input, authorId: actor.id, assigneeId });
      await indexInTx(tx, 'blog_post', row.id);
      if (assigneeId) await this.notifyAssigned(tx, actor, row);
      return postView(row);
    });
  }

  async get(actor: Actor, id: string): Promise<PostView> {
    const row = isId(id) ? await this.deps.posts.find(id) : undefined;
    if (!row || !canSee(actor, row)) throw new NotFoundError(POST_NOT_FOUND);
    return postView(row);
  }

  /** Those of `ids` the actor may read (analytics accepts events only about posts their sender can see). */
  async visibleIds(actor: Actor, ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.deps.posts.findMany(ids.filter(isId));
    return new Set(rows.filter((row) => canSee(actor, row)).map((row) => row.id));
  }

  async list(actor: Actor, query: ListPostsQuery): Promise<{ items: PostView[]; total: number }> {
    if ([query.authorId, query.assigneeId].some((v) => v !== undefined && !isId(v))) return { items: [], total: 0 };
    const { rows, total } = await this.deps.posts.list({
      status: query.status, authorId: query.authorId, assigneeId: query.assigneeId, visibleTo: isAdmin(actor) ? undefined : actor.id,
    }, query.pageSize, (query.page - 1) * query.pageSize);
    return { items: rows.map(postView), total };
  }

  /** A new assignee hears of it (POST_ASSIGNED); a status change is told to the author (POST_STATUS_CHANGED). */
  async update(actor: Actor, id: string, patch: UpdatePostInput): Promise<PostView> {
    if (patch.announcement === true && !isAdmin(actor)) throw new ForbiddenError(ANNOUNCE_FORBIDDEN);
    return this.deps.db.transaction().execute(async (tx) => {
      const posts = this.deps.posts.in(tx);
      const before = await this.editable(posts, actor, id);
      const retext = patch.title !== undefined || patch.excerpt !== undefined || patch.content !== undefined;
      if (retext && before.announcement && before.announced_at === null && !isAdmin(actor)) throw new ForbiddenError(ANNOUNCEMENT_TEXT_FORBIDDEN);
      const assigneeId = patch.assigneeId === undefined ? undefined : await this.assignee(patch.assigneeId, before.author_id);
      // Leaving SCHEDULED by PATCH is unscheduling: back to DRAFT, and the job goes.
      const unscheduling = before.status === 'SCHEDULED' && patch.status !== undefined;
      if (unscheduling && patch.status !== 'DRAFT') throw new InvalidError(LEAVE_SCHEDULED);
      const row = (await posts.update(id, { ...patch, assigneeId, ...(unscheduling ? { publishAt: null } : {}) }))!;
      if (unscheduling) await disarmPublishInTx(tx, id);
      await indexInTx(tx, 'blog_post', id);
      if (row.assignee_id && row.assignee_id !== before.assignee_id) await this.notifyAssigned(tx, actor, row);
      await this.notifyStatusChanged(tx, actor, before, row);
      return postView(row);
    });
  }

  /** Schedules a DRAFT post, or moves a SCHEDULED one: its one job follows, in the same transaction. */
  async schedule(actor: Actor, id: string, input: ScheduleInput): Promise<PostView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const posts = this.deps.posts.in(tx);
      const before = await this.own(posts, actor, id);
      if (before.status !== 'DRAFT' && before.status !== 'SCHEDULED') throw new InvalidError(cannotSchedule(before.status));
      const row = (await posts.update(id, { status: 'SCHEDULED', publishAt: input.publishAt }))!;
      await armPublishInTx(tx, id, input.publishAt);
      await indexInTx(tx, 'blog_post', id);
      await this.notifyStatusChanged(tx, actor, before, row);
      return postView(row);
    });
  }

  /** Back to DRAFT; the job is removed. */
  async unschedule(actor: Actor, id: string): Promise<PostView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const posts = this.deps.posts.in(tx);
      const before = await this.own(posts, actor, id);
      if (before.status !== 'SCHEDULED') throw new InvalidError(NOT_SCHEDULED);
      const row = (await posts.update(id, { status: 'DRAFT', publishAt: null }))!;
      await disarmPublishInTx(tx, id);
      await indexInTx(tx, 'blog_post', id);
      await this.notifyStatusChanged(tx, actor, before, row);
      return postView(row);
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const posts = this.deps.posts.in(tx);
      const before = await this.editable(posts, actor, id);
      if (before.status === 'SCHEDULED') await disarmPublishInTx(tx, id);
      await posts.delete(id);
      await indexInTx(tx, 'blog_post', id);
    });
  }

  private async editable(posts: BlogRepository, actor: Actor, id: string): Promise<PostRow> {
    const row = isId(id) ? await posts.find(id, { lock: true }) : undefined;
    if (!row || !canSee(actor, row)) throw new NotFoundError(POST_NOT_FOUND);
    if (row.author_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError();
    return row;
  }

  /** Scheduling is the author's (or an admin's): anyone else is told the post does not exist. */
  private async own(posts: BlogRepository, actor: Actor, id: string): Promise<PostRow> {
    const row = isId(id) ? await posts.find(id, { lock: true }) : undefined;
    if (!row || (row.author_id !== actor.id && !isAdmin(actor))) throw new NotFoundError(POST_NOT_FOUND);
    return row;
  }

  private async notifyStatusChanged(tx: Tx, actor: Actor, before: PostRow, row: PostRow): Promise<void> {
    if (row.status === before.status || row.author_id === actor.id) return;
    await this.deps.notifications.notify({
      userIds: [row.author_id], type: 'POST_STATUS_CHANGED',
      title: `Your post "${clip(row.title)}" is now ${row.status}`,
      message: `The status of "${row.title}" changed from ${before.status} to ${row.status}.`,
      actionUrl: `/blog/posts/${row.id}`,
      metadata: { postId: row.id, from: before.status, to: row.status, changedBy: actor.id },
      createdBy: actor.id,
    }, tx);
  }

  /** The assignee as given (null: nobody): an id that is no user's is a 404, a user who is no editor a 400. */
  private async assignee(id: string | null | undefined, authorId: string): Promise<string | null> {
    if (id === undefined || id === null) return null;
    const user = isId(id) ? await this.deps.users.getUser(id) : undefined;
    if (!user) throw new NotFoundError(ASSIGNEE_NOT_FOUND);
    if (user.role !== 'ADMIN' && user.id !== authorId) {
      throw new InvalidError(INVALID_BODY, [{ code: 'custom', path: ['assigneeId'], message: NOT_ASSIGNABLE }]);
    }
    return user.id;
  }

  private async notifyAssigned(tx: Tx, actor: Actor, post: PostRow): Promise<void> {
    if (!post.assignee_id || post.assignee_id === actor.id) return;
    await this.deps.notifications.notify({
      userIds: [post.assignee_id], type: 'POST_ASSIGNED',
      title: `You were assigned the post "${clip(post.title)}"`,
      message: `You are now the assignee of the blog post "${post.title}" (${post.status}).`,
      actionUrl: `/blog/posts/${post.id}`,
      metadata: { postId: post.id, assignedBy: actor.id },
      createdBy: actor.id,
    }, tx);
  }
}

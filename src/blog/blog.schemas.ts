import type { Selectable } from 'kysely';
import { z } from 'zod';
import { BLOG_STATUSES, type BlogPostsTable, type BlogStatus } from '../platform/db/schema.js';
import { toIso } from '../platform/http/reply.js';
import { paginationQuery } from '../platform/http/validation.js';

export const BLOG_LIMITS = { title: 200, excerpt: 1_000, content: 100_000 } as const;

export const clip = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** SCHEDULED belongs to the scheduling endpoint (it needs a publishAt); here it is refused. */
const status = z.enum(BLOG_STATUSES).refine((value) => value !== 'SCHEDULED', 'SCHEDULED is set by scheduling a post; use DRAFT, PUBLISHED or ARCHIVED');
/** Opaque: a malformed id is a user that does not exist (404). */
const userId = z.string().max(100);

export const createPostBody = z.strictObject({
  title: z.string().trim().min(1).max(BLOG_LIMITS.title),
  excerpt: z.string().trim().max(BLOG_LIMITS.excerpt).optional(),
  content: z.string().trim().min(1).max(BLOG_LIMITS.content),
  status: status.optional(),
  assigneeId: userId.nullable().optional(),
  announcement: z.boolean().optional(),
});

export const updatePostBody = z.strictObject({
  title: z.string().trim().min(1).max(BLOG_LIMITS.title).optional(),
  excerpt: z.string().trim().max(BLOG_LIMITS.excerpt).optional(),
  content: z.string().trim().min(1).max(BLOG_LIMITS.content).optional(),
  status: status.optional(),
  /** null unassigns. */
  assigneeId: userId.nullable().optional(),
  announcement: z.boolean().optional(),
}).refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });

const yearAhead = () => {
  const limit = new Date();
  limit.setUTCFullYear(limit.getUTCFullYear() + 1);
  return limit.getTime();
};

/** A moment with a zone (`Z` or `±hh:mm`), after now and at most a year ahead. */
export const scheduleBody = z.strictObject({
  publishAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value))
    .refine((at) => at.getTime() > Date.now(), 'must be in the future')
    .refine((at) => at.getTime() <= yearAhead(), 'must be at most a year ahead'),
});

export const scheduledPostsQuery = z.object(paginationQuery(20));

export const listPostsQuery = z.object({
  ...paginationQuery(20),
  status: z.enum(BLOG_STATUSES).optional(),
  authorId: z.string().max(100).optional(),
  assigneeId: z.string().max(100).optional(),
});

export type CreatePostInput = z.output<typeof createPostBody>;
export type UpdatePostInput = z.output<typeof updatePostBody>;
export type ListPostsQuery = z.output<typeof listPostsQuery>;
export type ScheduleInput = z.output<typeof scheduleBody>;

export type PostRow = Selectable<BlogPostsTable>;

export interface PostView {
  id: string;
  authorId: string;
  assigneeId: string | null;
  title: string;
  excerpt: string;
  content: string;
  status: BlogStatus;
  announcement: boolean;
  publishAt: string | null;
  publishedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const postView = (r: PostRow): PostView => ({
  id: r.id, authorId: r.author_id, assigneeId: r.assignee_id, title: r.title, excerpt: r.excerpt, content: r.content, status: r.status,
  announcement: r.announcement, publishAt: toIso(r.publish_at), publishedAt: toIso(r.published_at), version: Number(r.version),
  createdAt: toIso(r.created_at)!, updatedAt: toIso(r.updated_at)!,
});

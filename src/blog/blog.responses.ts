import { z } from 'zod';
import type { PostView } from './blog.schemas.js';
import type { ScheduledPostView } from './publishing.service.js';
import { BLOG_STATUSES } from '../platform/db/schema.js';
import { isoTimestamp, okBody, pageBody, type Same } from '../platform/http/route-doc.js';

/** Response shapes of the blog API (posts and their scheduled publication), for OpenAPI and the client. */

export const postSchema = z.object({
  id: z.string(), authorId: z.string(), assigneeId: z.string().nullable(), title: z.string(), excerpt: z.string(), content: z.string(),
  status: z.enum(BLOG_STATUSES), announcement: z.boolean(), publishAt: isoTimestamp.nullable(), publishedAt: isoTimestamp.nullable(),
  version: z.number().int(), createdAt: isoTimestamp, updatedAt: isoTimestamp,
}).meta({ id: 'BlogPost' });
export const postBody = okBody(postSchema);
export const postPage = pageBody(postSchema);

export const scheduledPostSchema = z.object({
  id: z.string(), title: z.string(), authorId: z.string(), announcement: z.boolean(), publishAt: isoTimestamp,
  overdue: z.boolean().describe('past its time by more than BLOG_PUBLISH_GRACE_MS'),
  job: z.string().describe('BullMQ state of its publish job; unknown: none (the reconciler re-adds it)'),
}).meta({ id: 'ScheduledPost' });
export const scheduledPage = pageBody(scheduledPostSchema);

const _post: Same<z.output<typeof postSchema>, PostView> = true;
const _scheduled: Same<z.output<typeof scheduledPostSchema>, ScheduledPostView> = true;

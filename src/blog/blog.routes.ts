import { ok, paginated } from '../platform/http/reply.js';
import { successBody, type RouteDoc } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import { postBody, postPage } from './blog.responses.js';
import { createPostBody, listPostsQuery, scheduleBody, updatePostBody } from './blog.schemas.js';
import type { BlogService } from './blog.service.js';

// The post id is opaque to clients (a malformed one is a 404 from the service), so it has no schema.
const postId = (request: { params: unknown }) => (request.params as { id: string }).id;
type Limit = 'blog.read' | 'blog.write';
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>, rateLimit: Limit = 'blog.write') =>
  ({ access: 'user' as const, rateLimit, openapi: { summary, tags: ['blog'], ...rest } });
const ANNOUNCE = 'announcement: true (a BLOG notification, and email, to every user once the post is published by its schedule, once in the post\'s life) is for admins only: anyone else gets 403, and while an announcement has not gone out only an admin edits its text. assigneeId must be an ADMIN or the post\'s author (another user: 400).';

export interface BlogRoutesDeps {
  readonly blog: BlogService;
}

export function blogRoutes(app: Http, deps: BlogRoutesDeps): void {
  const { blog } = deps;
  app.post('/api/blog/posts', { schema: { body: createPostBody }, config: doc('Create a post', { response: postBody, status: 201, errors: { 403: 'Forbidden' }, description: ANNOUNCE }) }, async (request, reply) =>
    reply.status(201).send(ok(await blog.create(request.user!, request.body))));

  app.get('/api/blog/posts', { schema: { querystring: listPostsQuery }, config: doc('List posts visible to the caller', { response: postPage }, 'blog.read') }, async (request) => {
    const { query } = request;
    const { items, total } = await blog.list(request.user!, query);
    return paginated(items, query.page, query.pageSize, total);
  });

  app.get('/api/blog/posts/:id', { config: doc('Read a post', { response: postBody }, 'blog.read') }, async (request) => ok(await blog.get(request.user!, postId(request))));

  app.patch('/api/blog/posts/:id', { schema: { body: updatePostBody }, config: doc('Update a post', { response: postBody, errors: { 403: 'Forbidden' }, description: ANNOUNCE }) }, async (request) =>
    ok(await blog.update(request.user!, postId(request), request.body)));

  /** { publishAt }: schedules a DRAFT post or moves a SCHEDULED one. */
  app.post('/api/blog/posts/:id/schedule', { schema: { body: scheduleBody }, config: doc('Schedule (or move) a post\'s publication', { response: postBody, errors: { 403: 'Forbidden' }, description: 'A DRAFT or SCHEDULED post; another status is a 400.' }) }, async (request) =>
    ok(await blog.schedule(request.user!, postId(request), request.body)));

  /** Unschedules: back to DRAFT. */
  app.delete('/api/blog/posts/:id/schedule', { config: doc('Unschedule a post (back to DRAFT)', { response: postBody, errors: { 403: 'Forbidden' }, description: 'A SCHEDULED post; another status is a 400.' }) }, async (request) => ok(await blog.unschedule(request.user!, postId(request))));

  app.delete('/api/blog/posts/:id', { config: doc('Delete a post', { response: successBody, errors: { 403: 'Forbidden' } }) }, async (request) => {
    await blog.delete(request.user!, postId(request));
    return { success: true };
  });
}

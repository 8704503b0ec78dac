import type { FastifyInstance, FastifyRequest } from 'fastify';
import { postBody, postPage } from '../docs/blog.responses.js';
import { ok, paginated } from '../platform/http/reply.js';
import { successBody, type RouteDoc } from '../platform/http/route-doc.js';
import { parseBody, parseQuery } from '../platform/http/validation.js';
import { createPostBody, listPostsQuery, scheduleBody, updatePostBody } from './blog.schemas.js';
import type { BlogService } from './blog.service.js';

type Req = FastifyRequest<{ Params: { id: string } }>;
type Limit = 'blog.read' | 'blog.write';
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>, rateLimit: Limit = 'blog.write') =>
  ({ config: { access: 'user' as const, rateLimit, openapi: { summary, tags: ['blog'], ...rest } } });
const ANNOUNCE = 'announcement: true (a BLOG notification, and email, to every user once the post is published by its schedule, once in the post\'s life) is for admins only: anyone else gets 403, and while an announcement has not gone out only an admin edits its text. assigneeId must be an ADMIN or the post\'s author (another user: 400).';

export function blogRoutes(app: FastifyInstance, blog: BlogService): void {
  app.post('/api/blog/posts', doc('Create a post', { body: createPostBody, response: postBody, status: 201, errors: { 403: 'Forbidden' }, description: ANNOUNCE }), async (request, reply) =>
    reply.status(201).send(ok(await blog.create(request.user!, parseBody(createPostBody, request.body)))));

  app.get('/api/blog/posts', doc('List posts visible to the caller', { query: listPostsQuery, response: postPage }, 'blog.read'), async (request) => {
    const query = parseQuery(listPostsQuery, request.query);
    const { items, total } = await blog.list(request.user!, query);
    return paginated(items, query.page, query.pageSize, total);
  });

  app.get('/api/blog/posts/:id', doc('Read a post', { response: postBody }, 'blog.read'), async (request: Req) => ok(await blog.get(request.user!, request.params.id)));

  app.patch('/api/blog/posts/:id', doc('Update a post', { body: updatePostBody, response: postBody, errors: { 403: 'Forbidden' }, description: ANNOUNCE }), async (request: Req) =>
    ok(await blog.update(request.user!, request.params.id, parseBody(updatePostBody, request.body))));

  /** { publishAt }: schedules a DRAFT post or moves a SCHEDULED one. */
  app.post('/api/blog/posts/:id/schedule', doc('Schedule (or move) a post\'s publication', { body: scheduleBody, response: postBody, errors: { 403: 'Forbidden' }, description: 'A DRAFT or SCHEDULED post; another status is a 400.' }), async (request: Req) =>
    ok(await blog.schedule(request.user!, request.params.id, parseBody(scheduleBody, request.body))));

  /** Unschedules: back to DRAFT. */
  app.delete('/api/blog/posts/:id/schedule', doc('Unschedule a post (back to DRAFT)', { response: postBody, errors: { 403: 'Forbidden' }, description: 'A SCHEDULED post; another status is a 400.' }), async (request: Req) => ok(await blog.unschedule(request.user!, request.params.id)));

  app.delete('/api/blog/posts/:id', doc('Delete a post', { response: successBody, errors: { 403: 'Forbidden' } }), async (request: Req) => {
    await blog.delete(request.user!, request.params.id);
    return { success: true };
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ok, paginated } from '../platform/http/reply.js';
import { parseBody, parseQuery } from '../platform/http/validation.js';
import { createPostBody, listPostsQuery, updatePostBody } from './blog.schemas.js';
import type { BlogService } from './blog.service.js';

type Req = FastifyRequest<{ Params: { id: string } }>;
const USER = { config: { access: 'user' as const } };

export function blogRoutes(app: FastifyInstance, blog: BlogService): void {
  app.post('/api/blog/posts', USER, async (request, reply) =>
    reply.status(201).send(ok(await blog.create(request.user!, parseBody(createPostBody, request.body)))));

  app.get('/api/blog/posts', USER, async (request) => {
    const query = parseQuery(listPostsQuery, request.query);
    const { items, total } = await blog.list(request.user!, query);
    return paginated(items, query.page, query.pageSize, total);
  });

  app.get('/api/blog/posts/:id', USER, async (request: Req) => ok(await blog.get(request.user!, request.params.id)));

  app.patch('/api/blog/posts/:id', USER, async (request: Req) =>
    ok(await blog.update(request.user!, request.params.id, parseBody(updatePostBody, request.body))));

  app.delete('/api/blog/posts/:id', USER, async (request: Req) => {
    await blog.delete(request.user!, request.params.id);
    return { success: true };
  });
}

import type { FastifyRequest } from 'fastify';
import { SEARCH_ENTITY_TYPES, type SearchEntityType } from '../platform/db/schema.js';
import { ok } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { Viewer } from './search.repository.js';
import { searchBody } from './search.responses.js';
import { assetsQuery, creatorsQuery, projectsQuery, unifiedQuery, type SearchFilters } from './search.schemas.js';
import type { SearchService } from './search.service.js';

const viewer = (request: FastifyRequest): Viewer => ({ userId: request.user!.id, admin: request.user!.role === 'ADMIN' });

export interface SearchRoutesDeps {
  readonly search: SearchService;
}

export function searchRoutes(app: Http, deps: SearchRoutesDeps): void {
  const documented = <Q>(summary: string, querystring: Q) =>
    ({ schema: { querystring }, config: { access: 'user', rateLimit: 'search', openapi: { summary, tags: ['search'], response: searchBody } } } as const);
  const run = (request: FastifyRequest, q: { q: string; page: number; pageSize: number }, types: readonly SearchEntityType[], filters: SearchFilters = {}, facetAllTypes = false) =>
    deps.search.search(viewer(request), { q: q.q, page: q.page, pageSize: q.pageSize, types, filters, facetAllTypes }).then(ok);

  app.get('/api/search/unified', documented('Search every entity type the caller may see', unifiedQuery), async (request) => {
    const { query } = request;
    return run(request, query, query.types ?? SEARCH_ENTITY_TYPES, {}, true);
  });

  app.get('/api/search/assets', documented('Search assets', assetsQuery), async (request) => {
    const { query } = request;
    return run(request, query, ['asset'], {
      assetTypes: query.assetType, tags: query.tags, statuses: query.status, projectId: query.projectId, creatorId: query.creatorId,
      brandId: query.brandId, from: query.from, to: query.to,
    });
  });

  app.get('/api/search/creators', documented('Search creators', creatorsQuery), async (request) => {
    const { query } = request;
    return run(request, query, ['creator'], { tags: query.specialties, from: query.from, to: query.to });
  });

  app.get('/api/search/projects', documented('Search projects', projectsQuery), async (request) => {
    const { query } = request;
    return run(request, query, ['project'], { brandId: query.brandId, statuses: query.status, from: query.from, to: query.to });
  });
}

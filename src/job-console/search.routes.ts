import type { Http } from '../platform/http/zod-provider.js';
import { jobSearchBody, jobSearchQuery } from './search.responses.js';
import type { JobSearchService } from './search.service.js';

export interface SearchRoutesDeps {
  readonly search: Pick<JobSearchService, 'search'>;
}

export function jobSearchRoutes(app: Http, deps: SearchRoutesDeps): void {
  app.get('/api/admin/jobs/search', {
    schema: { querystring: jobSearchQuery },
    config: {
      access: 'admin', rateLimit: 'admin.jobs',
      openapi: {
        summary: 'Search jobs: live ones in every queue and job history', tags: ['admin'], response: jobSearchBody,
        description: 'Newest first (history by finish time, live jobs by their timestamp), with facets by queue and state. '
          + 'A job id is looked up in every queue; text is matched against job history (full text and substring, indexed) and the newest '
          + 'JOB_SEARCH_LIVE_SCAN jobs of each queue and live state (`live` says how many were read and whether some were not). '
          + 'History matches past JOB_SEARCH_COUNT_CAP (2,000) are not counted: `totalExact` is then false.',
      },
    },
  }, async (request) => {
    const q = request.query;
    return {
      success: true as const,
      ...(await deps.search.search({
        q: q.q, queues: q.queue, states: q.state, name: q.name, from: q.from, to: q.to, page: q.page, pageSize: q.pageSize,
      })),
    };
  });
}

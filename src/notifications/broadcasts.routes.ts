import { z } from 'zod';
import { ok, paginated } from '../platform/http/reply.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import { batchPage, previewBody } from './broadcasts.responses.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { batchBody } from './notifications.responses.js';
import { broadcastOf } from './notifications.routes.js';
import { createNotificationsBody } from './notifications.schemas.js';

export interface BroadcastsRoutesDeps {
  readonly broadcasts: BroadcastsService;
}

const tags = ['notifications', 'admin'];
const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
const listQuery = z.object(paginationQuery(10));

/** Safe broadcasts (issue 19): preview before sending, the recent batches, recall after. */
export function broadcastsRoutes(app: Http, deps: BroadcastsRoutesDeps): void {
  const { broadcasts } = deps;

  app.post('/api/admin/notifications/preview', { schema: { body: createNotificationsBody }, config: { ...admin, openapi: {
    summary: 'What a broadcast would do, without doing it',
    description: 'The body of POST /api/admin/notifications, validated alike. Counts the users it would reach and how many would be emailed now, '
      + 'held for quiet hours, put in a digest or not emailed, by the delivery\'s own rules. Creates nothing; the idempotencyKey is not used up.',
    tags, response: previewBody,
  } } }, async (request) => {
    const { recipients, content, idempotencyKey } = broadcastOf(request.body);
    return ok(await broadcasts.preview(recipients, content, idempotencyKey));
  });

  app.get('/api/admin/notifications/batches', { schema: { querystring: listQuery }, config: { ...admin, openapi: {
    summary: 'Recent notification batches, newest first', tags, response: batchPage,
  } } }, async (request) => {
    const { page, pageSize } = request.query;
    const { items, total } = await broadcasts.listBatches(page, pageSize);
    return paginated(items, page, pageSize, total);
  });

  app.post<{ Params: { id: string } }>('/api/admin/notifications/batches/:id/recall', { config: { ...admin, openapi: {
    summary: 'Recall a batch: hide its notifications, stop its fan-out, cancel its emails not yet claimed',
    description: 'Answers once no email of the batch can go out any more (it waits for emails already in hand-off, at most EMAIL_LEASE_MS), '
      + 'with the batch, status `recalled`, and `recall`: what was and was not stopped. Recalling a recalled batch answers its recall again. Audited.',
    tags, response: batchBody, errors: { 404: 'Batch not found' },
  } } }, async (request) => ok(await broadcasts.recall(request.params.id, request.user!.id)));
}

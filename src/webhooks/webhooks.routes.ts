import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../platform/db/schema.js';
import { ok, paginated, toIso } from '../platform/http/reply.js';
import { successBody, type RouteDoc } from '../platform/http/route-doc.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import {
  webhookBody, webhookCreatedBody, webhookDeliveriesBody, webhookDeliveryAcceptedBody, webhooksBody,
} from './webhooks.responses.js';
import type { WebhooksService } from './webhooks.service.js';

const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>) => ({ ...admin, openapi: { summary, tags: ['webhooks'], ...rest } });

const events = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length * 2);
const secret = z.string().min(16).max(256);
const description = z.string().max(500).nullable();
const createBody = z.strictObject({ url: z.string().max(2048), events, secret: secret.optional(), description: description.optional() });
const patchBody = z.strictObject({ url: z.string().max(2048).optional(), events: events.optional(), secret: secret.optional(), description: description.optional(), enabled: z.boolean().optional() });
const idParams = z.object({ id: z.string() });
const deliveryParams = z.object({ id: z.string(), deliveryId: z.string() });
const deliveriesQuery = z.object({ ...paginationQuery(20), status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional() });
const notFound = { 404: 'Webhook not found' };

type EndpointRow = Awaited<ReturnType<WebhooksService['get']>>;
const endpoint = (r: EndpointRow) => ({
  id: r.id, url: r.url, events: r.events, enabled: r.enabled, description: r.description, createdAt: toIso(r.created_at)!, updatedAt: toIso(r.updated_at)!,
});

/** The admin webhooks API (admins only; every change audited). Secrets are shown once, at creation. */
export function webhookRoutes(app: Http, service: WebhooksService): void {
  const adminId = (request: { user: { id: string } | null }) => request.user!.id;

  app.post('/api/admin/webhooks', { schema: { body: createBody }, config: doc('Register a webhook endpoint (its secret is in this answer only)', { response: webhookCreatedBody, status: 201 }) }, async (request, reply) => {
    const row = await service.create(adminId(request), request.body);
    return reply.code(201).send(ok({ ...endpoint(row), secret: row.secret }));
  });

  app.get('/api/admin/webhooks', { config: doc('Webhook endpoints', { response: webhooksBody }) }, async () => ok((await service.list()).map(endpoint)));

  app.get('/api/admin/webhooks/:id', { schema: { params: idParams }, config: doc('A webhook endpoint', { response: webhookBody, errors: notFound }) }, async (request) =>
    ok(endpoint(await service.get(request.params.id))));

  app.patch('/api/admin/webhooks/:id', { schema: { params: idParams, body: patchBody }, config: doc('Change a webhook endpoint (URL, events, secret, enabled)', { response: webhookBody, errors: notFound }) }, async (request) =>
    ok(endpoint(await service.update(adminId(request), request.params.id, request.body))));

  app.delete('/api/admin/webhooks/:id', { schema: { params: idParams }, config: doc('Delete a webhook endpoint and its deliveries', { response: successBody, errors: notFound }) }, async (request) => {
    await service.remove(adminId(request), request.params.id);
    return { success: true as const };
  });

  app.post('/api/admin/webhooks/:id/test', { schema: { params: idParams }, config: doc('Send a webhook.test event to this endpoint', { response: webhookDeliveryAcceptedBody, status: 202, errors: notFound }) }, async (request, reply) =>
    reply.code(202).send(ok(await service.test(adminId(request), request.params.id))));

  app.get('/api/admin/webhooks/:id/deliveries', { schema: { params: idParams, querystring: deliveriesQuery }, config: doc('Deliveries of an endpoint, newest first, with every attempt', { response: webhookDeliveriesBody, errors: notFound }) }, async (request) => {
    const q = request.query;
    const { rows, total } = await service.deliveries(request.params.id, q);
    return paginated(rows.map((r) => ({
      id: r.delivery_id, event: r.event_type, orderingKey: r.ordering_key, status: r.status, attempts: r.attempts, createdAt: toIso(r.created_at)!,
      deliveredAt: toIso(r.delivered_at), lastError: r.last_error, payload: r.payload,
      attemptLog: r.attemptRows.map((a) => ({ attemptedAt: toIso(a.attempted_at)!, statusCode: a.status_code, durationMs: a.duration_ms, error: a.error, responseSnippet: a.response_snippet })),
    })), q.page, q.pageSize, total);
  });

  app.post('/api/admin/webhooks/:id/deliveries/:deliveryId/replay', {
    schema: { params: deliveryParams },
    config: doc('Send a delivered or failed delivery again (same delivery id)', { response: webhookDeliveryAcceptedBody, status: 202, errors: { 404: 'Delivery not found', 409: 'The delivery is still pending' } }),
  }, async (request, reply) => reply.code(202).send(ok(await service.replay(adminId(request), request.params.id, request.params.deliveryId))));
}

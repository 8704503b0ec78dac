import type { FastifyInstance } from 'fastify';
import { ok, paginated } from '../platform/http/reply.js';
import { parseBody, parseQuery } from '../platform/http/validation.js';
import { createNotificationsBody, listQuery, updatePreferencesBody } from './notifications.schemas.js';
import type { NotificationsService, Recipients } from './notifications.service.js';
import type { NotificationStream } from './stream.service.js';

export function notificationsRoutes(app: FastifyInstance, service: NotificationsService, stream: NotificationStream): void {
  // Other open sessions of the user update their badge; a failed push must not fail the request.
  const changed = (userId: string) => void stream.publishUnreadChanged(userId).catch(() => undefined);
  const user = (request: { user: { id: string } | null }) => request.user!.id;

  app.get('/api/notifications', { config: { access: 'user', rateLimit: 'notifications.list' } }, async (request) => {
    const query = parseQuery(listQuery, request.query);
    const { items, total } = await service.list(user(request), query);
    return paginated(items, query.page, query.pageSize, total);
  });

  app.get('/api/notifications/unread-count', { config: { access: 'user', rateLimit: 'notifications.unreadCount' } }, async (request) =>
    ok({ count: await service.unreadCount(user(request)) }));

  app.post('/api/notifications/read-all', { config: { access: 'user', rateLimit: 'notifications.readAll' } }, async (request) => {
    const count = await service.markAllRead(user(request));
    if (count > 0) changed(user(request));
    return ok({ count });
  });

  app.get('/api/notifications/preferences', { config: { access: 'user', rateLimit: 'notifications.preferences.get' } }, async (request) =>
    ok(await service.getPreferences(user(request))));

  app.patch('/api/notifications/preferences', { config: { access: 'user', rateLimit: 'notifications.preferences.update' } }, async (request) =>
    ok(await service.updatePreferences(user(request), parseBody(updatePreferencesBody, request.body))));

  app.post<{ Params: { id: string } }>('/api/notifications/:id/read', { config: { access: 'user', rateLimit: 'notifications.markRead' } }, async (request) => {
    const result = await service.markRead(user(request), request.params.id);
    changed(user(request));
    return ok(result);
  });

  app.delete<{ Params: { id: string } }>('/api/notifications/:id', { config: { access: 'user' } }, async (request) => {
    await service.delete(user(request), request.params.id);
    changed(user(request));
    return { success: true };
  });

  app.post('/api/admin/notifications', { config: { access: 'admin' } }, async (request, reply) => {
    const body = parseBody(createNotificationsBody, request.body);
    const recipients: Recipients = body.userIds ? { userIds: body.userIds } : body.role ? { role: body.role } : { all: true };
    const result = await service.create(recipients, {
      type: body.type, title: body.title, message: body.message, actionUrl: body.actionUrl ?? null,
      priority: body.priority, metadata: body.metadata ?? null, critical: body.critical,
    }, { idempotencyKey: body.idempotencyKey ?? null, createdBy: user(request) });
    return reply.status(202).send(ok(result));
  });

  app.get<{ Params: { id: string } }>('/api/admin/notifications/batches/:id', { config: { access: 'admin' } }, async (request) =>
    ok(await service.getBatch(request.params.id)));
}

import { ok, paginated } from '../platform/http/reply.js';
import { successBody } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import { inboxActionRoutes } from './inbox.routes.js';
import { batchBody, countBody, markReadBody, notificationPage, notifyResultBody, preferencesBody, unreadCountBody } from './notifications.responses.js';
import { createNotificationsBody, listQuery, unreadCountQuery, updatePreferencesBody, type CreateNotificationsInput, type NotificationContent } from './notifications.schemas.js';
import type { InboxService } from './inbox.service.js';
import type { NotificationsService, Recipients } from './notifications.service.js';
import type { InboxChange, NotificationStream } from './stream.service.js';

export interface NotificationsRoutesDeps {
  readonly notifications: NotificationsService;
  readonly inbox: InboxService;
  readonly stream: Pick<NotificationStream, 'publishChange'>;
}

/** A broadcast's body as the service takes it: the real one and its preview read it alike. */
export function broadcastOf(body: CreateNotificationsInput): { recipients: Recipients; content: NotificationContent; idempotencyKey: string | null } {
  const recipients: Recipients = body.userIds ? { userIds: body.userIds } : body.role ? { role: body.role } : { all: true };
  const content: NotificationContent = {
    type: body.type, title: body.title, message: body.message, actionUrl: body.actionUrl ?? null,
    priority: body.priority, metadata: body.metadata ?? null, critical: body.critical,
    ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt).toISOString() } : {}),
  };
  return { recipients, content, idempotencyKey: body.idempotencyKey ?? null };
}

export function notificationsRoutes(app: Http, deps: NotificationsRoutesDeps): void {
  const { notifications: service, inbox, stream } = deps;
  // Other open sessions of the user follow (list and badge); a failed push must not fail the request.
  const changed = (userId: string, change: InboxChange) => void stream.publishChange(userId, change).catch(() => undefined);
  const user = (request: { user: { id: string } | null }) => request.user!.id;
  const tags = ['notifications'];

  app.get('/api/notifications', { schema: { querystring: listQuery }, config: { access: 'user', rateLimit: 'notifications.list', openapi: {
    summary: 'List the caller\'s notifications', description: 'Unread first, then URGENT > HIGH > MEDIUM > LOW, then newest (ties by id).', tags, response: notificationPage,
  } } }, async (request) => {
    const { query } = request;
    const { items, total } = await inbox.list(user(request), query);
    return paginated(items, query.page, query.pageSize, total);
  });

  app.get('/api/notifications/unread-count', { schema: { querystring: unreadCountQuery }, config: { access: 'user', rateLimit: 'notifications.unreadCount', openapi: {
    summary: 'Count unread notifications', description: 'Of the feed: archived, snoozed and expired ones count in nothing. `unseen` and `byType` are beyond the original contract.', tags, response: unreadCountBody,
  } } }, async (request) => ok(await inbox.unreadCounts(user(request), request.query.by === 'type')));

  app.post('/api/notifications/read-all', { config: { access: 'user', rateLimit: 'notifications.readAll', openapi: { summary: 'Mark every notification read', description: 'But those snoozed into the future: they come back unread.', tags, response: countBody.describe('how many changed') } } }, async (request) => {
    const count = await inbox.markAllRead(user(request));
    if (count > 0) changed(user(request), { action: 'read-all', ids: [] });
    return ok({ count });
  });

  app.get('/api/notifications/preferences', { config: { access: 'user', rateLimit: 'notifications.preferences.get', openapi: { summary: 'Read notification preferences (defaults if never saved)', tags, response: preferencesBody } } }, async (request) =>
    ok(await service.getPreferences(user(request))));

  app.patch('/api/notifications/preferences', { schema: { body: updatePreferencesBody }, config: { access: 'user', rateLimit: 'notifications.preferences.update', openapi: {
    summary: 'Update notification preferences', tags, response: preferencesBody,
  } } }, async (request) => ok(await service.updatePreferences(user(request), request.body)));

  app.post<{ Params: { id: string } }>('/api/notifications/:id/read', { config: { access: 'user', rateLimit: 'notifications.markRead', openapi: {
    summary: 'Mark one notification read', description: 'Keeps the first readAt of an already-read notification.', tags, response: markReadBody, errors: { 404: 'Notification not found' },
  } } }, async (request) => {
    const result = await inbox.markRead(user(request), request.params.id);
    changed(user(request), { action: 'read', ids: [result.id] });
    return ok(result);
  });

  app.delete<{ Params: { id: string } }>('/api/notifications/:id', { config: { access: 'user', openapi: { summary: 'Delete one notification', tags, response: successBody, errors: { 404: 'Notification not found' } } } }, async (request) => {
    await inbox.delete(user(request), request.params.id);
    // The id as the API writes it (a UUID matches in any case; other tabs compare ids as strings).
    changed(user(request), { action: 'delete', ids: [request.params.id.toLowerCase()] });
    return { success: true };
  });

  inboxActionRoutes(app, { service: inbox, changed, user, tags });

  app.post('/api/admin/notifications', { schema: { body: createNotificationsBody }, config: { access: 'admin', openapi: {
    summary: 'Notify users, a role or everyone', description: 'Exactly one target. Repeating an idempotencyKey creates nothing more.',
    tags: ['notifications', 'admin'], response: notifyResultBody, status: 202,
  } } }, async (request, reply) => {
    const { recipients, content, idempotencyKey } = broadcastOf(request.body);
    const result = await service.create(recipients, content, { idempotencyKey, createdBy: user(request) });
    return reply.status(202).send(ok(result));
  });

  app.get<{ Params: { id: string } }>('/api/admin/notifications/batches/:id', { config: { access: 'admin', openapi: { summary: 'Progress of a notification fan-out', tags: ['notifications', 'admin'], response: batchBody, errors: { 404: 'Batch not found' } } } }, async (request) =>
    ok(await service.getBatch(request.params.id)));
}

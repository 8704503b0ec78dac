import { ok } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import { countBody, notificationBody } from './notifications.responses.js';
import { bulkBody, snoozeBody } from './notifications.schemas.js';
import { z } from 'zod';
import type { InboxService } from './inbox.service.js';
import type { InboxChange } from './stream.service.js';

export interface InboxActionRoutesDeps {
  readonly service: InboxService;
  /** Tells the user's other streams (never fails the request). */
  readonly changed: (userId: string, change: InboxChange) => void;
  readonly user: (request: { user: { id: string } | null }) => string;
  readonly tags: string[];
}

const NOT_FOUND = { 404: 'Notification not found' };
// Any text: a malformed id is a notification that does not exist (404), as in the contract's routes.
const idParams = z.object({ id: z.string() });

/** Issue 17's inbox actions, beyond the original contract: seen, unread, archive, snooze, bulk. */
export function inboxActionRoutes(app: Http, deps: InboxActionRoutesDeps): void {
  const { service, changed, user, tags } = deps;

  app.post('/api/notifications/seen-all', { config: { access: 'user', rateLimit: 'notifications.seenAll', openapi: {
    summary: 'Mark the feed seen (the bell was opened)', description: 'Unread notifications of the feed never shown become seen; read state is unchanged.', tags, response: countBody.describe('how many changed'),
  } } }, async (request) => {
    const count = await service.markAllSeen(user(request));
    if (count > 0) changed(user(request), { action: 'seen-all', ids: [] });
    return ok({ count });
  });

  // One action on one notification, answered with the notification after it.
  const single = (path: string, action: 'unread' | 'archive' | 'unarchive', summary: string) =>
    app.post<{ Params: { id: string } }>(`/api/notifications/:id/${path}`, { config: { access: 'user', rateLimit: 'notifications.update', openapi: { summary, tags, response: notificationBody, errors: NOT_FOUND } } }, async (request) => {
      const { view, changed: didChange } = await service.apply(user(request), request.params.id, action);
      if (didChange) changed(user(request), { action, ids: [view.id], notifications: [view] });
      return ok(view);
    });
  single('unread', 'unread', 'Mark one notification unread');
  single('archive', 'archive', 'Archive one notification (out of the feed and of every count)');
  single('unarchive', 'unarchive', 'Bring an archived notification back to the feed');

  app.post('/api/notifications/:id/snooze', { schema: { params: idParams, body: snoozeBody }, config: { access: 'user', rateLimit: 'notifications.update', openapi: {
    summary: 'Snooze one notification', description: 'Hidden from lists and counts until `until` (in the future, at most 90 days); then back unread and unseen at the top of its priority band, and open streams hear it.',
    tags, response: notificationBody, errors: NOT_FOUND,
  } } }, async (request) => {
    const view = await service.snooze(user(request), request.params.id, request.body.until);
    changed(user(request), { action: 'snooze', ids: [view.id], notifications: [view] });
    return ok(view);
  });

  app.post<{ Params: { id: string } }>('/api/notifications/:id/unsnooze', { config: { access: 'user', rateLimit: 'notifications.update', openapi: {
    summary: 'End a snooze now', description: 'Back at the top of its priority band; a notification not snoozed is answered as it is.', tags, response: notificationBody, errors: NOT_FOUND,
  } } }, async (request) => {
    const { view, changed: woke } = await service.unsnooze(user(request), request.params.id);
    if (woke) changed(user(request), { action: 'unsnooze', ids: [view.id], notifications: [view] });
    return ok(view);
  });

  app.post('/api/notifications/bulk', { schema: { body: bulkBody }, config: { access: 'user', rateLimit: 'notifications.bulk', openapi: {
    summary: 'One action on up to 100 notifications', description: 'Ids of other users (or of none) count as not found, not as an error. `count` is how many changed.', tags, response: countBody,
  } } }, async (request) => {
    const ids = await service.bulk(user(request), request.body.ids, request.body.action);
    if (ids.length > 0) changed(user(request), { action: request.body.action, ids });
    return ok({ count: ids.length });
  });
}

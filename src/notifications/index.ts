// The public surface of notifications: what app.ts and other capabilities may import (the
// dependency rule, docs/ARCHITECTURE.md). Everything else in this folder is its own business.
export { notificationsModule, type EmailOptOut, type NotificationsModule, type NotificationsModuleDeps } from './notifications.module.js';
export type { FlushDigest, NotificationsService, NotifyInput, NotifyResult } from './notifications.service.js';
// Digests renders the notifications it gathers with the same copy per type, from the same rows.
export { TYPE_COPY, type RenderedEmail } from './email.render.js';
export type { NotificationRow } from './inbox.repository.js';
import type { NotificationsService } from './notifications.service.js';

/** The producer port: what catalog, blog and media need of notifications (notify, in their transaction). */
export type Notify = Pick<NotificationsService, 'notify'>;

/** The admin's read port: one notification's life (content, inbox state, delivery jobs) and the search by id, user or email. */
export type { HistoryNotification, HistoryRelay, HistoryRepository as NotificationHistory, HistorySearch } from './history.repository.js';

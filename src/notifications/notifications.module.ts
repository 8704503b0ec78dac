import { AuditRepository } from '../admin/index.js';
import type { SessionsPort } from '../auth/index.js';
import type { Executor } from '../platform/db/client.js';
import type { Module, Platform } from '../platform/module.js';
import { BatchesRepository } from './batches.repository.js';
import { BroadcastsRepository } from './broadcasts.repository.js';
import { broadcastsRoutes } from './broadcasts.routes.js';
import { BroadcastsService } from './broadcasts.service.js';
import { notificationDeliveryJobs } from './delivery.job.js';
import { DeliveryRepository } from './delivery.repository.js';
import { DeliveryService } from './delivery.service.js';
import { notificationFanoutJobs } from './fanout.job.js';
import { HistoryRepository } from './history.repository.js';
import { notificationInboxJobs } from './inbox.job.js';
import { InboxReads } from './inbox.repository.js';
import { InboxService } from './inbox.service.js';
import { NotificationsRepository } from './notifications.repository.js';
import { notificationsRoutes } from './notifications.routes.js';
import { NotificationsService, type FlushDigest } from './notifications.service.js';
import { PreferencesRepository } from './preferences.repository.js';
import { StreamConnections } from './stream.connection.js';
import { StreamRepository } from './stream.repository.js';
import { streamRoutes } from './stream.routes.js';
import { NotificationStream } from './stream.service.js';
import { unsubscribeRoutes } from './unsubscribe.routes.js';
import { noWebhookEvents, type WebhookEvents } from '../webhooks/index.js';

/** The port a complaint turns email off through (src/deliverability), in the caller's transaction. */
export interface EmailOptOut {
  disableEmail(trx: Executor, target: { userId: string | null; email: string }): Promise<void>;
}

export interface NotificationsModuleDeps extends Pick<Platform, 'db' | 'pool' | 'redis' | 'redisTarget' | 'config' | 'log' | 'email' | 'secret' | 'publicUrl' | 'now'> {
  readonly sessions: SessionsPort;
  /** Digests' flush of a user leaving DAILY/WEEKLY (digests' enqueueDigestFlushInTx). */
  readonly flushDigest: FlushDigest;
  /** Outbound webhooks' port: notification.created and notification.read (none by default). */
  readonly webhooks?: WebhookEvents;
}

/** The inbox, preferences, notify() and its fan-out, email delivery, unsubscribe and the SSE stream. */
export function notificationsModule(deps: NotificationsModuleDeps) {
  const { config, db } = deps;
  const stream = new NotificationStream({ redis: deps.redis, redisTarget: deps.redisTarget, prefix: config.queuePrefix, log: deps.log, heartbeatMs: config.sseHeartbeatMs, ...config.sse });
  const repository = new NotificationsRepository(db);
  const webhooks = deps.webhooks ?? noWebhookEvents;
  const inbox = new InboxService({ db, notifications: repository, reads: new InboxReads(deps.pool), now: deps.now, webhooks });
  const batches = new BatchesRepository(db);
  const notifications = new NotificationsService({
    db, notifications: repository, now: deps.now, preferences: new PreferencesRepository(db), batches,
    flushDigest: deps.flushDigest, webhooks, fanoutBatch: config.worker.fanoutBatchSize, deliveryBatch: config.worker.deliveryBatchSize,
  });
  // Issue 19: preview and recall of broadcasts; a recall is audited in admin's log, in its transaction.
  const broadcasts = new BroadcastsService({
    db, broadcasts: new BroadcastsRepository(db), batches, notifications, audit: new AuditRepository(db), now: deps.now, leaseMs: config.email.leaseMs,
  });
  const delivery = new DeliveryService({
    db, deliveries: new DeliveryRepository(db), email: deps.email, stream, log: deps.log, publicUrl: deps.publicUrl, secret: deps.secret,
    unsubscribeTtlMs: config.email.unsubscribeTtlMs, now: deps.now,
  });
  const connections = new StreamConnections({ stream, streams: new StreamRepository(db), inbox, heartbeatMs: config.sseHeartbeatMs });
  const preferences = new PreferencesRepository(db);
  return {
    notifications,
    inbox,
    broadcasts,
    /** Email off for a user who complained (deliverability's suppression), in the complaint's transaction. */
    emailOptOut: { disableEmail: (trx, target) => preferences.in(trx).disableEmail(target) } satisfies EmailOptOut,
    delivery,
    stream,
    /** The admin's message timeline and notification search (read only). */
    history: new HistoryRepository(db),
    jobs: {
      'notification-fanout': notificationFanoutJobs({ notifications }),
      'notification-delivery': notificationDeliveryJobs({ delivery }),
      'notification-inbox': notificationInboxJobs({
        notifications: inbox, repository, stream, log: deps.log, retentionDays: config.inbox.retentionDays, purgeBatch: config.inbox.purgeBatch, now: deps.now,
      }),
    },
    routes(http) {
      notificationsRoutes(http, { notifications, inbox, stream });
      broadcastsRoutes(http, { broadcasts });
      streamRoutes(http, { connections, heartbeatMs: config.sseHeartbeatMs });
      unsubscribeRoutes(http, { notifications, secret: deps.secret });
    },
    async start() {
      // A revoked session's streams end at once, and a periodic check ends those of expired ones.
      deps.sessions.onRevoked((sessionId) => stream.endSession(sessionId));
      stream.watchSessions((ids) => deps.sessions.active(ids));
    },
    stop: () => stream.close(),
  } satisfies Module<'notification-fanout' | 'notification-delivery' | 'notification-inbox'> & Record<string, unknown>;
}
export type NotificationsModule = ReturnType<typeof notificationsModule>;

import type { SessionsPort } from '../auth/auth.module.js';
import type { Module, Platform } from '../platform/module.js';
import { notificationDeliveryJobs } from './delivery.job.js';
import { DeliveryService } from './delivery.service.js';
import { notificationFanoutJobs } from './fanout.job.js';
import { notificationsRoutes } from './notifications.routes.js';
import { NotificationsService } from './notifications.service.js';
import { streamRoutes } from './stream.routes.js';
import { NotificationStream } from './stream.service.js';
import { unsubscribeRoutes } from './unsubscribe.routes.js';

export interface NotificationsModuleDeps extends Pick<Platform, 'db' | 'pool' | 'redis' | 'redisUrl' | 'config' | 'log' | 'email' | 'secret' | 'publicUrl'> {
  readonly sessions: SessionsPort;
}

/** The inbox, preferences, notify() and its fan-out, email delivery, unsubscribe and the SSE stream. */
export function notificationsModule(deps: NotificationsModuleDeps) {
  const { config, db } = deps;
  const stream = new NotificationStream({ redis: deps.redis, redisUrl: deps.redisUrl, prefix: config.queuePrefix, log: deps.log, heartbeatMs: config.sseHeartbeatMs, ...config.sse });
  const notifications = new NotificationsService(db, deps.pool, { fanoutBatch: config.worker.fanoutBatchSize, deliveryBatch: config.worker.deliveryBatchSize });
  const delivery = new DeliveryService({ db, email: deps.email, stream, log: deps.log, publicUrl: deps.publicUrl, secret: deps.secret, unsubscribeTtlMs: config.email.unsubscribeTtlMs });
  return {
    notifications,
    delivery,
    stream,
    jobs: {
      'notification-fanout': notificationFanoutJobs(notifications),
      'notification-delivery': notificationDeliveryJobs(delivery),
    },
    routes(http) {
      notificationsRoutes(http, notifications, stream);
      streamRoutes(http, stream, notifications, config.sseHeartbeatMs, db);
      unsubscribeRoutes(http, notifications, deps.secret);
    },
    async start() {
      // A revoked session's streams end at once, and a periodic check ends those of expired ones.
      deps.sessions.onRevoked((sessionId) => stream.endSession(sessionId));
      stream.watchSessions((ids) => deps.sessions.active(ids));
    },
    stop: () => stream.close(),
  } satisfies Module<'notification-fanout' | 'notification-delivery'> & Record<string, unknown>;
}
export type NotificationsModule = ReturnType<typeof notificationsModule>;

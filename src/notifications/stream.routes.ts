import type { FastifyInstance } from 'fastify';
import type { NotificationsService } from './notifications.service.js';
import type { NotificationStream } from './stream.service.js';

/** GET /api/notifications/stream: Server-Sent Events of the caller's inbox. (Skeleton.) */
export function streamRoutes(_app: FastifyInstance, _stream: NotificationStream, _notifications: NotificationsService, _heartbeatMs: number): void {}

import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import type { NotificationView } from './notifications.schemas.js';

/**
 * Live push of inbox changes to every open session of a user, across API processes through Redis
 * pub/sub. (Skeleton: publishing is wired; the SSE endpoint lives in stream.routes.ts.)
 */
export class NotificationStream {
  constructor(private readonly deps: { redis: Redis; redisUrl: string; prefix: string; log: Logger; heartbeatMs: number }) {}

  /** After a notification committed (called by the delivery worker). */
  async publishNotification(_userId: string, _notification: NotificationView): Promise<void> {}

  /** After read state changed (mark read, read all, delete). */
  async publishUnreadChanged(_userId: string): Promise<void> {}

  async close(): Promise<void> {}
}

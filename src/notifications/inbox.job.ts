import type { Job } from 'bullmq';
import type { Logger } from '../platform/logger.js';
import type { JobHandlers } from '../platform/queue/registry.js';
import type { NotificationsRepository } from './notifications.repository.js';
import type { InboxService } from './inbox.service.js';
import type { NotificationStream } from './stream.service.js';

export interface InboxJobsDeps {
  readonly notifications: Pick<InboxService, 'wake'>;
  readonly repository: Pick<NotificationsRepository, 'purgeBatch' | 'expiredOfBatch'>;
  readonly stream: Pick<NotificationStream, 'publishChange'>;
  readonly log: Logger;
  readonly retentionDays: number;
  readonly purgeBatch: number;
  /** The application's clock (Platform.now): where the retention cutoff lies. */
  readonly now: () => number;
}

// Users told per page of an expiry: one PUBLISH each, a page's reads bounded.
const EXPIRY_PAGE = 1_000;

/** The inbox's timed changes (issue 17). Payloads are checked by their schemas before these run. */
export function notificationInboxJobs(deps: InboxJobsDeps): JobHandlers['notification-inbox'] {
  const tell = (userId: string, change: Parameters<NotificationStream['publishChange']>[1]) =>
    deps.stream.publishChange(userId, change).catch((err: Error) => deps.log.warn({ err: err.message, userId }, 'live push failed; clients will see it on their next poll'));
  return {
    NotificationWake: async ({ id, until }) => {
      // Told under the row's lock (see NotificationsService.wake): never after a delete's event.
      const woken = await deps.notifications.wake(id, until, (userId, view) => tell(userId, { action: 'wake', ids: [id], notifications: [view] }));
      return { woken };
    },
    NotificationsExpired: async ({ batchId, at }, job) => {
      let after: string | null = null;
      let users = 0;
      for (;;) {
        const page = await deps.repository.expiredOfBatch(batchId, new Date(at), after, EXPIRY_PAGE);
        await Promise.all(page.map((row) => tell(row.user_id, { action: 'expire', ids: row.ids })));
        users += page.length;
        if (page.length < EXPIRY_PAGE) return { users };
        after = page[page.length - 1]!.user_id;
        await job.updateProgress({ users });
      }
    },
    NotificationsPurge: async (_data, job: Job) => {
      const cutoff = new Date(deps.now() - deps.retentionDays * 86_400_000);
      const purged = { expired: 0, read: 0 };
      for (const kind of ['expired', 'read'] as const) {
        for (;;) {
          const n = await deps.repository.purgeBatch(kind, cutoff, deps.purgeBatch);
          purged[kind] += n;
          await job.updateProgress(purged);
          if (n < deps.purgeBatch) break;
        }
      }
      return { ...purged, cutoff: cutoff.toISOString() };
    },
  };
}

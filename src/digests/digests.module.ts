import type { Module, Platform } from '../platform/module.js';
import { DigestHistoryRepository } from './digest-history.repository.js';
import { notificationDigestJobs } from './digests.job.js';
import { DigestsRepository } from './digests.repository.js';
import { digestRoutes } from './digests.routes.js';
import { DigestsService } from './digests.service.js';

export interface DigestsModuleDeps extends Pick<Platform, 'db' | 'config' | 'log' | 'email' | 'publicUrl'> {
  /** The one-click unsubscribe link of a user's emails (notifications owns unsubscribing). */
  readonly unsubscribeUrl: (userId: string) => string;
}

/** Daily and weekly digests: the scheduled runs, one email per user and period, the switch's flush. */
export function digestsModule(deps: DigestsModuleDeps) {
  const { config } = deps;
  const digests = new DigestsService({
    db: deps.db, digests: new DigestsRepository(deps.db), email: deps.email, log: deps.log, publicUrl: deps.publicUrl, unsubscribeUrl: deps.unsubscribeUrl,
    pageSize: config.worker.digestPageSize, batchSize: config.worker.digestBatchSize, settleMs: config.worker.digestSettleMs,
  });
  return {
    digests,
    /** Which digests covered a notification (the admin's message timeline). */
    history: new DigestHistoryRepository(deps.db),
    jobs: { 'notification-digest': notificationDigestJobs({ digests }) },
    routes: (http) => digestRoutes(http, { digests }),
  } satisfies Module<'notification-digest'> & Record<string, unknown>;
}
export type DigestsModule = ReturnType<typeof digestsModule>;

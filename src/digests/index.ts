// The public surface of digests (the dependency rule, docs/ARCHITECTURE.md).
export { digestsModule, type DigestsModule, type DigestsModuleDeps } from './digests.module.js';
export { enqueueDigestFlushInTx, type DigestFlush } from './digests.enqueue.js';
export type { DigestsService } from './digests.service.js';
import type { DigestsService } from './digests.service.js';

/** What the admin job-health page reads of digests: the last run of each frequency. */
export type DigestRuns = Pick<DigestsService, 'lastRun'>;

/** What the admin's message timeline reads of digests: the digests whose window held a notification. */
export type { DigestCovering, DigestHistoryRepository as DigestHistory } from './digest-history.repository.js';

import type { Job } from 'bullmq';
import type { z } from 'zod';
import type { JobSchemas } from './registry.schemas.js';

export { JOB_SCHEMAS } from './registry.schemas.js';

/**
 * The one registry of queues and jobs: every queue name, every job name and its payload type,
 * derived from the job's schema (registry.schemas.ts), which the WorkerPool checks each job's data
 * against before dispatching. Handlers are checked against it with `satisfies JobHandlers`, so a
 * job without a handler, or a handler for a payload of the wrong shape, does not compile.
 */
export type JobPayloads = {
  [Q in keyof JobSchemas]: { [J in keyof JobSchemas[Q]]: z.output<JobSchemas[Q][J]> };
};

export type QueueName = keyof JobPayloads;
export type JobName<Q extends QueueName = QueueName> = keyof JobPayloads[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = JobPayloads[Q][J];

/** `signal` aborts when the job is cancelled or its worker is forced to stop (long jobs end their child processes). */
export type JobHandler<P> = (data: P, job: Job<P>, signal?: AbortSignal) => Promise<unknown>;
export type JobHandlers = {
  [Q in QueueName]: { [J in JobName<Q>]: JobHandler<JobPayloads[Q][J]> };
};

/** Health groups of the admin API: one per job family (API.md: `email` covers delivery and digests). */
export type HealthGroup = 'email' | 'analytics' | 'search' | 'blog' | 'previews' | 'webhooks' | 'console';

export interface QueueDefinition {
  readonly group: HealthGroup;
  /** Jobs a single worker process runs at once on this queue; null means WORKER_CONCURRENCY. */
  readonly concurrency: number | null;
  readonly description: string;
}

export const QUEUES: Readonly<Record<QueueName, QueueDefinition>> = {
  'notification-fanout': {
    group: 'email',
    concurrency: 2,
    description: 'Creates the rows of a notification sent to a role or to everyone, in batches.',
  },
  'notification-digest': {
    group: 'email',
    concurrency: null,
    description: 'Daily and weekly digest emails: one run per schedule, one job per user and period.',
  },
  'notification-inbox': {
    group: 'email',
    concurrency: null,
    description: 'The inbox\'s timed changes: snooze wake-ups and expiries told to open streams, and the retention purge.',
  },
  'notification-delivery': {
    group: 'email',
    concurrency: null,
    description: 'Emails new notifications as their recipients\' preferences say, once each, and pushes them live.',
  },
  'analytics-enrichment': {
    group: 'analytics',
    concurrency: null,
    description: 'Adds device type, browser, OS and country to ingested analytics events.',
  },
  'analytics-aggregation': {
    group: 'analytics',
    // Each run is a few heavy set-based statements in PostgreSQL; more at once would only queue there.
    concurrency: 2,
    description: 'Hourly, daily, weekly and monthly analytics rollups, late-event re-runs and raw-event retention.',
  },
  'search-index-update': {
    group: 'search',
    concurrency: null,
    description: 'Realtime search index updates: one job per changed entity, deduplicated while waiting.',
  },
  'search-index-bulk': {
    group: 'search',
    concurrency: 2,
    description: 'Indexes bulk imports in chunks of 1,000 entities with set-based SQL.',
  },
  'search-index-reindex': {
    group: 'search',
    // One full rebuild at a time per process; the run itself is batched and resumable.
    concurrency: 1,
    description: 'Full reindex (Sundays 03:00 UTC and on demand): repairs and reports drift, search stays up.',
  },
  'blog-publish': {
    group: 'blog',
    concurrency: null,
    description: 'Scheduled blog posts: one delayed job per post publishes it at its time; a reconciler catches missing jobs.',
  },
  'media-scan': {
    group: 'previews',
    // Each scan streams a whole file to clamd, which scans with its own thread pool.
    concurrency: 4,
    description: 'Virus scans of uploads through ClamAV (clamd), removal of replaced, infected or deleted files, and the hourly sweep of unreferenced files.',
  },
  'media-thumbnail': {
    group: 'previews',
    concurrency: 2,
    description: 'Image thumbnails with sharp (200/400/800 px WebP); video thumbnails from a frame at 10 % of the duration.',
  },
  'file-preview-generation': {
    group: 'previews',
    // PREVIEW_CONCURRENCY (default 1) overrides this per process: an encode uses every core it gets.
    concurrency: 1,
    description: 'Preview clips: video 10 s 1280x720 H.264 1000k + AAC 128k, audio 30 s MP3 128k; ffmpeg runs as a niced child process.',
  },
  'webhook-delivery': {
    group: 'webhooks',
    concurrency: null,
    description: 'Outbound webhooks: one job per event per endpoint, signed POSTs retried for WEBHOOK_RETRY_HOURS, in order per notification.',
  },
  'job-console': {
    group: 'console',
    // Set-based statements over job history; one at a time per process is plenty.
    concurrency: 1,
    description: 'The job console\'s upkeep: job-history partitions and retention, metrics rollups by minute, hour and day.',
  },
};

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

export function isQueueName(name: string): name is QueueName {
  return Object.hasOwn(QUEUES, name);
}

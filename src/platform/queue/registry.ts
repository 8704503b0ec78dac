import type { Job } from 'bullmq';
import type { SearchEntityType } from '../db/schema.js';

/**
 * The one registry of queues and jobs: every queue name, every job name and its payload type.
 * Handlers are checked against it with `satisfies JobHandlers`, so a job without a handler, or a
 * handler for a payload of the wrong shape, does not compile.
 */
export interface JobPayloads {
  'notification-fanout': {
    NotificationBatchFanOut: { batchId: string };
  };
  'notification-delivery': {
    NotificationsDeliver: { notificationIds: string[] };
  };
  'notification-digest': {
    /** Fans a digest run out to one DigestSend per user. `at` (ISO) defaults to the scheduled time. */
    DigestRun: { frequency: 'DAILY' | 'WEEKLY'; scope: 'utc' | 'zoned' | 'all'; at?: string; trigger?: 'schedule' | 'manual' };
    /**
     * The digests of up to DIGEST_BATCH_SIZE users (one email each, keyed by user and period).
     * `flush`: the user left DAILY/WEEKLY; send what is pending whatever the frequency is now.
     * `until` (xid8, a flush's): the switch's snapshot xmax; the flush waits until every transaction
     * below it has finished, so nothing the delivery path left for the digest before the switch is
     * left out of it.
     */
    DigestSend: { runId: string | null; frequency: 'DAILY' | 'WEEKLY'; runAt: string; users: Array<{ userId: string; periodKey: string }>; flush?: boolean; until?: string };
  };
  'analytics-enrichment': {
    /** The events of one ingestion request: ids [fromId, toId], occurred in [from, to] (ISO). */
    AnalyticsEnrich: { fromId: string; toId: string; from: string; to: string };
  };
  'analytics-aggregation': {
    /**
     * Rolls up one period. Without `periodStart` (a scheduler's job) the period is the one before
     * the job's scheduled time; `trigger` is recorded in the run log.
     */
    AnalyticsAggregate: { jobType: 'hourly' | 'daily' | 'weekly' | 'monthly'; periodStart?: string; trigger?: 'schedule' | 'manual' | 'late' | 'backfill' };
    /** Creates next month's events partition, drops partitions and keys past the retention. */
    AnalyticsMaintain: Record<string, never>;
    /** Re-runs the periods that late events flagged, a bounded number per job (one job waits per dedupe key). */
    AnalyticsLatePass: Record<string, never>;
  };
  'search-index-update': {
    /**
     * Brings one entity's document, and the documents built from it, in line with the entity.
     * A brand has no document of its own; its change refreshes its projects' and licenses'.
     */
    SearchIndexUpdate: { entityType: SearchEntityType | 'brand'; entityId: string };
  };
  'search-index-bulk': {
    /** Up to 1,000 entities of one type, indexed with set-based statements. */
    SearchIndexBulk: { entityType: SearchEntityType; entityIds: string[] };
  };
  'search-index-reindex': {
    /** Rebuilds the whole index in place, batch by batch, recording the drift it repaired. */
    SearchReindex: { trigger: 'schedule' | 'manual' };
  };
  'blog-publish': {
    /** Publishes a scheduled post if it is still SCHEDULED and due; job id = the post's id, delayed until publishAt. */
    BlogPublish: { postId: string };
    /** Publishes due posts whose job is missing and re-adds the missing jobs of future ones. `at` (ISO) defaults to now. */
    BlogReconcile: { at?: string };
  };
  'media-scan': {
    /** Virus-scans one upload (clamd, or CLEAN unscanned when none is configured), then starts its next step. */
    MediaScan: { assetId: string; storageKey: string; uploadedBy: string };
    /**
     * Deletes the files of a replaced, infected or deleted upload (missing ones are fine): `keys`,
     * and the whole folder of each original in `uploads` (a deleted asset, from migration 0014's trigger).
     */
    MediaFilesDelete: { keys: string[]; uploads?: string[] };
    /**
     * Removes stored files no asset references (older than MEDIA_SWEEP_GRACE_MS: an upload killed
     * between its write and its commit) and job temp folders a killed worker left behind.
     */
    MediaSweep: Record<string, never>;
  };
  'media-thumbnail': {
    /** WebP thumbnails (200/400/800 px) of a clean image, or of a video's frame at 10 %; then the video's preview. */
    MediaThumbnail: { assetId: string; storageKey: string };
  };
  'file-preview-generation': {
    /** The preview clip of a clean video (10 s MP4) or audio (30 s MP3) upload, for the upload `storageKey` only. */
    PreviewGenerate: { assetId: string; storageKey: string; trigger: 'upload' | 'admin' };
  };
}

export type QueueName = keyof JobPayloads;
export type JobName<Q extends QueueName = QueueName> = keyof JobPayloads[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = JobPayloads[Q][J];

/** `signal` aborts when the job is cancelled or its worker is forced to stop (long jobs end their child processes). */
export type JobHandler<P> = (data: P, job: Job<P>, signal?: AbortSignal) => Promise<unknown>;
export type JobHandlers = {
  [Q in QueueName]: { [J in JobName<Q>]: JobHandler<JobPayloads[Q][J]> };
};

/** Health groups of the admin API: one per job family (API.md: `email` covers delivery and digests). */
export type HealthGroup = 'email' | 'analytics' | 'search' | 'blog' | 'previews';

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
};

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

export function isQueueName(name: string): name is QueueName {
  return Object.hasOwn(QUEUES, name);
}

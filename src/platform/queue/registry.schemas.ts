import { z } from 'zod';
import { SEARCH_ENTITY_TYPES } from '../db/schema.catalog.js';

/**
 * The payload schema of every job, by queue and job name: the WorkerPool validates a job's data
 * with it before the handler runs, and registry.ts derives the payload types from it. Each schema
 * accepts what the payload type allows and no more (objects are not strict: a key a newer
 * producer adds does not fail an older worker; the handler receives the parsed data without it).
 */
const trigger = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values).optional();
const frequency = z.enum(['DAILY', 'WEEKLY']);
const empty = z.object({});

export const JOB_SCHEMAS = {
  'notification-fanout': {
    NotificationBatchFanOut: z.object({ batchId: z.string() }),
  },
  'notification-delivery': {
    /**
     * Pushes new notifications live and emails them as the rules say. `held`: emails held by quiet
     * hours (issue 17), run at their end: no push again; read, archived, snoozed, deleted or expired ones are not sent.
     */
    NotificationsDeliver: z.object({ notificationIds: z.array(z.string()), held: z.boolean().optional() }),
  },
  'notification-inbox': {
    /** The end of a snooze (issue 17): tells the user's open streams; `until` (ISO) must still be the row's. */
    NotificationWake: z.object({ id: z.string(), until: z.string() }),
    /** A batch's notifications reached their expiry (`at`, ISO): tells their users' open streams. */
    NotificationsExpired: z.object({ batchId: z.string(), at: z.string() }),
    /** Retention: purges expired notifications and read ones past NOTIFICATION_RETENTION_DAYS, in bounded batches. */
    NotificationsPurge: empty,
  },
  'notification-digest': {
    /** Fans a digest run out to one DigestSend per user. `at` (ISO) defaults to the scheduled time. */
    DigestRun: z.object({
      frequency, scope: z.enum(['utc', 'zoned', 'all']), at: z.string().optional(), trigger: trigger(['schedule', 'manual']),
    }),
    /**
     * The digests of up to DIGEST_BATCH_SIZE users (one email each, keyed by user and period).
     * `flush`: the user left DAILY/WEEKLY; send what is pending whatever the frequency is now.
     * `until` (xid8, a flush's): the switch's snapshot xmax; the flush waits until every transaction
     * below it has finished, so nothing the delivery path left for the digest before the switch is
     * left out of it. A run's jobs carry `until` too (the run's snapshot xmax) with `settleBy`: they
     * wait for the transactions begun before the run until then (DIGEST_SETTLE_MS), no longer.
     */
    DigestSend: z.object({
      runId: z.string().nullable(),
      frequency,
      runAt: z.string(),
      users: z.array(z.object({ userId: z.string(), periodKey: z.string() })),
      flush: z.boolean().optional(),
      until: z.string().optional(),
      settleBy: z.string().optional(),
    }),
  },
  'analytics-enrichment': {
    /** The events of one ingestion request: ids [fromId, toId], occurred in [from, to] (ISO). */
    AnalyticsEnrich: z.object({ fromId: z.string(), toId: z.string(), from: z.string(), to: z.string() }),
  },
  'analytics-aggregation': {
    /**
     * Rolls up one period. Without `periodStart` (a scheduler's job) the period is the one before
     * the job's scheduled time; `trigger` is recorded in the run log.
     */
    AnalyticsAggregate: z.object({
      jobType: z.enum(['hourly', 'daily', 'weekly', 'monthly']), periodStart: z.string().optional(), trigger: trigger(['schedule', 'manual', 'late', 'backfill']),
    }),
    /** Creates next month's events partition, drops partitions and keys past the retention. */
    AnalyticsMaintain: empty,
    /** Re-runs the periods that late events flagged, a bounded number per job (one job waits per dedupe key). */
    AnalyticsLatePass: empty,
  },
  'search-index-update': {
    /**
     * Brings one entity's document, and the documents built from it, in line with the entity.
     * A brand has no document of its own; its change refreshes its projects' and licenses'.
     */
    SearchIndexUpdate: z.object({ entityType: z.enum([...SEARCH_ENTITY_TYPES, 'brand']), entityId: z.string() }),
  },
  'search-index-bulk': {
    /** Up to 1,000 entities of one type, indexed with set-based statements. */
    SearchIndexBulk: z.object({ entityType: z.enum(SEARCH_ENTITY_TYPES), entityIds: z.array(z.string()) }),
  },
  'search-index-reindex': {
    /** Rebuilds the whole index in place, batch by batch, recording the drift it repaired. */
    SearchReindex: z.object({ trigger: z.enum(['schedule', 'manual']) }),
  },
  'blog-publish': {
    /** Publishes a scheduled post if it is still SCHEDULED and due; job id = the post's id, delayed until publishAt. */
    BlogPublish: z.object({ postId: z.string() }),
    /** Publishes due posts whose job is missing and re-adds the missing jobs of future ones. `at` (ISO) defaults to now. */
    BlogReconcile: z.object({ at: z.string().optional() }),
  },
  'media-scan': {
    /** Virus-scans one upload (clamd, or CLEAN unscanned when none is configured), then starts its next step. */
    MediaScan: z.object({ assetId: z.string(), storageKey: z.string(), uploadedBy: z.string() }),
    /**
     * Deletes the files of a replaced, infected or deleted upload (missing ones are fine): `keys`,
     * and the whole folder of each original in `uploads` (a deleted asset, from migration 0014's trigger).
     */
    MediaFilesDelete: z.object({ keys: z.array(z.string()), uploads: z.array(z.string()).optional() }),
    /**
     * Removes stored files no asset references (older than MEDIA_SWEEP_GRACE_MS: an upload killed
     * between its write and its commit) and job temp folders a killed worker left behind.
     */
    MediaSweep: empty,
  },
  'media-thumbnail': {
    /** WebP thumbnails (200/400/800 px) of a clean image, or of a video's frame at 10 %; then the video's preview. */
    MediaThumbnail: z.object({ assetId: z.string(), storageKey: z.string() }),
  },
  'file-preview-generation': {
    /** The preview clip of a clean video (10 s MP4) or audio (30 s MP3) upload, for the upload `storageKey` only. */
    PreviewGenerate: z.object({ assetId: z.string(), storageKey: z.string(), trigger: z.enum(['upload', 'admin']) }),
  },
  'webhook-delivery': {
    /** One webhook delivery (webhook_deliveries.id, a bigint as text): sent once every older one of its ordering key is settled. */
    WebhookDeliver: z.object({ id: z.string() }),
  },
  'job-console': {
    /** Job history's partitions: today and the next days made ahead, days past JOB_HISTORY_DAYS dropped. */
    JobHistoryMaintain: empty,
    /**
     * Rolls job history up into per-queue metrics buckets (minute, hour, day) and purges buckets past
     * their retention. `granularity` limits a run to one level (default: every level that is due).
     */
    JobMetricsRollup: z.object({ granularity: z.enum(['minute', 'hour', 'day']).optional() }),
  },
} as const satisfies Record<string, Record<string, z.ZodType>>;

export type JobSchemas = typeof JOB_SCHEMAS;

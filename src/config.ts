import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RATE_LIMITS, overridesSchema, type RateLimitName } from './config.limits.js';
import { webhooksConfig, webhooksEnv, type WebhooksConfig } from './config.webhooks.js';
import { analyticsConfig, analyticsEnv, type AnalyticsConfig } from './config.analytics.js';
import { jobConsoleConfig, jobConsoleEnv, type JobConsoleConfig } from './config.jobs.js';
import { hostPatterns, hostPortList, int, originsSchema, trustProxySchema, url, urlList } from './config.values.js';

/**
 * The environment, parsed once. Nothing else in the codebase reads process.env: every knob is
 * here, with its default and its documentation in README.md.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export { DEFAULT_RATE_LIMITS, type RateLimitName } from './config.limits.js';

const envSchema = z.object({
  // NODE_ENV is not read: herald behaves the same in every environment (README, Configuration).
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_DIRECT_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  DATABASE_READ_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_READ_MAX_LAG_MS: int(100, 3_600_000).default(30_000),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_SENTINELS: hostPortList('10.0.0.5:26379').optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_CLUSTER_NODES: hostPortList('10.0.0.5:6379').optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only').default('herald'),
  // Several, comma-separated: failover in this order (smtp-1, smtp-2, …), each with its own pool and breaker.
  SMTP_URL: urlList(['smtp:', 'smtps:']).optional(),
  EMAIL_FROM: z.string().min(3).default('Herald <no-reply@herald.local>'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_HOURS: int(1, 24 * 365).default(24 * 14),
  SESSION_CACHE_MS: int(0, 60_000).default(5_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOGIN_RATE_LIMIT: int(1, 1_000_000).default(100),
  LOGIN_FAILED_PER_EMAIL: int(1, 1_000_000).default(10),
  LOGIN_SLOW_AFTER: int(1, 1_000_000).default(50),
  LOGIN_SLOW_INTERVAL_SECONDS: int(1, 3_600).default(30),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_OVERRIDES: overridesSchema.default({}),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  CORS_ORIGINS: originsSchema.default([]),
  CORS_MAX_AGE_SECONDS: int(0, 86_400).default(600),
  COOKIE_SAMESITE: z.enum(['lax', 'strict', 'none']).default('lax'),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  COOKIE_DOMAIN: z.string().regex(/^\.?[a-z0-9.-]+$/i, 'must be a domain such as example.com').optional(),
  TRUST_PROXY: trustProxySchema.default(false),
  SHUTDOWN_TIMEOUT_MS: int(100, 10 * 60_000).default(15_000),
  REQUEST_TIMEOUT_MS: int(1_000, 24 * 3_600_000).default(30_000),
  WORKER_CONCURRENCY: int(1, 1000).default(20),
  FANOUT_BATCH_SIZE: int(100, 50_000).default(5_000),
  DELIVERY_BATCH_SIZE: int(1, 1_000).default(100),
  DIGEST_PAGE_SIZE: int(10, 10_000).default(1_000),
  DIGEST_BATCH_SIZE: int(1, 1_000).default(100),
  // How long a digest waits for transactions begun before its run to finish, so their rows are in it (0: never).
  DIGEST_SETTLE_MS: int(0, 3_600_000).default(60_000),
  EMAIL_LEASE_MS: int(1_000, 3_600_000).default(60_000),
  SMTP_POOL_SIZE: int(1, 100).default(10),
  // Connection and greeting timeout per SMTP server (an answer may take three times this).
  SMTP_TIMEOUT_MS: int(100, 300_000).default(10_000),
  // Circuit breaker per SMTP server: open for this long after a connection failure or a run of 4xx…
  SMTP_COOLDOWN_MS: int(100, 3_600_000).default(30_000),
  // …doubling after each failed trial up to this; and how many 4xx answers in a row open it.
  SMTP_COOLDOWN_MAX_MS: int(100, 24 * 3_600_000).default(300_000),
  SMTP_BREAKER_4XX: int(1, 1_000).default(5),
  JOB_LOCK_MS: int(1_000, 3_600_000).default(30_000),
  SSE_HEARTBEAT_MS: int(1_000, 300_000).default(15_000),
  SSE_MAX_PER_USER: int(1, 1_000).default(5),
  SSE_MAX_CONNECTIONS: int(1, 1_000_000).default(5_000),
  SSE_SESSION_CHECK_MS: int(100, 3_600_000).default(60_000),
  WORKER_HEARTBEAT_MS: int(100, 300_000).default(5_000),
  HEALTH_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.25),
  HEALTH_FAILURE_MIN_JOBS: int(1, 1_000_000).default(20),
  SCHEDULE_GRACE_MS: int(0, 86_400_000).default(120_000),
  // How often scheduler processes check that every job scheduler still exists in Redis (a flush loses them).
  SCHEDULE_CHECK_MS: int(100, 60_000).default(30_000),
  BLOG_PUBLISH_GRACE_MS: int(0, 86_400_000).default(120_000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Bearer token of health checks and scrapers: the read-only health views and metrics, nothing else.
  MONITORING_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: int(1, 65535).optional(),
  UNSUBSCRIBE_TTL_DAYS: int(1, 3650).default(90),
  NOTIFICATION_RETENTION_DAYS: int(1, 36_500).default(365),
  NOTIFICATION_PURGE_BATCH: int(100, 100_000).default(5_000),
  OUTBOX_POLL_MS: int(10, 60_000).default(500),
  JOB_ATTEMPTS: int(1, 100).default(5),
  JOB_BACKOFF_MS: int(10, 3_600_000).default(1_000),
  ...analyticsEnv,
  // Bounce/complaint intake (POST /api/webhooks/email/:provider): the postmark and generic endpoints'
  // shared secret (unset: both answer 404), SNS signing-certificate hosts (* = one DNS label), an
  // extra CA for fetching them, the SNS topics accepted (empty: any), the fetch timeout, the body cap.
  EMAIL_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  EMAIL_SNS_CERT_HOSTS: hostPatterns.default(['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn']),
  EMAIL_SNS_CA_FILE: z.string().min(1).refine((p) => existsSync(p), 'file not found').optional(),
  EMAIL_SNS_TOPIC_ARNS: z.string().transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean)).default([]),
  EMAIL_SNS_FETCH_TIMEOUT_MS: int(100, 60_000).default(5_000),
  EMAIL_WEBHOOK_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(256 * 1024),
  SEARCH_REINDEX_BATCH: int(100, 100_000).default(5_000),
  SEARCH_TYPO_THRESHOLD: int(0, 10_000).default(5),
  SEARCH_PREFIX_THRESHOLD: int(0, 10_000).default(20),
  SEARCH_MAX_CANDIDATES: int(100, 1_000_000).default(500),
  UPLOAD_MAX_BYTES: int(1, 2 ** 40).default(2 * 1024 ** 3),
  STORAGE_DIR: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  FFMPEG_PATH: z.string().min(1).optional(),
  CLAMAV_URL: url(['tcp:', 'unix:']).optional(),
  // A 3-hour video is refused by the default (the check is `longer than`); see docs/ARCHITECTURE.md, Media.
  PREVIEW_MAX_DURATION_SECONDS: int(1, 7 * 86_400).default(2 * 3600),
  PREVIEW_CONCURRENCY: int(1, 64).default(1),
  MEDIA_TMP_DIR: z.string().min(1).optional(),
  // Resource limits of every ffmpeg/ffprobe run on an upload (hostile input): CPU seconds, address space, bytes written.
  PREVIEW_CPU_SECONDS: int(1, 86_400).default(300),
  PREVIEW_MEMORY_MB: int(64, 1024 * 1024).default(4096),
  PREVIEW_MAX_OUTPUT_MB: int(1, 1024 * 1024).default(256),
  // Unreferenced stored files and job temp folders older than this are removed by the media sweep.
  MEDIA_SWEEP_GRACE_MS: int(60_000, 30 * 86_400_000).default(6 * 3_600_000),
  ...webhooksEnv,
  ...jobConsoleEnv,
});

export type Env = z.input<typeof envSchema>;

/**
 * Where Redis is, parsed once: one URL, a Sentinel-managed master found by name, or a Redis
 * Cluster. Every client is made from it by platform/redis/connection.ts; a new way to reach Redis
 * is one more kind.
 */
export type RedisTarget =
  | { readonly kind: 'url'; readonly url: string; readonly password?: string }
  | {
    readonly kind: 'sentinel';
    readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
    /** The master's name in the sentinels' configuration (`sentinel monitor <name> ...`). */
    readonly name: string;
    /** AUTH for the master and replicas. */
    readonly password?: string;
    /** AUTH for the sentinels themselves. */
    readonly sentinelPassword?: string;
  }
  | {
    readonly kind: 'cluster';
    /** Some of the cluster's nodes: the client learns the rest, and the slots, from any of them. */
    readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
    /** AUTH for every node. */
    readonly password?: string;
  };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  /**
   * PostgreSQL itself, when DATABASE_URL is a transaction pooler (PgBouncer): migrations and the
   * outbox relay's LISTEN, which need a session of their own (docs/OPERATIONS.md, PgBouncer).
   */
  readonly databaseDirectUrl: string | undefined;
  /** false: no statement is prepared under a name (PgBouncer before 1.21 in transaction mode). */
  readonly databasePreparedStatements: boolean;
  /**
   * A streaming replica for reads that tolerate lag, and the lag past which they go to the primary
   * instead (docs/OPERATIONS.md, Read replicas). Unset: every read is on the primary.
   */
  readonly databaseRead: { readonly url: string | undefined; readonly maxLagMs: number };
  /** Unset: the embedded default (Redis on 127.0.0.1:6379, else a private redis-server). */
  readonly redis: RedisTarget | undefined;
  readonly dataDir: string;
  readonly queuePrefix: string;
  /** SMTP_URL as given (several: comma-separated); `smtp.urls` holds them one by one. */
  readonly smtpUrl: string | undefined;
  /** SMTP failover (docs/OPERATIONS.md, SMTP failover): the servers in order and their breakers' knobs. */
  readonly smtp: { readonly urls: readonly string[]; readonly timeoutMs: number; readonly cooldownMs: number; readonly maxCooldownMs: number; readonly max4xx: number };
  readonly emailFrom: string;
  readonly publicUrl: string | undefined;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly sessionSecret: string | undefined;
  readonly sessionTtlMs: number;
  /** How long an API process trusts a session it looked up (0: every request asks PostgreSQL). */
  readonly sessionCacheMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Sign-in throttling (docs/OPERATIONS.md, Login throttling): per IP, per email and IP, and the account-wide slow-down. */
  readonly login: { readonly perIpPer15Min: number; readonly failedPerEmailIpPer15Min: number; readonly slowAfterFailedPer15Min: number; readonly slowIntervalSec: number };
  readonly rateLimits: { readonly enabled: boolean; readonly perMinute: Readonly<Record<RateLimitName, number>> };
  readonly bodyLimitBytes: number;
  /** Fastify's trustProxy: false, a hop count, or the trusted proxies' addresses/CIDRs. */
  readonly trustProxy: false | number | readonly string[];
  /**
   * Other origins whose pages may call the API with credentials (CORS), and the session cookie's
   * attributes (`secure: 'auto'`: Secure when PUBLIC_URL is https or the request came over TLS,
   * X-Forwarded-Proto from a TRUST_PROXY proxy included).
   */
  readonly http: {
    readonly corsOrigins: readonly string[];
    readonly corsMaxAgeSeconds: number;
    readonly cookie: { readonly sameSite: 'lax' | 'strict' | 'none'; readonly secure: 'auto' | boolean; readonly domain: string | undefined };
  };
  readonly shutdownTimeoutMs: number;
  /** How long a client may take to send a whole request (uploads included): slow clients are cut off. */
  readonly requestTimeoutMs: number;
  readonly worker: { readonly concurrency: number; readonly fanoutBatchSize: number; readonly deliveryBatchSize: number; readonly digestPageSize: number; readonly digestBatchSize: number; readonly digestSettleMs: number; readonly outboxPollMs: number };
  readonly jobs: { readonly attempts: number; readonly backoffMs: number; readonly lockMs: number };
  readonly email: { readonly leaseMs: number; readonly unsubscribeTtlMs: number; readonly poolSize: number };
  /** Read notifications older than retentionDays are purged, as are expired ones, purgeBatch rows per statement. */
  readonly inbox: { readonly retentionDays: number; readonly purgeBatch: number };
  /** Bounce/complaint intake webhooks (docs/OPERATIONS.md, Bounces and complaints). */
  readonly emailEvents: {
    readonly webhookSecret: string | undefined;
    readonly bodyLimitBytes: number;
    readonly sns: { readonly certHosts: readonly string[]; readonly caFile: string | undefined; readonly topicArns: readonly string[]; readonly fetchTimeoutMs: number };
  };
  readonly sseHeartbeatMs: number;
  /** Event-stream bounds: per user and per process, and how often open streams re-check their sessions. */
  readonly sse: { readonly maxPerUser: number; readonly maxConnections: number; readonly sessionCheckMs: number };
  /** Bearer token /metrics requires when set; METRICS_PORT serves it from processes without the API. */
  readonly metrics: { readonly token: string | undefined; readonly port: number | undefined };
  /**
   * MONITORING_TOKEN: a bearer token that reads the health views (`monitoring` routes) and
   * /metrics without an admin session, and grants nothing else (docs/OPERATIONS.md).
   */
  readonly monitoringToken: string | undefined;
  readonly health: { readonly workerHeartbeatMs: number; readonly maxFailureRate: number; readonly failureMinJobs: number; readonly scheduleGraceMs: number; readonly scheduleCheckMs: number };
  /** How late a scheduled post may still be unpublished before the blog health group turns red. */
  readonly blog: { readonly publishGraceMs: number };
  /** Analytics: config.analytics.ts. */
  readonly analytics: AnalyticsConfig;
  /** Outbound webhooks: config.webhooks.ts. */
  readonly webhooks: WebhooksConfig;
  /** The job console (docs/OPERATIONS.md, Job console): config.jobs.ts. */
  readonly jobConsole: JobConsoleConfig;
  /** Entities per full-reindex batch (one transaction each; search keeps answering between them). */
  readonly search: { readonly reindexBatch: number; readonly typoThreshold: number; readonly prefixThreshold: number; readonly maxCandidates: number };
  /**
   * Uploads and their pipeline: the size limit, local storage root (or an S3 bucket), ffmpeg, the
   * ClamAV daemon (none: uploads are CLEAN unscanned), preview limits and where jobs keep temp files.
   */
  readonly media: {
    readonly uploadMaxBytes: number;
    readonly storageDir: string;
    readonly s3: { readonly bucket: string; readonly endpoint?: string; readonly region?: string; readonly accessKeyId?: string; readonly secretAccessKey?: string; readonly forcePathStyle: boolean } | undefined;
    readonly ffmpegPath: string | undefined;
    readonly clamavUrl: string | undefined;
    readonly previewMaxDurationSeconds: number;
    readonly previewConcurrency: number;
    readonly tmpDir: string;
    /** Limits of each ffmpeg/ffprobe process (RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE). */
    readonly processLimits: { readonly cpuSeconds: number; readonly memoryMb: number; readonly maxOutputMb: number };
    readonly sweepGraceMs: number;
  };
}

export class ConfigError extends Error {}

/** Parses an environment into a frozen Config; every bad variable is named, one per line. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `Invalid configuration: ${name} ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const e = parsed.data;
  const redis = redisTarget(e);
  // The replica mirrors DATABASE_URL's server; without it the embedded PostgreSQL has no replica.
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) throw new ConfigError('Invalid configuration: DATABASE_READ_URL needs DATABASE_URL (it is a replica of that database)');
  // Without DATABASE_URL the embedded PostgreSQL is the direct connection: a direct URL would be another server.
  if (e.DATABASE_DIRECT_URL && !e.DATABASE_URL) throw new ConfigError('Invalid configuration: DATABASE_DIRECT_URL needs DATABASE_URL (it is the direct way to the same database)');
  if (e.SMTP_COOLDOWN_MAX_MS < e.SMTP_COOLDOWN_MS) throw new ConfigError('Invalid configuration: SMTP_COOLDOWN_MAX_MS must not be below SMTP_COOLDOWN_MS (the cool-down only grows)');
  // Browsers drop a SameSite=None cookie that is not Secure: the session would silently never stick.
  if (e.COOKIE_SAMESITE === 'none' && e.COOKIE_SECURE === 'false') {
    throw new ConfigError('Invalid configuration: COOKIE_SECURE must not be false with COOKIE_SAMESITE=none (browsers refuse such cookies)');
  }
  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'true',
    databaseRead: { url: e.DATABASE_READ_URL, maxLagMs: e.DATABASE_READ_MAX_LAG_MS },
    redis,
    dataDir: path.resolve(e.DATA_DIR),
    queuePrefix: e.QUEUE_PREFIX,
    smtpUrl: e.SMTP_URL?.join(','),
    smtp: { urls: Object.freeze(e.SMTP_URL ?? []), timeoutMs: e.SMTP_TIMEOUT_MS, cooldownMs: e.SMTP_COOLDOWN_MS, maxCooldownMs: e.SMTP_COOLDOWN_MAX_MS, max4xx: e.SMTP_BREAKER_4XX },
    emailFrom: e.EMAIL_FROM,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    adminEmail: e.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    sessionSecret: e.SESSION_SECRET,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
    sessionCacheMs: e.SESSION_CACHE_MS,
    logLevel: e.LOG_LEVEL,
    login: { perIpPer15Min: e.LOGIN_RATE_LIMIT, failedPerEmailIpPer15Min: e.LOGIN_FAILED_PER_EMAIL, slowAfterFailedPer15Min: e.LOGIN_SLOW_AFTER, slowIntervalSec: e.LOGIN_SLOW_INTERVAL_SECONDS },
    rateLimits: {
      enabled: e.RATE_LIMITS === 'on',
      perMinute: Object.freeze({ ...DEFAULT_RATE_LIMITS, ...e.RATE_LIMIT_OVERRIDES }),
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: Array.isArray(e.TRUST_PROXY) ? Object.freeze(e.TRUST_PROXY) : e.TRUST_PROXY,
    http: {
      corsOrigins: Object.freeze(e.CORS_ORIGINS),
      corsMaxAgeSeconds: e.CORS_MAX_AGE_SECONDS,
      cookie: {
        sameSite: e.COOKIE_SAMESITE,
        secure: e.COOKIE_SAMESITE === 'none' ? true : e.COOKIE_SECURE === 'auto' ? 'auto' as const : e.COOKIE_SECURE === 'true',
        domain: e.COOKIE_DOMAIN,
      },
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      fanoutBatchSize: e.FANOUT_BATCH_SIZE,
      deliveryBatchSize: e.DELIVERY_BATCH_SIZE,
      digestPageSize: e.DIGEST_PAGE_SIZE,
      digestBatchSize: e.DIGEST_BATCH_SIZE,
      digestSettleMs: e.DIGEST_SETTLE_MS,
      outboxPollMs: e.OUTBOX_POLL_MS,
    },
    jobs: { attempts: e.JOB_ATTEMPTS, backoffMs: e.JOB_BACKOFF_MS, lockMs: e.JOB_LOCK_MS },
    email: { leaseMs: e.EMAIL_LEASE_MS, unsubscribeTtlMs: e.UNSUBSCRIBE_TTL_DAYS * 86_400_000, poolSize: e.SMTP_POOL_SIZE },
    inbox: { retentionDays: e.NOTIFICATION_RETENTION_DAYS, purgeBatch: e.NOTIFICATION_PURGE_BATCH },
    emailEvents: {
      webhookSecret: e.EMAIL_WEBHOOK_SECRET, bodyLimitBytes: e.EMAIL_WEBHOOK_BODY_LIMIT_BYTES,
      sns: { certHosts: e.EMAIL_SNS_CERT_HOSTS, caFile: e.EMAIL_SNS_CA_FILE ? path.resolve(e.EMAIL_SNS_CA_FILE) : undefined, topicArns: e.EMAIL_SNS_TOPIC_ARNS, fetchTimeoutMs: e.EMAIL_SNS_FETCH_TIMEOUT_MS },
    },
    sseHeartbeatMs: e.SSE_HEARTBEAT_MS,
    sse: { maxPerUser: e.SSE_MAX_PER_USER, maxConnections: e.SSE_MAX_CONNECTIONS, sessionCheckMs: e.SSE_SESSION_CHECK_MS },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    monitoringToken: e.MONITORING_TOKEN,
    health: { workerHeartbeatMs: e.WORKER_HEARTBEAT_MS, maxFailureRate: e.HEALTH_FAILURE_RATE, failureMinJobs: e.HEALTH_FAILURE_MIN_JOBS, scheduleGraceMs: e.SCHEDULE_GRACE_MS, scheduleCheckMs: e.SCHEDULE_CHECK_MS },
    blog: { publishGraceMs: e.BLOG_PUBLISH_GRACE_MS },
    analytics: analyticsConfig(e),
    search: { reindexBatch: e.SEARCH_REINDEX_BATCH, typoThreshold: e.SEARCH_TYPO_THRESHOLD, prefixThreshold: e.SEARCH_PREFIX_THRESHOLD, maxCandidates: e.SEARCH_MAX_CANDIDATES },
    media: {
      uploadMaxBytes: e.UPLOAD_MAX_BYTES,
      storageDir: path.resolve(e.STORAGE_DIR ?? path.join(e.DATA_DIR, 'storage')),
      s3: e.S3_BUCKET ? {
        bucket: e.S3_BUCKET, endpoint: e.S3_ENDPOINT, region: e.S3_REGION, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY, forcePathStyle: e.S3_FORCE_PATH_STYLE,
      } : undefined,
      ffmpegPath: e.FFMPEG_PATH,
      clamavUrl: e.CLAMAV_URL,
      previewMaxDurationSeconds: e.PREVIEW_MAX_DURATION_SECONDS,
      previewConcurrency: e.PREVIEW_CONCURRENCY,
      tmpDir: path.resolve(e.MEDIA_TMP_DIR ?? os.tmpdir()),
      processLimits: { cpuSeconds: e.PREVIEW_CPU_SECONDS, memoryMb: e.PREVIEW_MEMORY_MB, maxOutputMb: e.PREVIEW_MAX_OUTPUT_MB },
      sweepGraceMs: e.MEDIA_SWEEP_GRACE_MS,
    },
    webhooks: webhooksConfig(e),
    jobConsole: jobConsoleConfig(e),
  });
}

/** REDIS_URL, REDIS_SENTINELS (+ REDIS_SENTINEL_NAME) or REDIS_CLUSTER_NODES, only one; the passwords need one of them. */
function redisTarget(e: z.output<typeof envSchema>): RedisTarget | undefined {
  const problems: string[] = [];
  const addresses = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((name) => e[name]);
  if (addresses.length > 1) problems.push(`${addresses.slice(0, -1).join(', ')} and ${addresses.at(-1)} are ${addresses.length > 2 ? 'all' : 'both'} set (use one)`);
  if (e.REDIS_SENTINELS && !e.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the master\'s name the sentinels monitor)');
  if (!e.REDIS_SENTINELS && (e.REDIS_SENTINEL_NAME || e.REDIS_SENTINEL_PASSWORD)) problems.push(`${e.REDIS_SENTINEL_NAME ? 'REDIS_SENTINEL_NAME' : 'REDIS_SENTINEL_PASSWORD'} needs REDIS_SENTINELS`);
  // The embedded default has no password: one set without an address is a mistake, not a default.
  if (e.REDIS_PASSWORD && addresses.length === 0) problems.push('REDIS_PASSWORD needs REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES');
  if (problems.length) throw new ConfigError(problems.map((p) => `Invalid configuration: ${p}`).join('\n'));
  const password = e.REDIS_PASSWORD ? { password: e.REDIS_PASSWORD } : {};
  if (e.REDIS_SENTINELS) {
    return Object.freeze({
      kind: 'sentinel' as const, sentinels: Object.freeze(e.REDIS_SENTINELS), name: e.REDIS_SENTINEL_NAME!, ...password,
      ...(e.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: e.REDIS_SENTINEL_PASSWORD } : {}),
    });
  }
  if (e.REDIS_CLUSTER_NODES) return Object.freeze({ kind: 'cluster' as const, nodes: Object.freeze(e.REDIS_CLUSTER_NODES), ...password });
  return e.REDIS_URL ? Object.freeze({ kind: 'url' as const, url: e.REDIS_URL, ...password }) : undefined;
}

import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { authRoutes } from './auth/auth.routes.js';
import { AuthService } from './auth/auth.service.js';
import { SessionCache } from './auth/session-cache.js';
import type { Config } from './config.js';
import { healthRoutes } from './health/health.routes.js';
import { HealthService } from './health/health.service.js';
import { adminEmailRoutes } from './admin/emails.routes.js';
import { JobHealthService } from './admin/job-health.service.js';
import { adminJobRoutes } from './admin/jobs.routes.js';
import { aggregationLogRoutes } from './admin/aggregation-logs.routes.js';
import { analyticsAggregationJobs } from './analytics/aggregation.job.js';
import { AggregationService } from './analytics/aggregation.service.js';
import { analyticsRoutes } from './analytics/analytics.routes.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { GeoIp } from './analytics/enrichment.js';
import { analyticsEnrichmentJobs } from './analytics/enrichment.job.js';
import { IngestService } from './analytics/ingest.service.js';
import { EventQuota } from './analytics/ingest.quota.js';
import { visibleEntities } from './catalog/attribution.js';
import { adminQueueRoutes } from './admin/queues.routes.js';
import { QueuesService } from './admin/queues.service.js';
import { notificationDigestJobs } from './digests/digests.job.js';
import { digestRoutes } from './digests/digests.routes.js';
import { DigestsService } from './digests/digests.service.js';
import { ScheduleKeeper, upsertSchedules } from './platform/queue/schedules.js';
import { notificationDeliveryJobs } from './notifications/delivery.job.js';
import { DeliveryService } from './notifications/delivery.service.js';
import { notificationFanoutJobs } from './notifications/fanout.job.js';
import { NotificationStream } from './notifications/stream.service.js';
import { streamRoutes } from './notifications/stream.routes.js';
import { unsubscribeRoutes } from './notifications/unsubscribe.routes.js';
import { EmailService } from './platform/email/email.service.js';
import { createCapturedTransport, createSmtpTransport } from './platform/email/transport.js';
import { notificationsRoutes } from './notifications/notifications.routes.js';
import { NotificationsService } from './notifications/notifications.service.js';
import { createDb, type DbHandle } from './platform/db/client.js';
import { migrate } from './platform/db/migrate.js';
import { registerAccessControl, type RouteAccess } from './platform/http/auth.js';
import { RateLimiter } from './platform/http/rate-limit.js';
import { createHttpServer } from './platform/http/server.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createCommandRedis, createQueueRedis } from './platform/queue/connection.js';
import { OutboxRelay } from './platform/queue/outbox.js';
import { Queues } from './platform/queue/queues.js';
import { QUEUE_NAMES, type JobHandlers, type QueueName } from './platform/queue/registry.js';
import { WorkerPool } from './platform/queue/workers.js';
import { resolveEndpoints, resolveSessionSecret, StartupError } from './platform/resources.js';
import { UsersRepository } from './users/users.repository.js';
import { webRoutes } from './web/web.routes.js';
import { docsRoutes } from './platform/http/docs.routes.js';
import { Metrics, serveMetrics } from './platform/metrics.js';
import { metricsRoutes } from './platform/http/metrics.routes.js';
import { usersRoutes } from './users/users.routes.js';
import { AssetsService } from './catalog/assets.service.js';
import { catalogRoutes, type CatalogServices } from './catalog/catalog.routes.js';
import { LicensesService } from './catalog/licenses.service.js';
import { ProfilesService } from './catalog/profiles.service.js';
import { ProjectsService } from './catalog/projects.service.js';
import { blogAdminRoutes } from './blog/blog-admin.routes.js';
import { blogPublishJobs } from './blog/blog.job.js';
import { blogRoutes } from './blog/blog.routes.js';
import { BlogService } from './blog/blog.service.js';
import { BlogPublishingService } from './blog/publishing.service.js';
import { searchAdminRoutes } from './search/search-admin.routes.js';
import { SearchIndexService } from './search/search-index.service.js';
import { searchIndexBulkJobs, searchIndexReindexJobs, searchIndexUpdateJobs } from './search/search.job.js';
import { searchRoutes } from './search/search.routes.js';
import { SearchService } from './search/search.service.js';
import { UsersService } from './users/users.service.js';
import { createMediaContext, previewsHealth } from './media/media.context.js';
import { filePreviewJobs, mediaScanJobs, mediaThumbnailJobs } from './media/media.job.js';
import { mediaRoutes } from './media/media.routes.js';
import { MediaService } from './media/media.service.js';
import { MediaPipeline } from './media/pipeline.service.js';
import { PreviewsAdminService } from './media/previews-admin.service.js';
import { createStorage } from './platform/storage/storage.factory.js';
import { PreviewService } from './previews/preview.service.js';

export type ProcessRole = 'api' | 'worker' | 'scheduler';
export const ALL_ROLES: readonly ProcessRole[] = ['api', 'worker', 'scheduler'];

export interface AppOptions {
  readonly roles?: readonly ProcessRole[];
  /** Queues this process works on (worker role); all by default. */
  readonly queues?: readonly QueueName[];
  readonly logger?: Logger;
  /** Where one-time messages (the generated admin password) go; stdout by default. */
  readonly print?: (line: string) => void;
}

export interface Services {
  readonly users: UsersService;
  readonly auth: AuthService;
  readonly notifications: NotificationsService;
  readonly delivery: DeliveryService;
  readonly digests: DigestsService;
  readonly email: EmailService;
  readonly stream: NotificationStream;
  readonly health: HealthService;
  readonly analytics: { readonly ingest: IngestService; readonly aggregation: AggregationService; readonly reports: AnalyticsService };
  readonly catalog: CatalogServices;
  readonly blog: BlogService;
  readonly blogPublishing: BlogPublishingService;
  readonly search: { readonly index: SearchIndexService; readonly query: SearchService };
  readonly media: { readonly files: MediaService; readonly pipeline: MediaPipeline; readonly previews: PreviewService; readonly admin: PreviewsAdminService };
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly database: DbHandle;
  readonly redis: Redis;
  readonly queues: Queues;
  readonly services: Services;
  readonly http: FastifyInstance | null;
  /** Every HTTP route with its access rule (api role). */
  readonly routes: readonly RouteAccess[];
  /** The API's base URL once started (api role). */
  url: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The composition root: config → clients → repositories → services → the roles asked for. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const roles = new Set(options.roles ?? ALL_ROLES);
  const log = options.logger ?? createLogger(config.logLevel);
  // Before any server starts: a bad GEOIP_DB stops start-up with nothing to clean up.
  const geoip = await GeoIp.open(config.analytics.geoipDb).catch((err: Error) => {
    throw new StartupError(`Invalid configuration: ${err.message}`);
  });
  const endpoints = await resolveEndpoints(config, log);
  await migrate(endpoints.databaseUrl);

  const database = createDb(endpoints.databaseUrl, { max: roles.has('api') ? 20 : 10 });
  const redis = createCommandRedis(endpoints.redisUrl);
  const queueRedis = createQueueRedis(endpoints.redisUrl);
  const queues = new Queues(queueRedis, config.queuePrefix, config.jobs, log);
  const limiter = new RateLimiter(redis, config.queuePrefix);
  const metrics = new Metrics(queues);

  const users = new UsersService(new UsersRepository(database.db));
  const sessionCache = new SessionCache({ redis, prefix: config.queuePrefix, ttlMs: config.sessionCacheMs, maxEntries: 100_000, log });
  const secret = await resolveSessionSecret(config, database.db);
  const publicUrl = () => config.publicUrl ?? app.url ?? `http://127.0.0.1:${config.port}`;
  const transport = config.smtpUrl ? createSmtpTransport(config.smtpUrl, { maxConnections: config.email.poolSize }) : createCapturedTransport();
  const email = new EmailService(database.db, transport, {
    from: config.emailFrom, leaseMs: config.email.leaseMs, domain: config.publicUrl ? new URL(config.publicUrl).hostname : 'herald.local',
    // One claim per pooled connection: a claim is taken only when its message can go out now.
    maxInFlight: config.email.poolSize,
    onOutcome: (kind, outcome) => metrics.emails.inc({ kind, outcome }),
    onClaimLost: (key, stage) => log.warn({ key, stage }, 'email claim taken over by another attempt (its lease ran out); that attempt\'s outcome stands'),
  });
  const stream = new NotificationStream({ redis, redisUrl: endpoints.redisUrl, prefix: config.queuePrefix, log, heartbeatMs: config.sseHeartbeatMs, ...config.sse });
  const notifications = new NotificationsService(database.db, database.pool, { fanoutBatch: config.worker.fanoutBatchSize, deliveryBatch: config.worker.deliveryBatchSize });
  const delivery = new DeliveryService({ db: database.db, email, stream, log, publicUrl, secret, unsubscribeTtlMs: config.email.unsubscribeTtlMs });
  const blog = new BlogService(database.db, notifications, users);
  // A browser's events are checked against what the catalog and the blog let its sender see.
  const ingest = new IngestService({
    db: database.db, geoip, quota: new EventQuota(redis, config.queuePrefix, config.analytics.userEventsPerHour, config.rateLimits.enabled),
    ports: { visible: async (actor, ids) => ({ ...(await visibleEntities(database.db, actor, ids)), posts: await blog.visibleIds(actor, ids.postIds) }) },
  });
  const catalog: CatalogServices = {
    profiles: new ProfilesService(database.db, users), projects: new ProjectsService(database.db),
    assets: new AssetsService(database.db), licenses: new LicensesService(database.db, notifications),
  };
  const analytics = {
    ingest,
    aggregation: new AggregationService({ db: database.db, log, events: ingest.events, retentionMonths: config.analytics.retentionMonths }),
    reports: new AnalyticsService(database.db, (level, id) => catalog.profiles.ownerOf(level, id)),
  };
  const storage = createStorage({ root: config.media.storageDir, s3: config.media.s3 });
  const mediaContext = createMediaContext({ db: database.db, storage, log, config });
  const services: Services = {
    users,
    auth: new AuthService(database.db, users, limiter, config, secret, sessionCache),
    notifications,
    delivery,
    digests: new DigestsService({
      db: database.db, email, log, publicUrl, unsubscribeUrl: (userId) => delivery.unsubscribeUrl(userId), pageSize: config.worker.digestPageSize, batchSize: config.worker.digestBatchSize,
    }),
    email,
    stream,
    health: new HealthService(database.db, redis),
    analytics,
    catalog,
    blog,
    blogPublishing: new BlogPublishingService({ db: database.db, queues, notifications, graceMs: config.blog.publishGraceMs }),
    search: { index: new SearchIndexService(database.db, { log, reindexBatch: config.search.reindexBatch }), query: new SearchService(database.db, { typoThreshold: config.search.typoThreshold, prefixThreshold: config.search.prefixThreshold, maxCandidates: config.search.maxCandidates }) },
    media: {
      files: new MediaService({ db: database.db, storage, uploadMaxBytes: config.media.uploadMaxBytes }),
      pipeline: new MediaPipeline(mediaContext, notifications),
      previews: new PreviewService(mediaContext),
      admin: new PreviewsAdminService({ db: database.db }),
    },
  };

  const handlers = {
    'notification-fanout': notificationFanoutJobs(services.notifications),
    'notification-delivery': notificationDeliveryJobs(services.delivery),
    'notification-digest': notificationDigestJobs(services.digests),
    'analytics-enrichment': analyticsEnrichmentJobs(analytics.ingest),
    'analytics-aggregation': analyticsAggregationJobs(analytics.aggregation),
    'search-index-update': searchIndexUpdateJobs(services.search.index),
    'search-index-bulk': searchIndexBulkJobs(services.search.index),
    'search-index-reindex': searchIndexReindexJobs(services.search.index),
    'media-scan': mediaScanJobs(services.media.pipeline),
    'media-thumbnail': mediaThumbnailJobs(services.media.pipeline),
    'file-preview-generation': filePreviewJobs(services.media.previews),
    'blog-publish': blogPublishJobs(services.blogPublishing),
  } satisfies JobHandlers;

  let http: FastifyInstance | null = null;
  let routes: RouteAccess[] = [];
  if (roles.has('api')) {
    http = createHttpServer(config, log);
    routes = registerAccessControl(http, { authenticate: (t) => services.auth.authenticate(t), limiter, config });
    metricsRoutes(http, metrics, config.metrics.token);
    healthRoutes(http, services.health);
    authRoutes(http, services.auth, config.http.cookie);
    usersRoutes(http, services.users);
    catalogRoutes(http, services.catalog);
    blogRoutes(http, services.blog);
    blogAdminRoutes(http, services.blogPublishing);
    notificationsRoutes(http, services.notifications, stream);
    streamRoutes(http, stream, services.notifications, config.sseHeartbeatMs, database.db);
    unsubscribeRoutes(http, services.notifications, secret);
    adminEmailRoutes(http, email);
    digestRoutes(http, services.digests);
    const jobHealth = new JobHealthService({
      queues, redis, prefix: config.queuePrefix, health: services.health, config, probes: { blog: (now) => services.blogPublishing.health(now), previews: () => previewsHealth(mediaContext) },
    });
    adminJobRoutes(http, { queues, digests: services.digests, jobHealth, redis, prefix: config.queuePrefix });
    aggregationLogRoutes(http, database.db);
    analyticsRoutes(http, { ...analytics, queues, limiter, config });
    adminQueueRoutes(http, new QueuesService({ db: database.db, queues, redis, prefix: config.queuePrefix }), config.health.scheduleGraceMs);
    searchRoutes(http, services.search.query);
    searchAdminRoutes(http, { queues, index: services.search.index });
    mediaRoutes(http, { media: services.media.files, storage, previews: services.media.admin });
    webRoutes(http);
    docsRoutes(http, routes);
  }
  const workerQueues = options.queues ?? QUEUE_NAMES;
  const workers = roles.has('worker')
    ? new WorkerPool({ connection: queueRedis, prefix: config.queuePrefix, db: database.db, log, handlers, queues: workerQueues, defaultConcurrency: config.worker.concurrency, shutdownTimeoutMs: config.shutdownTimeoutMs, lockMs: config.jobs.lockMs, heartbeatMs: config.health.workerHeartbeatMs, metrics, concurrency: { 'file-preview-generation': config.media.previewConcurrency } })
    : null;
  const relay = roles.has('worker')
    ? new OutboxRelay({ db: database.db, pool: database.pool, queues, redis: queueRedis, prefix: config.queuePrefix, log, pollMs: config.worker.outboxPollMs })
    : null;

  const scheduleKeeper = roles.has('scheduler')
    ? new ScheduleKeeper({ queues, log, intervalMs: config.health.scheduleCheckMs, onRestored: (schedule) => metrics.schedulesRestored.inc({ schedule }) })
    : null;
  let metricsServer: import('node:http').Server | null = null;
  const app: App = {
    config, log, database, redis, queues, services, http, routes, url: null,
    async start() {
      if (!http && config.metrics.port) metricsServer = await serveMetrics(metrics, config.metrics.port, config.host, config.metrics.token);
      if (http) {
        sessionCache.onRevoked((sessionId) => stream.endSession(sessionId));
        stream.watchSessions((ids) => services.auth.activeSessions(ids));
        await sessionCache.start();
        await users.ensureFirstAdmin(config, log, options.print ?? ((line) => process.stdout.write(`${line}\n`)));
        const address = await http.listen({ host: config.host, port: config.port });
        app.url = address.replace('[::1]', '127.0.0.1');
      }
      if (roles.has('scheduler')) await upsertSchedules(queues);
      scheduleKeeper?.start();
      workers?.start();
      await relay?.start();
      if (!config.rateLimits.enabled && http) log.warn('RATE_LIMITS=off: every rate limit is disabled (meant for load tests only)');
      log.info({ roles: [...roles], url: app.url }, 'herald started');
    },
    async stop() {
      metricsServer?.close();
      await sessionCache.close();
      await stream.close();
      if (http) await http.close();
      await scheduleKeeper?.stop();
      await relay?.stop();
      await workers?.close();
      await storage.close();
      await email.close();
      await queues.close();
      queueRedis.disconnect();
      redis.disconnect();
      await database.close();
      await endpoints.stop();
    },
  };
  return app;
}

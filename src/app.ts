import type { RedisClient } from './platform/redis/connection.js';
import { adminModule } from './admin/index.js';
import { analyticsModule, openGeoIp, type AnalyticsModule } from './analytics/index.js';
import { authModule, type AuthModule } from './auth/index.js';
import { blogModule, type BlogModule } from './blog/index.js';
import { catalogModule, type CatalogModule } from './catalog/index.js';
import type { Config } from './config.js';
import { deliverabilityModule, type DeliverabilityModule } from './deliverability/index.js';
import { digestsModule, enqueueDigestFlushInTx, type DigestsModule } from './digests/index.js';
import { emailEventsModule, type EmailEventsModule } from './email-events/index.js';
import { healthModule, type HealthModule } from './health/index.js';
import { mediaModule, type MediaModule } from './media/index.js';
import { notificationsModule, type NotificationsModule } from './notifications/index.js';
import { createPlatform, type PlatformHandle } from './platform/platform.js';
import { docsRoutes } from './platform/http/docs.routes.js';
import { metricsRoutes } from './platform/http/metrics.routes.js';
import { registerAccessControl, type RouteAccess } from './platform/http/auth.js';
import { createHttpServer } from './platform/http/server.js';
import type { Http } from './platform/http/zod-provider.js';
import type { Logger } from './platform/logger.js';
import type { ModuleLifecycle, Platform } from './platform/module.js';
import type { QueueName } from './platform/queue/registry.js';
import { searchModule, type SearchModule } from './search/index.js';
import { usersModule, type UsersModule } from './users/index.js';
import { webModule } from './web/index.js';
import { webhooksModule, type Resolver, type WebhooksModule } from './webhooks/index.js';
import { jobConsoleModule } from './job-console/index.js';
import { ALL_ROLES, startRoles, type ProcessRole } from './platform/roles.js';
import type { JobHandlers } from './platform/queue/registry.js';

export { ALL_ROLES, type ProcessRole } from './platform/roles.js';

export interface AppOptions {
  readonly roles?: readonly ProcessRole[];
  /** Queues this process works on (worker role); all by default. */
  readonly queues?: readonly QueueName[];
  readonly logger?: Logger;
  /** Where one-time messages (which file holds a generated admin password) go; stdout by default. */
  readonly print?: (line: string) => void;
  /** The clock rate-limit windows and quotas follow; Date.now by default (tests drive their own). */
  readonly now?: () => number;
  /** DNS of the webhook SSRF guard; the system's by default (tests point a name at a private address). */
  readonly webhookResolver?: Resolver;
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly database: PlatformHandle['database'];
  readonly redis: RedisClient;
  readonly queues: PlatformHandle['platform']['queues'];
  readonly services: Services;
  readonly http: Http | null;
  /** Every HTTP route with its access rule (api role). */
  readonly routes: readonly RouteAccess[];
  /** The API's base URL once started (api role). */
  url: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: the shared clients, then each capability module given what it declares it
 * needs (other modules' ports included), then the roles asked for. Nothing else builds services.
 */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const roles = new Set<ProcessRole>(options.roles ?? ALL_ROLES);
  const geoip = await openGeoIp(config.analytics.geoipDb);
  const handle = await createPlatform(config, { logger: options.logger, api: roles.has('api'), publicUrl: () => app.url, now: options.now });
  const { platform } = handle;
  const webhooks = webhooksModule({ ...platform, resolver: options.webhookResolver });

  const users = usersModule({ ...platform, print: options.print ?? ((line) => process.stdout.write(`${line}\n`)) });
  const auth = authModule({ ...platform, users: users.users });
  const notifications = notificationsModule({ ...platform, sessions: auth.sessions, flushDigest: enqueueDigestFlushInTx, webhooks: webhooks.events });
  const digests = digestsModule({ ...platform, unsubscribeUrl: (userId) => notifications.delivery.unsubscribeUrl(userId) });
  const catalog = catalogModule({ ...platform, users: users.users, notifications: notifications.notifications });
  const blog = blogModule({ ...platform, users: users.users, notifications: notifications.notifications });
  const analytics = analyticsModule({
    ...platform, geoip, ownerOf: catalog.ownerOf,
    visible: async (actor, ids) => ({ ...(await catalog.visibleEntities(actor, ids)), posts: await blog.visibleIds(actor, ids.postIds) }),
  });
  const search = searchModule(platform);
  const media = mediaModule({ ...platform, assets: catalog.assetMedia, notifications: notifications.notifications });
  const health = healthModule(platform);
  const deliverability = deliverabilityModule({ ...platform, optOut: notifications.emailOptOut, webhooks: webhooks.events });
  const emailEvents = emailEventsModule({ ...platform, suppressions: deliverability.suppressions, webhooks: webhooks.events });
  const admin = adminModule({
    ...platform, health: health.health, digests: digests.digests, aggregationLogs: analytics.runLog, probes: { blog: blog.health, previews: media.health },
    notificationHistory: notifications.history, digestHistory: digests.history, deliveryEvents: emailEvents.deliveryEvents,
  });
  const jobConsole = jobConsoleModule(platform);
  const modules: readonly ModuleLifecycle[] = [users, auth, notifications, digests, catalog, blog, analytics, search, media, health, emailEvents, admin, deliverability, webhooks, jobConsole, webModule()];

  let http: Http | null = null;
  let routes: RouteAccess[] = [];
  if (roles.has('api')) {
    http = createHttpServer(config, platform.log);
    routes = registerAccessControl(http, { authenticate: (token) => auth.auth.authenticate(token), limiter: platform.limiter, config });
    metricsRoutes(http, { metrics: platform.metrics, tokens: [config.metrics.token, config.monitoringToken] });
    for (const module of modules) module.routes?.(http);
    docsRoutes(http, { routes });
  }
  const services = servicesOf({ users, auth, notifications, digests, catalog, blog, analytics, search, media, health, emailEvents, deliverability, webhooks }, platform);
  const jobs = {
    ...notifications.jobs, ...digests.jobs, ...analytics.jobs, ...search.jobs, ...media.jobs, ...blog.jobs, ...webhooks.jobs, ...jobConsole.jobs,
  } satisfies JobHandlers;
  const lifecycle = startRoles({ handle, roles, modules, jobs, http, queues: options.queues, onListening: (url) => { app.url = url; } });

  const app: App = {
    config, log: platform.log, database: handle.database, redis: platform.redis, queues: platform.queues, services, http, routes, url: null,
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
  return app;
}

/** The services by name, as tests, benchmarks and the CLI reach them. */
function servicesOf(m: {
  users: UsersModule; auth: AuthModule; notifications: NotificationsModule; digests: DigestsModule; catalog: CatalogModule;
  blog: BlogModule; analytics: AnalyticsModule; search: SearchModule; media: MediaModule; health: HealthModule; emailEvents: EmailEventsModule;
  deliverability: DeliverabilityModule; webhooks: WebhooksModule;
}, platform: Platform) {
  return {
    users: m.users.users, auth: m.auth.auth, notifications: m.notifications.notifications, inbox: m.notifications.inbox, delivery: m.notifications.delivery,
    digests: m.digests.digests, email: platform.email, stream: m.notifications.stream, health: m.health.health,
    analytics: { ingest: m.analytics.ingest, aggregation: m.analytics.aggregation, reports: m.analytics.reports }, catalog: m.catalog.catalog,
    blog: m.blog.blog, blogPublishing: m.blog.publishing, search: { index: m.search.index, query: m.search.query },
    media: { files: m.media.files, pipeline: m.media.pipeline, previews: m.media.previews, admin: m.media.admin },
    suppressions: m.deliverability.suppressions,
    deliveryEvents: m.emailEvents.deliveryEvents,
    webhooks: m.webhooks.webhooks, webhookEvents: m.webhooks.events,
  };
}
export type Services = ReturnType<typeof servicesOf>;

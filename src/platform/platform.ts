import type { RedisClient } from './redis/connection.js';
import type { Config } from '../config.js';
import { createDb, type DbHandle } from './db/client.js';
import { createReadDb } from './db/read-db.js';
import { migrate } from './db/migrate.js';
import { EmailLogRepository } from './email/email-log.repository.js';
import { EmailService } from './email/email.service.js';
import { FailoverTransport } from './email/failover.transport.js';
import { createCapturedTransport } from './email/transport.js';
import { RateLimiter } from './http/rate-limit.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import type { Platform } from './module.js';
import { Queues, attemptsToCover } from './queue/queues.js';
import { createCommandRedis, createQueueRedis } from './redis/connection.js';
import { resolveEndpoints, resolveSessionSecret } from './resources.js';
import { createStorage } from './storage/storage.factory.js';

/** The shared clients and what only the roles' start/stop need (BullMQ's connection, the endpoints). */
export interface PlatformHandle {
  readonly platform: Platform;
  readonly database: DbHandle;
  /** DATABASE_DIRECT_URL's small pool (PostgreSQL itself, past PgBouncer): the outbox relay's LISTEN. */
  readonly direct: DbHandle | null;
  /** BullMQ's own connection (blocking commands), shared by queues, workers and the relay. */
  readonly queueRedis: RedisClient;
  /** Closes every client, then stops the embedded PostgreSQL/Redis if this process started them. */
  close(): Promise<void>;
}

/**
 * config → endpoints (embedded defaults where none are configured) → migrations → clients.
 * `publicUrl` is the API's address once it listens (links in emails when PUBLIC_URL is unset).
 */
export async function createPlatform(config: Config, options: { logger?: Logger; api: boolean; publicUrl: () => string | null; now?: () => number }): Promise<PlatformHandle> {
  const log = options.logger ?? createLogger(config.logLevel);
  const endpoints = await resolveEndpoints(config, log);
  // Migrations are safe through PgBouncer too (lock-holder transaction); the direct URL spares
  // them pooler limits such as query_timeout.
  await migrate(config.databaseDirectUrl ?? endpoints.databaseUrl);

  const database = createDb(endpoints.databaseUrl, { max: options.api ? 20 : 10, preparedStatements: config.databasePreparedStatements });
  const direct = config.databaseDirectUrl ? createDb(config.databaseDirectUrl, { max: 2, applicationName: 'herald-direct' }) : null;
  const redis = createCommandRedis(endpoints.redis);
  const queueRedis = createQueueRedis(endpoints.redis);
  const queues = new Queues({
    connection: queueRedis, prefix: config.queuePrefix, defaults: config.jobs, log,
    attempts: { 'webhook-delivery': attemptsToCover(config.jobs.backoffMs, config.webhooks.retryMs) },
  });
  const metrics = new Metrics({ queues });
  const read = config.databaseRead.url
    ? createReadDb(config.databaseRead.url, { primary: database.pool, maxLagMs: config.databaseRead.maxLagMs, max: options.api ? 10 : 2, log, registry: metrics.registry })
    : null;
  const secret = await resolveSessionSecret(config, database.db);
  const transport = config.smtp.urls.length ? new FailoverTransport(config.smtp.urls, {
    maxConnections: config.email.poolSize, timeoutMs: config.smtp.timeoutMs, cooldownMs: config.smtp.cooldownMs, maxCooldownMs: config.smtp.maxCooldownMs, max4xx: config.smtp.max4xx,
    hooks: {
      onTrip: (name, error) => {
        metrics.smtpTrips.inc({ transport: name });
        log.warn({ transport: name, error }, 'SMTP transport failing: its circuit breaker opened, mail goes to the next one');
      },
      onState: (name, state) => metrics.smtpOpen.set({ transport: name }, state === 'closed' ? 0 : 1),
    },
  }) : createCapturedTransport();
  const email = new EmailService({
    emailLog: new EmailLogRepository(database.db, read?.db), transport, from: config.emailFrom, leaseMs: config.email.leaseMs, domain: config.publicUrl ? new URL(config.publicUrl).hostname : 'herald.local',
    // One claim per pooled connection: a claim is taken only when its message can go out now.
    maxInFlight: config.email.poolSize,
    onOutcome: (kind, outcome, transport) => metrics.emails.inc(transport ? { kind, outcome, transport } : { kind, outcome }),
    onClaimLost: (key, stage) => log.warn({ key, stage }, 'email claim taken over by another attempt (its lease ran out); that attempt\'s outcome stands'),
  });
  const storage = createStorage({ root: config.media.storageDir, s3: config.media.s3 });
  const now = options.now ?? Date.now;
  const platform: Platform = {
    config, log, db: database.db, pool: database.pool, redis, redisTarget: endpoints.redis, queues,
    limiter: new RateLimiter({ redis, prefix: config.queuePrefix, now: options.now }), now, email, storage, metrics, secret,
    readDb: read?.db ?? database.db, readReplica: read?.replica ?? null,
    publicUrl: () => config.publicUrl ?? options.publicUrl() ?? `http://127.0.0.1:${config.port}`,
  };
  return {
    platform, database, direct, queueRedis,
    async close() {
      await storage.close();
      await email.close();
      await queues.close();
      queueRedis.disconnect();
      redis.disconnect();
      await read?.close();
      await database.close();
      await direct?.close();
      await endpoints.stop();
    },
  };
}

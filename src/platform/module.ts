import type { RedisClient } from './redis/connection.js';
import type { Pool } from 'pg';
import type { Config, RedisTarget } from '../config.js';
import type { Db } from './db/client.js';
import type { ReadReplica } from './db/read-db.js';
import type { EmailService } from './email/email.service.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { Http } from './http/zod-provider.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Queues } from './queue/queues.js';
import type { JobHandlers, QueueName } from './queue/registry.js';
import type { Storage } from './storage/storage.js';

/**
 * The shared clients every capability module may ask for, built once by the composition root
 * (src/app.ts). A module names the ones it uses (`Pick<Platform, 'db' | 'log'>`), so its
 * signature says what it needs.
 */
export interface Platform {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  /**
   * For reads that tolerate a little lag (docs/OPERATIONS.md, Read replicas): the replica of
   * DATABASE_READ_URL, falling back to the primary, or `db` itself when it is unset. Never for a
   * read that must see this request's write, nor one a job then writes on.
   */
  readonly readDb: Db;
  /** The replica's state (lag, whether it serves reads) when DATABASE_READ_URL is set. */
  readonly readReplica: ReadReplica | null;
  /** The pg pool itself, for LISTEN/NOTIFY and COPY, which Kysely does not do. */
  readonly pool: Pool;
  /** Commands (caches, rate limits, pub/sub); BullMQ has its own connection inside `queues`. */
  readonly redis: RedisClient;
  /** Where Redis is (a URL or Sentinel): clients of their own (subscribers) are made from it by platform/redis/connection.ts. */
  readonly redisTarget: RedisTarget;
  readonly queues: Queues;
  readonly limiter: RateLimiter;
  /** The wall clock of rate-limit windows and quotas (Date.now; tests pass a clock they drive). */
  readonly now: () => number;
  readonly email: EmailService;
  readonly storage: Storage;
  readonly metrics: Metrics;
  /** The HMAC secret of sessions and unsubscribe links. */
  readonly secret: string;
  /** The service's public base URL (links in emails), known once the API listens. */
  readonly publicUrl: () => string;
}

/**
 * What a capability module returns: its job handlers (exactly the jobs of the queues it owns:
 * the root's `satisfies JobHandlers` fails the build for a job no module handles), its routes
 * (api role) and what it starts and stops. Its services and ports are the module's own fields.
 */
export interface Module<Q extends QueueName = never> {
  readonly jobs: Pick<JobHandlers, Q>;
  routes?(http: Http): void;
  /** Api role only, after the routes and before the server listens. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** A module as the roles see it: routes to register, something to start and stop. */
export type ModuleLifecycle = Pick<Module, 'routes' | 'start' | 'stop'>;

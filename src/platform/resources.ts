import { randomBytes } from 'node:crypto';
import type { Config, RedisTarget } from '../config.js';
import type { Db } from './db/client.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import type { Logger } from './logger.js';
import { DEFAULT_REDIS_URL, redisAnswers, redisServerOnPath, startEmbeddedRedis } from './redis/embedded.js';

export class StartupError extends Error {}

export interface Endpoints {
  readonly databaseUrl: string;
  readonly redis: RedisTarget;
  stop(): Promise<void>;
}

/**
 * Where PostgreSQL and Redis are: the configured URLs, or the embedded defaults that let
 * `npm start` run on a bare machine (a private PostgreSQL; Redis on 6379 or a private one).
 */
/** Where to look for Redis when neither REDIS_URL nor REDIS_SENTINELS is set (tests point these elsewhere). */
export interface RedisDefaults {
  readonly url: string;
  readonly serverBinary: string;
}

export async function resolveEndpoints(config: Config, log: Logger, redisDefaults: RedisDefaults = { url: DEFAULT_REDIS_URL, serverBinary: 'redis-server' }): Promise<Endpoints> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.warn({ err }, 'embedded service did not stop cleanly'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(config.dataDir, log);
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    let redis = config.redis;
    if (!redis) {
      if (await redisAnswers(redisDefaults.url)) {
        redis = { kind: 'url', url: redisDefaults.url };
      } else if (redisServerOnPath(redisDefaults.serverBinary)) {
        const embedded = await startEmbeddedRedis(config.dataDir, log, redisDefaults.serverBinary);
        stops.push(embedded.stop);
        redis = { kind: 'url', url: embedded.url };
      } else {
        throw new StartupError(`Redis is not reachable at ${redisDefaults.url} and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL.`);
      }
    }
    return { databaseUrl, redis, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** SESSION_SECRET, or one generated once and kept in PostgreSQL so every process shares it. */
export async function resolveSessionSecret(config: Config, db: Db): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;
  await db.insertInto('app_settings').values({ key: 'session_secret', value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', 'session_secret').executeTakeFirstOrThrow();
  return row.value;
}

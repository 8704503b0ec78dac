import type { Config } from '../config.js';

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** host:port of a URL, to tell which service a connection error is about. */
function endpointOf(url: string | undefined, defaultPort: number): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || defaultPort}`;
  } catch {
    return undefined;
  }
}

/**
 * One line for an error that ended a start or a command: what failed and, where it is known, the
 * variable that fixes it. An operator's first ten minutes (a port in use, a database that is not
 * there) should not read as a crash. `urls` are the endpoints actually used (embedded ones too).
 */
export function describeError(err: unknown, config?: Config, urls: { databaseUrl?: string; redisUrl?: string } = {}): string {
  if (!(err instanceof Error)) return `herald stopped: ${String(err)}`;
  const e = err as SystemError;
  if (e.syscall === 'listen' || e.code === 'EADDRINUSE') {
    const variable = config?.metrics.port !== undefined && e.port === config.metrics.port ? 'METRICS_PORT' : 'PORT';
    const where = `${e.address ?? config?.host ?? ''}:${e.port ?? ''}`;
    if (e.code === 'EADDRINUSE') return `Cannot listen on ${where}: the port is already in use (stop the other process or set ${variable}).`;
    if (e.code === 'EACCES') return `Cannot listen on ${where}: permission denied (ports below 1024 need privileges; set ${variable}).`;
    if (e.code === 'EADDRNOTAVAIL') return `Cannot listen on ${where}: no such address on this machine (set HOST).`;
    return `Cannot listen on ${where}: ${e.message} (check HOST and ${variable}).`;
  }
  const target = e.address && e.port ? `${e.address}:${e.port}` : e.hostname;
  const database = endpointOf(urls.databaseUrl ?? config?.databaseUrl, 5432);
  const redis = endpointOf(urls.redisUrl ?? (config?.redis?.kind === 'url' ? config.redis.url : undefined), 6379);
  if (e.code && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(e.code)) {
    if (target && database && (target === database || database.startsWith(`${target}:`))) return `PostgreSQL is not reachable at ${database} (${e.code}): start it or fix DATABASE_URL.`;
    if (target && redis && (target === redis || redis.startsWith(`${target}:`))) return `Redis is not reachable at ${redis} (${e.code}): start it or fix REDIS_URL.`;
    return `A connection failed: ${e.message}.`;
  }
  // PostgreSQL's own refusals: wrong password (28P01, 28000), no such database (3D000).
  if (e.code && /^(28|3D)/.test(e.code)) return `PostgreSQL refused the connection: ${e.message} (fix DATABASE_URL).`;
  return `herald stopped: ${e.message.split('\n')[0]}`;
}

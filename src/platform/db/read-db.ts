import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { createDb, type Db } from './client.js';
import type { Database } from './schema.js';
import { ReplicaMonitor, type ReplicaStatus } from './replica-monitor.js';

/** What the rest of the code sees of the replica: its state, for health and metrics. */
export interface ReadReplica {
  status(): ReplicaStatus;
}

export interface ReadDbHandle {
  /** A Kysely whose connections come from the replica, or from the primary when the replica cannot serve. */
  readonly db: Db;
  readonly replica: ReadReplica;
  close(): Promise<void>;
}

type FallbackReason = 'down' | 'lag' | 'error';

/**
 * Errors that say the replica cannot serve, not that the statement is wrong: the connection
 * (class 08, a dropped socket without a SQLSTATE), the server going away or refusing (57P0x, 53xxx),
 * and a hot standby cancelling a read that conflicts with replay (40001, 40P01). Only these are
 * retried on the primary; a bad statement fails there too, so it fails here.
 */
export function isReplicaTrouble(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('08') || code.startsWith('53') || /^57P0[123]$/.test(code) || code === '40001' || code === '40P01';
}

/**
 * A pg client on the replica that moves to the primary when its first statement meets replica
 * trouble. Only the first: Kysely runs a lone statement on a connection of its own, so that is
 * every read; a transaction's later statements must not silently continue elsewhere.
 */
export function failoverClient(replica: pg.PoolClient, primary: Pick<pg.Pool, 'connect'>, on: { served(): void; fallback(): void }): PostgresPoolClient {
  // Null between the replica's client going back and the primary's arriving: when the primary
  // cannot be reached either, the caller's release has nothing left to release (pg-pool throws on
  // a second release, and that throw would replace the read's error).
  let current: pg.PoolClient | null = replica;
  let first = true;
  const run = async (text: string, values: unknown[]) => {
    let result: pg.QueryResult;
    try {
      result = await replica.query(text, values);
    } catch (err) {
      if (!isReplicaTrouble(err)) throw err;
      replica.release(err as Error);
      current = null;
      current = await primary.connect();
      on.fallback();
      return current.query(text, values);
    }
    on.served();
    return result;
  };
  return {
    query: ((textOrCursor: string | object, values?: readonly unknown[]) => {
      const fresh = first;
      first = false;
      if (typeof textOrCursor !== 'string') return current!.query(textOrCursor as never);
      return fresh ? run(textOrCursor, [...(values ?? [])]) : current!.query(textOrCursor, [...(values ?? [])]);
    }) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => current?.release(destroy),
  };
}

/**
 * The read side of DATABASE_READ_URL: a small pool on the replica, a monitor of its lag, and a
 * Kysely that takes each connection from the replica while it can serve (reachable, lag within
 * DATABASE_READ_MAX_LAG_MS) and from the primary's pool otherwise. Routing is per connection,
 * never by SQL text: only the repository methods handed this Kysely read here.
 */
export function createReadDb(url: string, deps: { primary: pg.Pool; maxLagMs: number; max: number; log: Logger; registry: Registry }): ReadDbHandle {
  const replica = createDb(url, { max: deps.max, applicationName: 'herald-read' });
  const monitor = new ReplicaMonitor({ pool: replica.pool, primary: deps.primary, maxLagMs: deps.maxLagMs, log: deps.log });
  const served = new Counter({ name: 'herald_db_replica_reads_total', help: 'Lag-tolerant reads served by the read replica', registers: [deps.registry] });
  const fallbacks = new Counter({
    name: 'herald_db_replica_fallbacks_total', help: 'Lag-tolerant reads sent to the primary instead: replica down, lagging past DATABASE_READ_MAX_LAG_MS, or failed mid-read',
    labelNames: ['reason'] as const, registers: [deps.registry],
  });
  new Gauge({
    name: 'herald_db_replica_lag_seconds', help: 'Replay lag of the read replica at its last check (-1: unknown or unreachable)', registers: [deps.registry],
    collect() {
      const { lagMs } = monitor.status();
      this.set(lagMs === null ? -1 : lagMs / 1000);
    },
  });
  const toPrimary = (reason: FallbackReason) => {
    fallbacks.inc({ reason });
    return deps.primary.connect();
  };

  const pool: PostgresPool = {
    async connect() {
      const skip = monitor.skipReason();
      if (skip) return toPrimary(skip);
      let client: pg.PoolClient;
      try {
        client = await replica.pool.connect();
      } catch (err) {
        monitor.markDown(err as Error);
        return toPrimary('down');
      }
      return failoverClient(client, deps.primary, { served: () => served.inc(), fallback: () => fallbacks.inc({ reason: 'error' }) });
    },
    // Both pools belong to their handles, which close them.
    end: async () => undefined,
  };
  monitor.start();
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    replica: monitor,
    async close() {
      await monitor.stop();
      await replica.close();
    },
  };
}

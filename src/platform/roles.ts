import type { Server } from 'node:http';
import { serveMetrics } from './metrics.js';
import type { Http } from './http/zod-provider.js';
import type { ModuleLifecycle } from './module.js';
import type { PlatformHandle } from './platform.js';
import { JobHistoryWriter } from './queue/job-history.js';
import { OutboxRelay } from './queue/outbox.js';
import { QUEUE_NAMES, type JobHandlers, type QueueName } from './queue/registry.js';
import { ScheduleKeeper, upsertSchedules } from './queue/schedules.js';
import { scheduleStates, unpausedSchedules, withScheduleState } from './queue/schedule-state.js';
import { WorkerPool } from './queue/workers.js';

export type ProcessRole = 'api' | 'worker' | 'scheduler';
export const ALL_ROLES: readonly ProcessRole[] = ['api', 'worker', 'scheduler'];

export interface RolesDeps {
  readonly handle: PlatformHandle;
  readonly roles: ReadonlySet<ProcessRole>;
  readonly modules: readonly ModuleLifecycle[];
  readonly jobs: JobHandlers;
  readonly http: Http | null;
  /** Queues this process works on (worker role); all by default. */
  readonly queues?: readonly QueueName[];
  readonly onListening: (url: string) => void;
}

/**
 * What each role runs: api (the modules' start, then the server), worker (the WorkerPool over the
 * modules' jobs and the outbox relay), scheduler (the recurring schedules and their keeper).
 */
export function startRoles(deps: RolesDeps): { start(): Promise<void>; stop(): Promise<void> } {
  const { handle: { platform, database, queueRedis }, roles, modules, http } = deps;
  const { config, log, queues, metrics } = platform;
  const { enabled: recordHistory, ...historyOptions } = config.jobConsole.history;
  const workers = roles.has('worker')
    ? new WorkerPool({
      connection: queueRedis, prefix: config.queuePrefix, db: database.db, log, handlers: deps.jobs, queues: deps.queues ?? QUEUE_NAMES,
      defaultConcurrency: config.worker.concurrency, shutdownTimeoutMs: config.shutdownTimeoutMs, lockMs: config.jobs.lockMs,
      heartbeatMs: config.health.workerHeartbeatMs, smtp: () => platform.email.transports(), metrics, concurrency: { 'file-preview-generation': config.media.previewConcurrency },
      history: recordHistory ? new JobHistoryWriter({ db: database.db, log, metrics, ...historyOptions }) : undefined,
    })
    : null;
  const relay = roles.has('worker')
    ? new OutboxRelay({ db: database.db, pool: (deps.handle.direct ?? database).pool, queues, redis: queueRedis, prefix: config.queuePrefix, log, pollMs: config.worker.outboxPollMs })
    : null;
  const keeper = roles.has('scheduler')
    ? new ScheduleKeeper({ queues, log, intervalMs: config.health.scheduleCheckMs, states: () => scheduleStates(database.db), lock: (id, work) => withScheduleState(database.db, id, work), onRestored: (schedule, queue) => metrics.schedulesRestored.inc({ queue, schedule }) })
    : null;
  let metricsServer: Server | null = null;
  return {
    async start() {
      if (!http && config.metrics.port) metricsServer = await serveMetrics(metrics, config.metrics.port, config.host, [config.metrics.token, config.monitoringToken]);
      let url: string | null = null;
      if (http) {
        for (const module of modules) await module.start?.();
        const address = await http.listen({ host: config.host, port: config.port });
        url = address.replace('[::1]', '127.0.0.1');
        deps.onListening(url);
      }
      if (roles.has('scheduler')) await upsertSchedules(queues, await unpausedSchedules(database.db));
      keeper?.start();
      workers?.start();
      await relay?.start();
      if (!config.rateLimits.enabled && http) log.warn('RATE_LIMITS=off: every rate limit is disabled (meant for load tests only)');
      log.info({ roles: [...roles], url }, 'herald started');
    },
    async stop() {
      metricsServer?.close();
      // Modules first (open event streams end), so the server's close does not wait on them.
      for (const module of [...modules].reverse()) await module.stop?.();
      if (http) await http.close();
      await keeper?.stop();
      await relay?.stop();
      await workers?.close();
      await deps.handle.close();
    },
  };
}

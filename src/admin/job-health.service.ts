import { listWorkers } from '../platform/queue/heartbeat.js';
import type { Platform } from '../platform/module.js';
import { QUEUE_NAMES, QUEUES, type HealthGroup, type QueueName } from '../platform/queue/registry.js';
import { SCHEDULES } from '../platform/queue/schedules.js';
import { pausedSchedules } from '../platform/queue/schedule-state.js';
import type { HealthCheck } from './admin.ports.js';
import { judgeGroup, pausedWarnings, recentCount, type GroupExtras, type GroupHealth, type QueueFacts } from './health.rules.js';
import { aggregateTransports } from './smtp-health.rules.js';

const FAILURE_WINDOW_MIN = 15;
/** A group's problem when the pause states (PostgreSQL) cannot be read. */
const PAUSE_STATES_UNREADABLE = 'schedule pause states unreadable (PostgreSQL unreachable)';

/**
 * A capability's own facts about its group (the blog's delayed publish jobs and overdue posts; the
 * previews' virus scanner). Warnings are shown with the group but leave it healthy.
 */
export type GroupProbe = (now: Date) => Promise<GroupExtras & { readonly warnings?: readonly string[] }>;

export interface JobHealthServiceDeps extends Pick<Platform, 'queues' | 'redis' | 'db'> {
  readonly prefix: string;
  readonly health: HealthCheck;
  readonly config: Pick<Platform['config'], 'health'>;
  readonly probes?: Partial<Record<HealthGroup, GroupProbe>>;
  /** DATABASE_READ_URL's replica, shown beside PostgreSQL. */
  readonly replica?: Platform['readReplica'];
}

/** GET /api/admin/jobs/health: PostgreSQL, Redis, and one group per job family. */
export class JobHealthService {
  constructor(private readonly deps: JobHealthServiceDeps) {}

  private async queueFacts(queue: QueueName, liveQueues: Map<string, number>, now: number): Promise<QueueFacts> {
    const q = this.deps.queues.get(queue);
    const [completed, failed] = await Promise.all([q.getMetrics('completed'), q.getMetrics('failed')]);
    return { queue, workers: liveQueues.get(queue) ?? 0, completed: recentCount(completed, FAILURE_WINDOW_MIN, now), failed: recentCount(failed, FAILURE_WINDOW_MIN, now) };
  }

  async groups(now = new Date()): Promise<Record<HealthGroup, GroupHealth>> {
    const workers = await listWorkers(this.deps.redis, this.deps.prefix);
    const live = new Map<string, number>();
    for (const w of workers) for (const q of w.queues) live.set(q, (live.get(q) ?? 0) + 1);
    const groups = [...new Set(QUEUE_NAMES.map((q) => QUEUES[q].group))];
    const { maxFailureRate, failureMinJobs, scheduleGraceMs } = this.deps.config.health;
    // The primary: a schedule paused a moment ago must not read as overdue. PostgreSQL away: the
    // report still answers (it is what says so), each group with schedules saying their pause
    // states are unknown (a paused one then reads as not registered).
    const paused = await pausedSchedules(this.deps.db).catch(() => null);
    const entries = await Promise.all(groups.map(async (group) => {
      const queues = QUEUE_NAMES.filter((q) => QUEUES[q].group === group);
      const facts = await Promise.all(queues.map((q) => this.queueFacts(q, live, now.getTime())));
      const schedules = await Promise.all(SCHEDULES.filter((s) => queues.includes(s.queue)).map(async (s) => {
        const scheduler = await this.deps.queues.get(s.queue).getJobScheduler(s.id);
        return { id: s.id, pattern: s.pattern, next: scheduler?.next ? new Date(scheduler.next) : null, pausedAt: paused?.get(s.id)?.pausedAt ?? null };
      }));
      const probe = this.deps.probes?.[group];
      let extras: Awaited<ReturnType<GroupProbe>> = probe ? await probe(now).catch((): GroupExtras => ({ problems: [`${group}: its facts could not be read (PostgreSQL or Redis unreachable)`] })) : {};
      if (!paused && schedules.length) extras = { ...extras, problems: [...(extras.problems ?? []), PAUSE_STATES_UNREADABLE] };
      // The email group shows each SMTP transport's breaker as the workers' heartbeats report it.
      const smtp = group === 'email' ? aggregateTransports(workers.map((w) => w.smtp ?? []).filter((v) => v.length > 0), now) : null;
      if (smtp) extras = { ...extras, transports: smtp.transports, problems: [...(extras.problems ?? []), ...smtp.problems], warnings: [...(extras.warnings ?? []), ...smtp.warnings] };
      const judged = judgeGroup(facts, schedules, { maxFailureRate, failureMinJobs, scheduleGraceMs }, now, extras);
      const warnings = [...((extras as Awaited<ReturnType<GroupProbe>>).warnings ?? []), ...pausedWarnings(schedules)];
      return [group, warnings.length ? { ...judged, warnings: [...warnings] } : judged] as const;
    }));
    return Object.fromEntries(entries) as Record<HealthGroup, GroupHealth>;
  }

  async report(now = new Date()) {
    const deps = await this.deps.health.check();
    const redis = { healthy: deps.redis === 'up' };
    const postgres = { healthy: deps.postgres === 'up' };
    const replica = this.replica();
    if (!redis.healthy) return { healthy: false, redis, postgres, ...replica, error: 'Redis is unreachable: queue health unknown' };
    const groups = await this.groups(now);
    const healthy = redis.healthy && postgres.healthy && Object.values(groups).every((g) => g.healthy);
    return { healthy, redis, postgres, ...replica, ...groups };
  }

  /** The monitor's last check, not a new one: the figure every lag-tolerant read is routed by. */
  private replica() {
    const status = this.deps.replica?.status();
    if (!status) return {};
    const { servingReads, reachable, lagMs, maxLagMs } = status;
    return { postgresReplica: { healthy: servingReads, reachable, lagMs: lagMs === null ? null : Math.round(lagMs), maxLagMs } };
  }
}

import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { waitFor } from '../src/platform/net.js';
import { SCHEDULES } from '../src/platform/queue/schedules.js';
import { bullQueueName } from '../src/platform/redis/keys.js';
import type { Cluster, HeraldProcess } from './cluster.js';
import type { Knobs } from './knobs.js';
import { drillReport, type DrillReport } from './stats.js';

/**
 * Scheduler race: three scheduler processes start at once and each registers every schedule
 * (src/platform/queue/schedules.ts). Then the next run of the zoned daily digest and of the hourly
 * rollup is promoted (the admin's "promote": due now rather than at :15 / :05, so the drill does
 * not wait up to an hour; the job is the scheduler's own, with its deterministic id) and the two
 * workers run it. Then the three schedulers are restarted together (a second race, over
 * schedules that already exist). Targets: one scheduler and one pending job per schedule after
 * each race, and each digest run and rollup run exactly once — counted in digest_runs and
 * metrics_aggregation_jobs_log, the tables those jobs write, per period they act for.
 */
export async function schedulerDrill(cluster: Cluster, _knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const t0 = (await cluster.db.query<{ t: Date }>('SELECT now() AS t')).rows[0]!.t;
  const connection = new Redis(cluster.redis.url, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const queues = new Map([...new Set(SCHEDULES.map((s) => s.queue))].map((name) => [name, new Queue(bullQueueName(name), { connection, prefix: 'drill' })]));
  const schedulers: HeraldProcess[] = [];
  try {
    // All three are spawned before any is waited for, so their boots (and upserts) overlap.
    schedulers.push(...await Promise.all([1, 2, 3].map((i) => cluster.spawn('scheduler', `scheduler-${i}`))));
    log(`scheduler: three schedulers up (pids ${schedulers.map((s) => s.pid).join(', ')})`);
    const afterFirstRace = await registrations(queues);

    const promoted: Record<string, string | null> = {};
    for (const id of ['digest-daily-zoned', 'analytics-hourly']) {
      const job = await nextJobOf(queues, id);
      promoted[id] = job?.id ?? null;
      await job?.promote();
    }
    log(`scheduler: promoted ${JSON.stringify(promoted)}`);
    const ran = await waitFor(async () => {
      const runs = await runsSince(cluster, t0);
      return runs.digest.some((r) => r.scope === 'zoned' && r.done) && runs.rollup.some((r) => r.done);
    }, 120_000, 250);
    // Time for a second run of the same period to show up, if the race made two.
    await new Promise((r) => setTimeout(r, 5_000));

    await Promise.all(schedulers.map((s) => s.kill('SIGTERM')));
    await Promise.all(schedulers.map((s) => s.start()));
    log('scheduler: three schedulers restarted together');
    await new Promise((r) => setTimeout(r, 3_000));
    const afterSecondRace = await registrations(queues);
    const runs = await runsSince(cluster, t0);

    const perPeriod = (rows: { key: string }[]) => {
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
      return Object.fromEntries(counts);
    };
    const digestRuns = perPeriod(runs.digest);
    const rollupRuns = perPeriod(runs.rollup);
    const onePerSchedule = (reg: Awaited<ReturnType<typeof registrations>>) => Object.values(reg).every((r) => r.schedulers === 1 && r.pendingJobs === 1);
    return drillReport('scheduler', {
      oneSchedulerAndJobPerScheduleAfterFirstRace: onePerSchedule(afterFirstRace),
      oneSchedulerAndJobPerScheduleAfterSecondRace: onePerSchedule(afterSecondRace),
      promotedRunsRan: ran && promoted['digest-daily-zoned'] !== null && promoted['analytics-hourly'] !== null,
      eachDigestRunOnce: Object.keys(digestRuns).length > 0 && Object.values(digestRuns).every((n) => n === 1),
      eachRollupRunOnce: Object.keys(rollupRuns).length > 0 && Object.values(rollupRuns).every((n) => n === 1),
    }, {
      params: { schedulerProcesses: 3 },
      promoted,
      registrations: { afterFirstRace, afterSecondRace },
      digestRunsPerPeriod: digestRuns,
      rollupRunsPerPeriod: rollupRuns,
    });
  } finally {
    await Promise.all(schedulers.map((s) => s.kill('SIGTERM')));
    // Leave no promoted-later runs behind for the drills after this one.
    cluster.others.splice(0, cluster.others.length, ...cluster.others.filter((p) => !schedulers.includes(p)));
    await Promise.all([...queues.values()].map((q) => q.close()));
    connection.disconnect();
  }
}

/** The scheduler's pending job (its next run): job ids are `repeat:<schedule id>:<millis>`. */
async function nextJobOf(queues: Map<string, Queue>, id: string): Promise<Job | null> {
  const schedule = SCHEDULES.find((s) => s.id === id)!;
  const delayed = await queues.get(schedule.queue)!.getJobs(['delayed']);
  return delayed.find((j) => j.repeatJobKey === id || j.id?.startsWith(`repeat:${id}:`)) ?? null;
}

/** Per schedule: how many schedulers Redis holds under its id, and how many of its runs wait. */
async function registrations(queues: Map<string, Queue>): Promise<Record<string, { schedulers: number; pendingJobs: number }>> {
  const out: Record<string, { schedulers: number; pendingJobs: number }> = {};
  for (const [name, queue] of queues) {
    const schedulers = await queue.getJobSchedulers();
    const pending = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
    for (const s of SCHEDULES.filter((x) => x.queue === name)) {
      out[s.id] = {
        schedulers: schedulers.filter((x) => x.key === s.id).length,
        pendingJobs: pending.filter((j) => j.repeatJobKey === s.id || j.id?.startsWith(`repeat:${s.id}:`)).length,
      };
    }
  }
  return out;
}

/** Scheduled digest and rollup runs started since t0, keyed by what they act for. */
async function runsSince(cluster: Cluster, t0: Date) {
  const digest = await cluster.db.query<{ frequency: string; scope: string; run_at: Date; status: string }>(
    "SELECT frequency, scope, run_at, status FROM digest_runs WHERE started_at >= $1 AND trigger = 'schedule'", [t0]);
  const rollup = await cluster.db.query<{ job_type: string; period_start_date: Date; status: string }>(
    "SELECT job_type, period_start_date, status FROM metrics_aggregation_jobs_log WHERE started_at >= $1 AND metadata->>'trigger' = 'schedule'", [t0]);
  return {
    digest: digest.rows.map((r) => ({ key: `${r.frequency}/${r.scope}/${r.run_at.toISOString()}`, scope: r.scope, done: r.status !== 'running' })),
    rollup: rollup.rows.map((r) => ({ key: `${r.job_type}/${r.period_start_date.toISOString()}`, done: r.status !== 'RUNNING' })),
  };
}

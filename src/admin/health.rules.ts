/** Pure judgement of a job family's health from what the queues, workers and schedules report. */

import type { TransportHealth } from './smtp-health.rules.js';

export interface QueueFacts {
  readonly queue: string;
  readonly workers: number;
  /** Jobs finished in the failure-rate window. */
  readonly completed: number;
  readonly failed: number;
}

export interface ScheduleFacts {
  readonly id: string;
  readonly pattern: string;
  /** Null when no scheduler process ever registered it. */
  readonly next: Date | null;
  /** Set while an admin has it paused: not registered on purpose, so never overdue. */
  readonly pausedAt?: Date | null;
}

export interface Limits {
  readonly maxFailureRate: number;
  readonly failureMinJobs: number;
  readonly scheduleGraceMs: number;
}

export interface GroupHealth {
  healthy: boolean;
  workers: Record<string, { isRunning: boolean; error?: string }>;
  scheduledJobs: number;
  schedules: Array<{ id: string; pattern: string; nextRun: string | null; overdue: boolean; paused: boolean }>;
  failureRates: Record<string, { completed: number; failed: number; rate: number }>;
  problems: string[];
  /** The email group: SMTP transports and their breakers (smtp-health.rules.ts). */
  transports?: TransportHealth[];
}

/** What a capability adds to its group: its own count of scheduled jobs, and problems it found. */
export interface GroupExtras {
  readonly scheduledJobs?: number;
  readonly problems?: readonly string[];
  readonly transports?: readonly TransportHealth[];
}

export function judgeGroup(queues: readonly QueueFacts[], schedules: readonly ScheduleFacts[], limits: Limits, now: Date, extras: GroupExtras = {}): GroupHealth {
  const problems: string[] = [];
  const workers: GroupHealth['workers'] = {};
  const failureRates: GroupHealth['failureRates'] = {};
  for (const q of queues) {
    workers[q.queue] = q.workers > 0 ? { isRunning: true } : { isRunning: false, error: 'no live worker serves this queue' };
    if (q.workers === 0) problems.push(`${q.queue}: no live worker`);
    const total = q.completed + q.failed;
    const rate = total === 0 ? 0 : q.failed / total;
    failureRates[q.queue] = { completed: q.completed, failed: q.failed, rate: Math.round(rate * 1000) / 1000 };
    if (total >= limits.failureMinJobs && rate > limits.maxFailureRate) {
      problems.push(`${q.queue}: ${Math.round(rate * 100)}% of jobs failed in the last 15 minutes`);
    }
  }
  const scheduleViews = schedules.map((s) => {
    // A paused schedule is unregistered on purpose: shown as paused (a warning, pausedWarnings), never a problem.
    if (s.pausedAt) return { id: s.id, pattern: s.pattern, nextRun: null, overdue: false, paused: true };
    const overdue = s.next === null || s.next.getTime() < now.getTime() - limits.scheduleGraceMs;
    if (s.next === null) problems.push(`${s.id}: schedule not registered (no scheduler process has run)`);
    else if (overdue) problems.push(`${s.id}: overdue since ${s.next.toISOString()}`);
    return { id: s.id, pattern: s.pattern, nextRun: s.next?.toISOString() ?? null, overdue, paused: false };
  });
  problems.push(...(extras.problems ?? []));
  const judged: GroupHealth = { healthy: problems.length === 0, workers, scheduledJobs: extras.scheduledJobs ?? schedules.length, schedules: scheduleViews, failureRates, problems };
  if (extras.transports) judged.transports = [...extras.transports];
  return judged;
}

/** What a group says of its paused schedules: shown, leaving it healthy. */
export function pausedWarnings(schedules: readonly ScheduleFacts[]): string[] {
  return schedules.filter((s) => s.pausedAt).map((s) => `${s.id}: paused since ${s.pausedAt!.toISOString()}`);
}

/**
 * Jobs counted by BullMQ metrics over the last `minutes`. BullMQ keeps the running minute as
 * `count - prevCount` (started at prevTS) and pushes each closed minute to `data`, newest first.
 */
export function recentCount(metrics: { data: Array<number | string>; meta: { count: number | string; prevCount: number | string; prevTS: number | string } }, minutes: number, now: number): number {
  const prevTS = Number(metrics.meta.prevTS);
  const running = Number(metrics.meta.count) - Number(metrics.meta.prevCount);
  if (!prevTS) return Math.max(0, running);
  const age = Math.floor((now - prevTS) / 60_000);
  if (age >= minutes) return 0;
  return running + metrics.data.slice(0, minutes - age - 1).reduce<number>((sum, n) => sum + Number(n), 0);
}

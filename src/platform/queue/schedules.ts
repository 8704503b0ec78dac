import type { Queues } from './queues.js';
import type { JobName, JobPayload, QueueName } from './registry.js';

/** One recurring job: a BullMQ job scheduler, upserted at boot (idempotent across processes). */
export interface Schedule<Q extends QueueName = QueueName, J extends JobName<Q> = JobName<Q>> {
  readonly id: string;
  readonly queue: Q;
  readonly pattern: string;
  readonly tz: string;
  readonly job: J;
  readonly data: JobPayload<Q, J>;
  readonly description: string;
}

const schedule = <Q extends QueueName, J extends JobName<Q>>(s: Schedule<Q, J>): Schedule => s as unknown as Schedule;

/** Every recurring job of the system, in one place. */
export const SCHEDULES: readonly Schedule[] = [
  schedule({ id: 'digest-daily', queue: 'notification-digest', pattern: '0 9 * * *', tz: 'UTC', job: 'DigestRun', data: { frequency: 'DAILY', scope: 'utc' }, description: 'Daily digests at 09:00 UTC (users without a time zone)' }),
  schedule({ id: 'digest-weekly', queue: 'notification-digest', pattern: '0 9 * * 1', tz: 'UTC', job: 'DigestRun', data: { frequency: 'WEEKLY', scope: 'utc' }, description: 'Weekly digests on Monday 09:00 UTC (users without a time zone)' }),
  schedule({ id: 'digest-daily-zoned', queue: 'notification-digest', pattern: '*/15 * * * *', tz: 'UTC', job: 'DigestRun', data: { frequency: 'DAILY', scope: 'zoned' }, description: 'Daily digests at 09:00 in each user\'s own time zone' }),
  schedule({ id: 'digest-weekly-zoned', queue: 'notification-digest', pattern: '*/15 * * * *', tz: 'UTC', job: 'DigestRun', data: { frequency: 'WEEKLY', scope: 'zoned' }, description: 'Weekly digests on Monday 09:00 in each user\'s own time zone' }),
];

/** Registers every schedule; any number of scheduler processes may do this at once. */
export async function upsertSchedules(queues: Queues, schedules: readonly Schedule[] = SCHEDULES): Promise<void> {
  for (const s of schedules) {
    await queues.get(s.queue).upsertJobScheduler(s.id, { pattern: s.pattern, tz: s.tz }, { name: s.job, data: s.data });
  }
}

/** The next run of a schedule as BullMQ has it, or null when it is not registered. */
export async function nextRunOf(queues: Queues, id: string): Promise<Date | null> {
  const s = SCHEDULES.find((x) => x.id === id);
  if (!s) return null;
  const scheduler = await queues.get(s.queue).getJobScheduler(id);
  return scheduler?.next ? new Date(scheduler.next) : null;
}

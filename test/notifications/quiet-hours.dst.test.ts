import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createClock, type TestClock } from '../helpers/clock.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Issue 17: quiet hours across a DST change, through the delivery job. The app's clock (the one
 * delivery decides by) is set to next year's change days; the held job's due time is checked
 * exactly, then the clock is moved past it and the job promoted (its BullMQ delay is months of
 * real time): the email goes once.
 */

const YEAR = new Date().getUTCFullYear() + 1;
/** The last Sunday of March (EU spring forward) and the first of November (US fall back), UTC midnight. */
const lastSunday = (month: number) => {
  let day = new Date(Date.UTC(YEAR, month + 1, 0));
  while (day.getUTCDay() !== 0) day = new Date(day.getTime() - 86_400_000);
  return day.getTime();
};
const firstSunday = (month: number) => {
  let day = new Date(Date.UTC(YEAR, month, 1));
  while (day.getUTCDay() !== 0) day = new Date(day.getTime() + 86_400_000);
  return day.getTime();
};
const HOUR = 3_600_000;
const MINUTE = 60_000;
const PARIS_SPRING = lastSunday(2); // 02:00 CET → 03:00 CEST at 01:00Z
const NEW_YORK_FALL = firstSunday(10); // 02:00 EDT → 01:00 EST at 06:00Z

let sink: SmtpSink;
let clock: TestClock;
let t: TestApp;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  clock = createClock(PARIS_SPRING + 30 * MINUTE); // 01:30 CET
  t = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://app.example.com' }, { now: clock.now });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const db = () => t.app.database.db;

async function heldNotification(timezone: string, quietHours: { start: string; end: string }) {
  const user = await t.app.services.users.createUser({ email: `dst-${timezone.replace('/', '-').toLowerCase()}-${Date.now()}@mail.test`, password: 'password-123', role: 'CREATOR', name: 'DST' });
  await t.app.services.notifications.updatePreferences(user.id, { timezone, quietHours });
  const result = await t.app.services.notifications.create({ userIds: [user.id] }, {
    type: 'LICENSE', title: `Held across DST in ${timezone}`, message: 'm', actionUrl: null, priority: 'HIGH', metadata: null, critical: false,
  });
  const { id } = await db().selectFrom('notifications').select('id').where('batch_id', '=', result.batchId).executeTakeFirstOrThrow();
  let job: { job_id: string | null; delay_until: Date | null } | undefined;
  expect(await waitFor(async () => {
    job = await db().selectFrom('outbox').select(['job_id', 'delay_until']).where('queue', '=', 'notification-delivery')
      .where('delay_until', 'is not', null).where(sql<boolean>`payload -> 'notificationIds' ? ${id}`).executeTakeFirst();
    return job !== undefined;
  }, 10_000)).toBe(true);
  return { user, id, job: job! };
}

/** The clock says the window is over; BullMQ is told the job is due. */
async function release(jobId: string) {
  const queue = t.app.queues.get('notification-delivery');
  expect(await waitFor(async () => (await queue.getJobState(jobId)) === 'delayed', 10_000)).toBe(true);
  await (await queue.getJob(jobId))!.promote();
  expect(await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 10_000)).toBe(true);
  return (await queue.getJob(jobId))!.returnvalue as { emailed: number; held: number };
}

describe('quiet hours across a DST change (issue 17)', () => {
  it('Europe/Paris spring forward: a window ending at 02:30, which does not exist that day, ends at the jump (03:00 CEST)', async () => {
    const { user, job } = await heldNotification('Europe/Paris', { start: '22:00', end: '02:30' });
    expect(job.delay_until).toEqual(new Date(PARIS_SPRING + HOUR));
    expect(sink.mailbox(user.email)).toEqual([]);
    clock.advance(30 * MINUTE); // 03:00 CEST
    expect(await release(job.job_id!)).toMatchObject({ emailed: 1, held: 0 });
    expect(sink.mailbox(user.email).map((m) => m.subject)).toEqual(['[HIGH] Held across DST in Europe/Paris']);
  });

  it('America/New_York fall back: a window ending at 01:30, which happens twice, ends at the first; the repeated hour does not hold again', async () => {
    clock.advance(NEW_YORK_FALL + 5 * HOUR - clock.now()); // 01:00 EDT
    const { user, job } = await heldNotification('America/New_York', { start: '22:00', end: '01:30' });
    expect(job.delay_until).toEqual(new Date(NEW_YORK_FALL + 5 * HOUR + 30 * MINUTE)); // 01:30 EDT
    clock.advance(70 * MINUTE); // 06:10Z: 01:10 EST, before 01:30 on the clock again
    expect(await release(job.job_id!)).toMatchObject({ emailed: 1, held: 0 });
    expect(sink.mailbox(user.email).map((m) => m.subject)).toEqual(['[HIGH] Held across DST in America/New_York']);
  });
});

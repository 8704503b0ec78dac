import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { notificationEmailKey } from '../../src/notifications/delivery.service.js';
import { EmailLogRepository } from '../../src/platform/email/email-log.repository.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

// The timeline across a worker killed at the worst moment: after it claimed the email, before the
// server answered. An API-only app, so no worker runs until the test starts one.

let sink: SmtpSink;
let t: TestApp;
let admin: Session;
let worker: App | null = null;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, RATE_LIMIT_OVERRIDES: 'admin.jobs=2000' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await sink?.stop();
});

type Event = { at: string; stage: string; detail: Record<string, unknown> };
async function events(id: string): Promise<Event[]> {
  const res = await t.call('GET', `/api/admin/notifications/${id}/timeline`, { as: admin });
  expect(res.status).toBe(200);
  return res.body.data.events;
}

describe('timeline after a worker crash', () => {
  it('shows the dead claim without an outcome, then one email sent by the next attempt (attempts 2), sent once', async () => {
    const me = await t.user('VIEWER');
    await t.app.services.notifications.notify({ userIds: [me.user.id], type: 'SYSTEM', title: 'Crash', message: 'm' });
    const { id } = await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', me.user.id).executeTakeFirstOrThrow();
    // What a worker killed between claim and completion leaves behind: a claim whose lease runs 1.5 s.
    const dead = await new EmailLogRepository(t.app.database.db).claim({
      key: notificationEmailKey(id), kind: 'notification', notificationId: id, userId: me.user.id, to: me.user.email, subject: 'Crash', messageId: `<${randomUUID()}@test>`,
    }, randomUUID(), 1_500);
    expect(dead).toEqual({ attempts: 1, status: 'sending' });

    const stuck = await events(id);
    expect(stuck.map((e) => e.stage)).toEqual(['created', 'visible', 'email-claimed']);
    expect(stuck[2]!.detail).toMatchObject({ attempts: 1, to: me.user.email });

    worker = await t.sibling({ roles: ['worker'] });
    expect(await outboxDrained(t.app, 30_000)).toBe(true);
    const after = await events(id);
    const stages = after.map((e) => e.stage);
    expect(stages.filter((s) => s.startsWith('email-'))).toEqual(['email-claimed', 'email-sent']);
    expect(after.find((e) => e.stage === 'email-claimed')!.at).toBe(stuck[2]!.at);
    expect(after.find((e) => e.stage === 'email-sent')!.detail).toMatchObject({ attempts: 2, transport: 'smtp-1' });
    expect(stages.indexOf('relayed')).toBeGreaterThan(-1);
    expect(sink.mailbox(me.user.email)).toHaveLength(1);
  }, 60_000);
});

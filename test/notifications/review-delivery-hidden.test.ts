import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { SseClient } from '../helpers/sse-client.js';
import { act } from './inbox-fixtures.js';

// Review of issue 17: a notification's delivery job runs after the row is already in the user's
// list (a backlog, a worker down). By then the user may have snoozed or archived it, or it may have
// expired. The live push must not show as new what the inbox hides (the stream's replay already
// leaves those out), and an expired notification (gone for its user) is not emailed.

let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await new SmtpSink().start();
  // API only: the test decides when a worker runs the delivery jobs.
  t = await createTestApp({ SMTP_URL: sink.url }, { roles: ['api'] });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

async function notify(user: Session, title: string, expiresAt?: string): Promise<string> {
  const result = await t.app.services.notifications.create({ userIds: [user.user.id] }, {
    type: 'SYSTEM', title, message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false, ...(expiresAt ? { expiresAt } : {}),
  });
  const row = await t.app.database.db.selectFrom('notifications').select('id').where('batch_id', '=', result.batchId).executeTakeFirstOrThrow();
  return row.id;
}

/** Until every delivery job (and expiry job) recorded so far is done; the snooze's wake-up is a day away. */
const deliveriesDone = () => waitFor(async () => {
  const row = await t.app.database.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue', 'in', ['notification-delivery', 'notification-fanout']).where('completed_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}, 20_000, 50);

describe('a delivery job that runs after the user dealt with the notification', () => {
  it('does not push a snoozed, archived or expired notification as new, and does not email an expired one', async () => {
    const user = await t.user();
    const stream = await SseClient.open(t.url, user);
    let worker: App | null = null;
    try {
      await stream.next('unread-count');
      const expiresAt = Date.now() + 1_500;
      const expiring = await notify(user, 'Expiring', new Date(expiresAt).toISOString());
      const snoozed = await notify(user, 'Snoozed');
      const archived = await notify(user, 'Archived');
      const visible = await notify(user, 'Visible');
      expect((await act(t, user, snoozed, 'snooze', { until: new Date(Date.now() + 86_400_000).toISOString() })).status).toBe(200);
      expect((await act(t, user, archived, 'archive')).status).toBe(200);
      expect(await waitFor(async () => Date.now() > expiresAt + 50, 5_000)).toBe(true);

      worker = await t.sibling({ roles: ['worker'] });
      expect(await deliveriesDone()).toBe(true);
      // A marker pushed after every delivery job finished: the stream has heard all before it.
      const marker = await notify(user, 'Marker');
      expect(await deliveriesDone()).toBe(true);
      expect(await waitFor(async () => stream.events().some((f) => f.event === 'notification' && JSON.parse(f.data!).id === marker), 10_000)).toBe(true);

      const pushed = stream.events().filter((f) => f.event === 'notification').map((f) => (JSON.parse(f.data!) as { id: string }).id);
      expect(pushed.filter((id) => [expiring, snoozed, archived].includes(id))).toEqual([]);
      expect(pushed).toContain(visible);
      const subjects = sink.mailbox(user.user.email).map((m) => m.subject);
      expect(subjects.some((s) => s.includes('Visible'))).toBe(true);
      expect(subjects.filter((s) => s.includes('Expiring'))).toEqual([]);
    } finally {
      stream.close();
      await worker?.stop();
    }
  }, 60_000);
});

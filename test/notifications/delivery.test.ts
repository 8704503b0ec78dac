import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../src/platform/db/schema.js';
import { waitFor } from '../../src/platform/net.js';
import { createUnsubscribeToken } from '../../src/notifications/unsubscribe.token.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained, outboxSettled } from '../helpers/wait.js';

let sink: SmtpSink;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://app.example.com', JOB_BACKOFF_MS: '500', JOB_ATTEMPTS: '8' });
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

async function newUser(email = `u${++n}-${Date.now()}@mail.test`, name = `User ${n}`) {
  const user = await t.app.services.users.createUser({ email, password: 'password-123', role: 'CREATOR', name });
  return user;
}

const content = (extra: Partial<{ type: string; title: string; message: string; actionUrl: string | null; priority: string; critical: boolean }> = {}) => ({
  type: 'PAYOUT', title: 'Payout sent', message: 'Your payout of $120 is on its way.', actionUrl: '/payouts/42', priority: 'MEDIUM',
  metadata: null, critical: false, ...extra,
}) as Parameters<TestApp['app']['services']['notifications']['create']>[1];

describe('who gets an email (JOBS.md §1.2)', () => {
  // The whole 32-case matrix is a pure test of the rules (delivery.rules.test.ts); these cases prove
  // the delivery job reads the saved preferences and applies them, one per way of deciding.
  it('applies the rules to saved preferences: immediate, digest, email off, type disabled, critical', async () => {
    const cases = [
      { digestFrequency: 'IMMEDIATE', emailEnabled: true, typeEnabled: true, critical: false, expected: true },
      { digestFrequency: 'DAILY', emailEnabled: true, typeEnabled: true, critical: false, expected: false },
      { digestFrequency: 'IMMEDIATE', emailEnabled: false, typeEnabled: true, critical: false, expected: false },
      { digestFrequency: 'IMMEDIATE', emailEnabled: true, typeEnabled: false, critical: false, expected: false },
      { digestFrequency: 'NEVER', emailEnabled: false, typeEnabled: false, critical: true, expected: true },
    ] as const;
    const users = [];
    for (const c of cases) {
      const user = await newUser();
      await t.app.services.notifications.updatePreferences(user.id, {
        digestFrequency: c.digestFrequency, emailEnabled: c.emailEnabled, enabledTypes: c.typeEnabled ? [...NOTIFICATION_TYPES] : NOTIFICATION_TYPES.filter((x) => x !== 'PAYOUT'),
      });
      users.push({ user, ...c });
    }
    for (const critical of [false, true]) {
      await t.app.services.notifications.create({ userIds: users.filter((c) => c.critical === critical).map((c) => c.user.id) }, content({ critical, title: `Matrix ${critical}` }));
    }
    expect(await outboxDrained(t.app)).toBe(true);
    const wrong = users.filter((c) => (sink.mailbox(c.user.email).length === 1) !== c.expected || sink.mailbox(c.user.email).length > 1)
      .map(({ user, ...c }) => ({ ...c, email: user.email, received: sink.mailbox(user.email).length }));
    expect(wrong).toEqual([]);
  });

  it('treats a user without saved preferences as IMMEDIATE with every type enabled', async () => {
    const user = await newUser();
    await t.app.services.notifications.create({ userIds: [user.id] }, content());
    expect(await outboxDrained(t.app)).toBe(true);
    expect(sink.mailbox(user.email)).toHaveLength(1);
  });
});

describe('the email', () => {
  it('escapes user-supplied text, links absolutely under PUBLIC_URL and shows the priority', async () => {
    const user = await newUser(undefined, '<b>Eve</b>');
    await t.app.services.notifications.create({ userIds: [user.id] }, content({
      title: '<script>alert("t")</script> Deal', message: 'Hi <img src=x onerror=alert(1)> & welcome', priority: 'URGENT', type: 'LICENSE', actionUrl: '/licenses/7?tab=terms&x=<y>',
    }));
    expect(await outboxDrained(t.app)).toBe(true);
    const [mail] = sink.mailbox(user.email);
    expect(mail).toBeDefined();
    expect(mail!.subject).toBe('[URGENT] <script>alert("t")</script> Deal');
    expect(mail!.html).not.toMatch(/<script|<img|<b>Eve/);
    expect(mail!.html).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; Deal');
    expect(mail!.html).toContain('Hi &lt;img src=x onerror=alert(1)&gt; &amp; welcome');
    expect(mail!.html).toContain('href="https://app.example.com/licenses/7?tab=terms&amp;x=%3Cy%3E"');
    expect(mail!.html).toContain('URGENT priority');
    expect(mail!.html).toContain('View license');
    expect(mail!.text).toContain('View license: https://app.example.com/licenses/7?tab=terms&x=%3Cy%3E');
    expect(mail!.from).toBe('no-reply@herald.local');
  });

  it('uses one deterministic Message-ID per notification', async () => {
    const user = await newUser();
    const result = await t.app.services.notifications.create({ userIds: [user.id] }, content());
    expect(await outboxDrained(t.app)).toBe(true);
    const row = await t.app.database.db.selectFrom('notifications').select('id').where('batch_id', '=', result.batchId).executeTakeFirstOrThrow();
    expect(sink.mailbox(user.email)[0]!.messageId).toBe(`<notification.${row.id}@app.example.com>`);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  it('carries List-Unsubscribe headers whose POST turns email off, and a GET that only asks', async () => {
    const user = await newUser();
    await t.app.services.notifications.create({ userIds: [user.id] }, content());
    expect(await outboxDrained(t.app)).toBe(true);
    const mail = sink.mailbox(user.email)[0]!;
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const link = new URL(mail.headers.get('list-unsubscribe')!.replace(/^<|>$/g, ''));
    expect(link.origin).toBe('https://app.example.com');
    expect(mail.html).toContain('Unsubscribe from emails');
    const path = link.pathname + link.search;

    const page = await fetch(t.url + path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<form method="post"');
    expect((await t.app.services.notifications.getPreferences(user.id)).emailEnabled).toBe(true);

    const post = await fetch(t.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ success: true, data: { emailEnabled: false } });
    expect((await t.app.services.notifications.getPreferences(user.id)).emailEnabled).toBe(false);

    await t.app.services.notifications.create({ userIds: [user.id] }, content({ title: 'After unsubscribing' }));
    expect(await outboxDrained(t.app)).toBe(true);
    expect(sink.mailbox(user.email)).toHaveLength(1);
  });

  it('refuses forged, re-targeted and expired tokens', async () => {
    const victim = await newUser();
    const secret = (await t.app.database.db.selectFrom('app_settings').select('value').where('key', '=', 'session_secret').executeTakeFirstOrThrow()).value;
    const good = createUnsubscribeToken(secret, victim.id, new Date(Date.now() + 60_000));
    const attacker = await newUser();
    const retargeted = good.replace(victim.id, attacker.id);
    const forged = createUnsubscribeToken('another-secret-another-secret-xx', victim.id, new Date(Date.now() + 60_000));
    const expired = createUnsubscribeToken(secret, victim.id, new Date(Date.now() - 1000));
    for (const token of [retargeted, forged, expired, 'garbage', '']) {
      const res = await fetch(`${t.url}/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ success: false, error: 'Invalid or expired unsubscribe link' });
    }
    expect((await t.app.services.notifications.getPreferences(victim.id)).emailEnabled).toBe(true);
    expect((await t.app.services.notifications.getPreferences(attacker.id)).emailEnabled).toBe(true);
  });

  it('leaves critical emails without an unsubscribe link', async () => {
    const user = await newUser();
    await t.app.services.notifications.create({ userIds: [user.id] }, content({ critical: true }));
    expect(await outboxDrained(t.app)).toBe(true);
    const mail = sink.mailbox(user.email)[0]!;
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.html).not.toContain('Unsubscribe');
  });
});

describe('failures', () => {
  it('fails a refused address for good, without retrying, keeping the error', async () => {
    const user = await newUser(`nobody-${Date.now()}@reject.test`);
    const ok = await newUser();
    await t.app.services.notifications.create({ userIds: [user.id, ok.id] }, content({ title: 'Bounce' }));
    const settled = await outboxSettled(t.app);
    expect(settled.drained).toBe(true);
    expect(settled.failed.map((r) => r.queue)).toEqual(['notification-delivery']);
    expect(sink.mailbox(ok.email)).toHaveLength(1);
    const log = await t.app.database.db.selectFrom('email_log').selectAll().where('to_address', '=', user.email).executeTakeFirstOrThrow();
    expect(log).toMatchObject({ status: 'failed', attempts: 1 });
    expect(log.error).toMatch(/550|No such user/);
    const failed = await t.app.queues.get('notification-delivery').getFailed();
    const job = failed.find((j) => j.failedReason.includes('permanently refused'));
    expect(job?.attemptsMade).toBe(1);
    expect(job?.stacktrace?.length).toBeGreaterThan(0);
  });

  it('retries through an SMTP outage and then sends every email exactly once', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    await sink.stop();
    await t.app.services.notifications.create({ userIds: users.map((u) => u.id) }, content({ title: 'Outage' }));
    // Evidence that every email met the outage (rather than a fixed wait, and rather than a mailbox
    // that a stopped server keeps empty whatever happens): each one tried, refused, and released
    // for a retry, none recorded as sent.
    const log = () => t.app.database.db.selectFrom('email_log').select(['status', 'error']).where('to_address', 'in', users.map((u) => u.email)).execute();
    expect(await waitFor(async () => {
      const rows = await log();
      return rows.length === users.length && rows.every((r) => r.error !== null);
    }, 30_000)).toBe(true);
    expect((await log()).map((r) => r.status)).toEqual(users.map(() => 'sending'));
    await sink.start();
    expect(await outboxDrained(t.app, 60_000)).toBe(true);
    for (const u of users) expect(sink.mailbox(u.email).map((m) => m.subject)).toEqual(['Outage']);
  }, 90_000);
});

describe('captured mail (no SMTP_URL)', () => {
  it('keeps the rendered email in PostgreSQL and lists it for admins only', async () => {
    const local = await createTestApp();
    try {
      const admin = await local.admin();
      const viewer = await local.user('VIEWER');
      await local.app.services.notifications.create({ userIds: [viewer.user.id] }, content({ title: 'Would be sent' }));
      expect(await outboxDrained(local.app)).toBe(true);
      const list = await local.call('GET', '/api/admin/emails?status=captured', { as: admin });
      expect(list.status).toBe(200);
      expect(list.body.pagination.total).toBe(1);
      expect(list.body.data[0]).toMatchObject({ to: viewer.user.email, subject: 'Would be sent', status: 'captured', kind: 'notification' });
      expect(list.body.data[0].html).toContain('Would be sent');
      expect(list.body.data[0].headers['List-Unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/api\/notifications\/unsubscribe\?token=/);
      expect((await local.call('GET', '/api/admin/emails', { as: viewer })).status).toBe(403);
      expect((await local.call('GET', '/api/admin/emails?status=bogus', { as: admin })).status).toBe(400);
    } finally {
      await local.close();
    }
  });
});

describe('priority', () => {
  it('an URGENT notification overtakes a backlog of MEDIUM deliveries', async () => {
    const local = await createTestApp({ SMTP_URL: sink.url, DELIVERY_BATCH_SIZE: '1', WORKER_CONCURRENCY: '1' });
    try {
      const users = await Promise.all(Array.from({ length: 6 }, (_, i) => local.app.services.users.createUser({ email: `prio${i}-${Date.now()}@mail.test`, password: 'password-123', role: 'VIEWER' })));
      await local.app.queues.get('notification-delivery').pause();
      await local.app.services.notifications.notify({ userIds: users.slice(0, 5).map((u) => u.id), type: 'SYSTEM', title: 'Backlog', message: 'm' });
      await local.app.services.notifications.notify({ userIds: [users[5]!.id], type: 'SYSTEM', title: 'Fire', message: 'm', priority: 'URGENT' });
      expect(await waitFor(async () => (await local.app.database.db.selectFrom('outbox').select('id').where('relayed_at', 'is', null).execute()).length === 0, 10_000)).toBe(true);
      const start = sink.received.length;
      await local.app.queues.get('notification-delivery').resume();
      expect(await outboxDrained(local.app)).toBe(true);
      const order = sink.received.slice(start).map((m) => m.subject);
      expect(order[0]).toBe('[URGENT] Fire');
      expect(order.filter((s) => s === 'Backlog')).toHaveLength(5);
    } finally {
      await local.close();
    }
  });
});

describe('notify(): the producer API', () => {
  it('commits with the caller\'s transaction and vanishes with its rollback', async () => {
    const user = await newUser();
    const db = t.app.database.db;
    await expect(db.transaction().execute(async (tx) => {
      await t.app.services.notifications.notify({ userIds: [user.id], type: 'LICENSE', title: 'Rolled back', message: 'm' }, tx);
      throw new Error('domain change failed');
    })).rejects.toThrow('domain change failed');
    await db.transaction().execute(async (tx) => {
      await t.app.services.notifications.notify({ userIds: [user.id], type: 'LICENSE', title: 'Committed', message: 'm', priority: 'HIGH' }, tx);
    });
    expect(await outboxDrained(t.app)).toBe(true);
    const titles = (await db.selectFrom('notifications').select('title').where('user_id', '=', user.id).execute()).map((r) => r.title);
    expect(titles).toEqual(['Committed']);
    expect(sink.mailbox(user.email).map((m) => m.subject)).toEqual(['[HIGH] Committed']);
  });
});

describe('recipients', () => {
  it('skips deleted users without failing', async () => {
    const failedBefore = new Set((await t.app.queues.get('notification-delivery').getFailed()).map((j) => j.id));
    const gone = await newUser();
    await t.app.services.notifications.create({ userIds: [gone.id] }, content());
    await t.app.database.db.deleteFrom('users').where('id', '=', gone.id).execute();
    // A marker email to a live user, created after: once it arrived and the outbox is drained, the
    // deleted user's delivery has run; no job may have failed, and nothing went to the deleted address.
    const marker = await newUser();
    await t.app.services.notifications.create({ userIds: [marker.id] }, content({ title: 'Marker' }));
    const settled = await outboxSettled(t.app);
    expect(settled).toEqual({ drained: true, failed: [] });
    expect(sink.mailbox(marker.email).map((m) => m.subject)).toEqual(['Marker']);
    expect((await t.app.queues.get('notification-delivery').getFailed()).filter((j) => !failedBefore.has(j.id))).toEqual([]);
    expect(sink.mailbox(gone.email)).toEqual([]);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { createSubscriberRedis } from '../../src/platform/redis/connection.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { startSentinelSet } from '../helpers/sentinel.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { SseClient } from '../helpers/sse-client.js';
import { outboxDrained } from '../helpers/wait.js';

/**
 * Herald through Redis Sentinel (issue 20): a master, its replica and three sentinels of their own
 * (test/helpers/sentinel.ts). The master is SIGKILLed mid-burst; nothing is restarted, and every
 * client of the service (queues, workers, the relay, rate limits, the event stream's and the
 * session cache's subscribers, heartbeats) must find the promoted replica by itself.
 */
const BURST = 1_000;
let set: Awaited<ReturnType<typeof startSentinelSet>>;
let sink: SmtpSink;
let t: TestApp;
let sibling: App;

beforeAll(async () => {
  set = await startSentinelSet();
  // A little slow per message, so the kill lands while the burst is still going out.
  sink = await new SmtpSink({ delayMs: 5 }).start();
  t = await createTestApp({
    REDIS_URL: '', ...set.env, SMTP_URL: sink.url, JOB_LOCK_MS: '2000', EMAIL_LEASE_MS: '2000', WORKER_HEARTBEAT_MS: '500',
    // Only a pub/sub revocation can end a cached session within the test's wait.
    SESSION_CACHE_MS: '60000',
    // The probe below reads back to back; the limiter itself (Redis) stays on the path.
    RATE_LIMIT_OVERRIDES: 'notifications.list=1000000',
  });
  sibling = await t.sibling({ roles: ['api'] });
}, 90_000);

afterAll(async () => {
  await sibling?.stop();
  await t?.close();
  await set?.remove();
  await sink?.stop();
});

async function seedUsers(tag: string, count: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    INSERT INTO users (email, role, password_hash, name)
    SELECT ${tag} || '-' || g || '@sentinel.test', 'VIEWER', 'x', 'Sentinel ' || g FROM generate_series(1, ${count}) g
    RETURNING id`.execute(t.app.database.db);
  return rows.rows.map((r) => r.id);
}

const notifyAll = (userIds: string[], title: string) =>
  t.app.services.notifications.create({ userIds }, { type: 'SYSTEM', title, message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
const mailsTo = (tag: string) => sink.received.filter((m) => m.to[0]!.startsWith(`${tag}-`));
const odd: string[] = [];
const list = (user: Session, base = t.url) => fetch(`${base}/api/notifications`, { headers: { authorization: `Bearer ${user.token}` } }).then(async (r) => {
  if (r.status !== 200 && r.status !== 503) odd.push(`${r.status} ${await r.text()}`);
  else await r.body?.cancel();
  return r.status;
});

describe('Redis Sentinel: the master killed mid-burst', () => {
  it('fails over without restarting herald: API, workers, email, the live stream and revocations carry on; no email lost, resends keep their Message-ID', async () => {
    const admin = await t.admin();
    const reader = await t.user();
    const watcher = await t.user();
    expect(await list(reader)).toBe(200);
    let stream = await SseClient.open(t.url, watcher);
    await stream.next('unread-count');

    const burst = await seedUsers('burst', BURST);
    await notifyAll(burst, 'Burst');
    expect(await waitFor(async () => mailsTo('burst').length >= BURST / 10, 60_000, 5)).toBe(true);

    // A rate-limited read, back to back, from the kill until it answers 200 again.
    const statuses: number[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) statuses.push(await list(reader).catch(() => 0));
    })();
    const oldPort = await set.killMaster();
    const killedAt = Date.now();
    const deliveredAtKill = mailsTo('burst').length;
    expect(deliveredAtKill).toBeLessThan(BURST);
    expect(await waitFor(() => set.failedOver(oldPort), 30_000, 50)).toBe(true);
    const failoverMs = Date.now() - killedAt;
    expect(await waitFor(async () => statuses.at(-1) === 200, 20_000, 20)).toBe(true);
    const recoveredMs = Date.now() - killedAt;
    probing = false;
    await probe;
    // While Redis was away the limiter failed fast: 503, never a 500 or a request left hanging.
    expect(new Set(statuses.filter((s) => s !== 200 && s !== 503)), odd.join('\n')).toEqual(new Set());
    // Workers fetch again as soon as the API answers: a notification created now has its delivery
    // job taken within seconds (its email then waits its turn behind the burst's).
    const [canary] = await seedUsers('canary', 1);
    await notifyAll([canary!], 'Canary');
    const { id: canaryRow } = await t.app.database.db.selectFrom('outbox').select('id').where('queue', '=', 'notification-delivery').orderBy('id', 'desc').executeTakeFirstOrThrow();
    let firstJobMs = 0;
    expect(await waitFor(async () => {
      const job = await t.app.queues.get('notification-delivery').getJob(`outbox-${canaryRow}`);
      firstJobMs = (job?.processedOn ?? 0) - killedAt;
      return firstJobMs > 0;
    }, 10_000, 20)).toBe(true);
    expect(firstJobMs).toBeLessThan(recoveredMs + 5_000);
    console.log('[sentinel]', JSON.stringify({ deliveredAtKill, failoverMs, recoveredMs, firstJobMs, probes: statuses.length, unavailable: statuses.filter((s) => s === 503).length }));

    // The stream's subscriber lost its master: streams are ended so that clients resync (replay
    // from PostgreSQL by Last-Event-ID), and a new stream hears new notifications live.
    expect(await stream.endedWithin(15_000)).toBe(true);
    const lastEventId = [...stream.frames].reverse().find((f) => f.id)?.id;
    expect(await waitFor(async () => {
      stream = await SseClient.open(t.url, watcher, lastEventId ? { lastEventId } : {});
      if (!stream.res.ok) await stream.res.body?.cancel();
      return stream.res.ok;
    }, 15_000, 100)).toBe(true);
    expect((await t.call('POST', '/api/admin/notifications', { as: admin, body: { userIds: [watcher.user.id], type: 'SYSTEM', title: 'After failover', message: 'm' } })).status).toBe(202);
    expect(JSON.parse((await stream.next('notification', 15_000)).data!).title).toBe('After failover');
    stream.close();

    // Session revocation: both API processes are subscribed on the new master again; a session
    // cached by the sibling (for 60 s) is refused there as soon as it logs out here.
    const probeSubscriber = createSubscriberRedis(t.app.config.redis!);
    probeSubscriber.on('error', () => undefined);
    try {
      const channel = `${t.prefix}:session-revoked`;
      expect(await waitFor(async () => {
        const [, n] = await probeSubscriber.call('PUBSUB', 'NUMSUB', channel) as [string, number];
        return n >= 2;
      }, 15_000, 50)).toBe(true);
    } finally {
      probeSubscriber.disconnect();
    }
    const leaving = await t.user();
    expect(await list(leaving, sibling.url!)).toBe(200);
    expect((await t.call('POST', '/api/auth/logout', { as: leaving })).status).toBe(200);
    expect(await waitFor(async () => (await list(leaving, sibling.url!)) === 401, 3_000, 20)).toBe(true);

    // The worker's heartbeat is written to the new master.
    expect(await waitFor(async () => {
      const res = await t.call('GET', '/api/admin/jobs/workers', { as: admin });
      return res.status === 200 && (res.body.data as Array<{ lastSeenAt: string }>).some((w) => Date.parse(w.lastSeenAt) > killedAt + failoverMs);
    }, 10_000, 100)).toBe(true);

    // New work after the failover goes out, and the burst finishes: every notification emailed,
    // each recipient under one Message-ID however often a message was resent.
    const after = await seedUsers('after', 50);
    await notifyAll(after, 'After');
    expect(await outboxDrained(t.app, 120_000)).toBe(true);
    for (const [tag, users] of [['burst', BURST], ['after', 50]] as const) {
      const mails = mailsTo(tag);
      const byRecipient = new Map<string, Set<string>>();
      for (const m of mails) byRecipient.set(m.to[0]!, (byRecipient.get(m.to[0]!) ?? new Set()).add(m.messageId));
      expect(byRecipient.size, `${tag}: recipients emailed`).toBe(users);
      expect([...byRecipient.values()].filter((ids) => ids.size !== 1), `${tag}: recipients with several Message-IDs`).toEqual([]);
    }
    const sent = await t.app.database.db.selectFrom('email_log').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'sent').where('to_address', 'like', '%@sentinel.test').where('to_address', 'not like', 'canary-%').executeTakeFirstOrThrow();
    expect(Number(sent.n)).toBe(BURST + 50);
    console.log('[sentinel]', JSON.stringify({ emails: mailsTo('burst').length + mailsTo('after').length, resends: mailsTo('burst').length + mailsTo('after').length - BURST - 50 }));
  }, 240_000);

  it('a master that hangs (SIGSTOP: its connections stay open, nothing resets them) is left on the sentinels\' word, not on a timeout', async () => {
    // The killed master comes back as a replica of the promoted one: a second failover has somewhere to go.
    const before = (await set.mastersNamed())[0]!;
    await set.restartAsReplica(before === 6400 ? 6401 : 6400);
    const reader = await t.user();
    expect(await list(reader)).toBe(200);
    const users = await seedUsers('frozen', 300);
    await notifyAll(users, 'Frozen');
    expect(await waitFor(async () => mailsTo('frozen').length >= 30, 60_000, 5)).toBe(true);

    const frozen = await set.freezeMaster();
    const frozenAt = Date.now();
    try {
      expect(await waitFor(() => set.failedOver(frozen), 30_000, 50)).toBe(true);
      const failoverMs = Date.now() - frozenAt;
      // Every client was connected to the frozen master; only +switch-master (ioredis's failover
      // detector) tells them to leave it. Everything below happens while it is still frozen.
      expect(await waitFor(async () => (await list(reader)) === 200, 20_000, 50)).toBe(true);
      const recoveredMs = Date.now() - frozenAt;
      const later = await seedUsers('unfrozen', 20);
      await notifyAll(later, 'Unfrozen');
      expect(await outboxDrained(t.app, 120_000)).toBe(true);
      for (const tag of ['frozen', 'unfrozen']) {
        const byRecipient = new Map<string, Set<string>>();
        for (const m of mailsTo(tag)) byRecipient.set(m.to[0]!, (byRecipient.get(m.to[0]!) ?? new Set()).add(m.messageId));
        expect(byRecipient.size, `${tag}: recipients emailed`).toBe(tag === 'frozen' ? 300 : 20);
        expect([...byRecipient.values()].filter((ids) => ids.size !== 1), `${tag}: recipients with several Message-IDs`).toEqual([]);
      }
      console.log('[sentinel frozen]', JSON.stringify({ failoverMs, recoveredMs, drainedMs: Date.now() - frozenAt }));
    } finally {
      set.thaw(frozen);
    }
  }, 240_000);
});

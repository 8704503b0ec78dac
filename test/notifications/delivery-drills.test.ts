import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailLogRepository } from '../../src/platform/email/email-log.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { notificationEmailKey } from '../../src/notifications/delivery.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { startEmbeddedRedis, type EmbeddedRedisHandle } from '../../src/platform/redis/embedded.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { REDIS_ENV } from '../helpers/env.js';
import { spawnHerald } from '../helpers/processes.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

const BURST = 2_000;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await new SmtpSink().start();
});
afterAll(() => sink.stop());

async function seedUsers(t: TestApp, tag: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    INSERT INTO users (email, role, password_hash, name)
    SELECT ${tag} || '-' || g || '@drill.test', 'VIEWER', 'x', 'Drill ' || g FROM generate_series(1, ${BURST}) g
    RETURNING id`.execute(t.app.database.db);
  return rows.rows.map((r) => r.id);
}

/**
 * What a burst left behind: each notification emailed (by its Message-ID), and every extra copy
 * accounted for by a claim that a crash left ambiguous (accepted by SMTP, not yet recorded).
 */
async function verifyBurst(t: TestApp, tag: string) {
  const mails = sink.received.filter((m) => m.to[0]!.startsWith(`${tag}-`));
  const distinct = new Set(mails.map((m) => m.messageId));
  const log = await t.app.database.db.selectFrom('email_log').select(['status', 'attempts']).where('to_address', 'like', `${tag}-%`).execute();
  const reclaimed = log.filter((r) => r.attempts > 1).length;
  const figures = { notifications: BURST, distinctDelivered: distinct.size, rawMessages: mails.length, duplicates: mails.length - distinct.size, reclaimedClaims: reclaimed };
  console.log(`[drill ${tag}]`, JSON.stringify(figures));
  expect(distinct.size).toBe(BURST);
  expect(log.filter((r) => r.status === 'sent')).toHaveLength(BURST);
  // A resend happens only for a claim re-taken after a crash or a flush, and at most for the
  // emails in flight in one process at that moment (SMTP_POOL_SIZE = 10).
  expect(figures.duplicates).toBeLessThanOrEqual(Math.min(reclaimed, 10));
  const byUser = new Map<string, Set<string>>();
  for (const m of mails) byUser.set(m.to[0]!, (byUser.get(m.to[0]!) ?? new Set()).add(m.messageId));
  expect([...byUser.values()].every((ids) => ids.size === 1)).toBe(true);
  return figures;
}

describe('delivery under faults', () => {
  it('a claim left by a crashed worker outlasting every retry: the job waits for its lease (no attempt used) and sends once', async () => {
    // Two attempts 100 ms apart would be spent long before a 3 s lease ends; the drill found 29 of
    // 20,000 emails lost this way (jobs failed for good, their claims left "sending").
    const t = await createTestApp({ SMTP_URL: sink.url, JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '100' }, { roles: ['api'] });
    let worker: Awaited<ReturnType<TestApp['sibling']>> | null = null;
    try {
      const me = await t.user('VIEWER');
      await t.app.services.notifications.create({ userIds: [me.user.id] }, { type: 'SYSTEM', title: 'Held', message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
      const { id } = await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', me.user.id).executeTakeFirstOrThrow();
      // What a worker killed between claim and completion leaves behind.
      const held = await new EmailLogRepository(t.app.database.db).claim({ key: notificationEmailKey(id), kind: 'notification', notificationId: id, userId: me.user.id, to: me.user.email, subject: 'Held', messageId: '<held@test>' }, randomUUID(), 3_000);
      expect(held).not.toBeNull();
      const claimedAt = Date.now();
      worker = await t.sibling({ roles: ['worker'] });
      expect(await outboxDrained(t.app, 30_000)).toBe(true);
      const outbox = await t.app.database.db.selectFrom('outbox').select(['failed_at']).execute();
      expect(outbox.every((r) => r.failed_at === null)).toBe(true);
      const log = await t.app.database.db.selectFrom('email_log').select(['status', 'attempts', 'sent_at']).where('key', '=', notificationEmailKey(id)).executeTakeFirstOrThrow();
      expect(log.status).toBe('sent');
      expect(log.sent_at!.getTime()).toBeGreaterThanOrEqual(claimedAt + 2_500);
      expect(sink.received.filter((m) => m.to[0] === me.user.email)).toHaveLength(1);
    } finally {
      await worker?.stop();
      await t.close();
    }
  }, 60_000);

  it('a worker killed with SIGKILL mid-burst: after a restart every email is delivered, once per notification', async () => {
    const t = await createTestApp({ SMTP_URL: sink.url }, { roles: ['api'] });
    const env = {
      DATABASE_URL: t.databaseUrl, ...REDIS_ENV, QUEUE_PREFIX: t.prefix,
      SMTP_URL: sink.url, JOB_LOCK_MS: '2000', EMAIL_LEASE_MS: '2000', OUTBOX_POLL_MS: '50',
    };
    let second: ReturnType<typeof spawnHerald> | null = null;
    try {
      const ids = await seedUsers(t, 'kill');
      const first = spawnHerald(['worker'], env);
      await t.app.services.notifications.create({ userIds: ids }, { type: 'SYSTEM', title: 'Burst', message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
      const midway = await waitFor(async () => sink.received.filter((m) => m.to[0]!.startsWith('kill-')).length >= BURST / 5, 60_000, 5);
      expect(midway, first.output()).toBe(true);
      first.child.kill('SIGKILL');
      await first.exited;
      const before = sink.received.filter((m) => m.to[0]!.startsWith('kill-')).length;
      expect(before).toBeLessThan(BURST);
      second = spawnHerald(['worker'], env);
      expect(await outboxDrained(t.app, 90_000), second.output()).toBe(true);
      await verifyBurst(t, 'kill');
    } finally {
      second?.child.kill('SIGTERM');
      await second?.exited;
      await t.close();
    }
  }, 150_000);

  it('Redis flushed mid-burst: the relay re-drives the lost jobs and every email is delivered, once per notification', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'herald-redis-'));
    const redis: EmbeddedRedisHandle = await startEmbeddedRedis(dir, createLogger('silent'));
    const t = await createTestApp({ SMTP_URL: sink.url, REDIS_URL: redis.url, JOB_LOCK_MS: '2000', EMAIL_LEASE_MS: '2000' });
    const admin = new Redis(redis.url);
    try {
      const ids = await seedUsers(t, 'flush');
      await t.app.services.notifications.create({ userIds: ids }, { type: 'SYSTEM', title: 'Burst', message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
      expect(await waitFor(async () => sink.received.filter((m) => m.to[0]!.startsWith('flush-')).length >= BURST / 5, 60_000, 5)).toBe(true);
      await admin.flushall();
      expect(await outboxDrained(t.app, 90_000)).toBe(true);
      await verifyBurst(t, 'flush');
    } finally {
      admin.disconnect();
      await t.close();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

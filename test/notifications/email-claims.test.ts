import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { notificationEmailKey } from '../../src/notifications/delivery.service.js';
import { EmailLogRepository, type EmailClaim } from '../../src/platform/email/email-log.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/** Issue 16, point 10: an email claim belongs to the attempt that took it. */

const claimOf = (key: string): EmailClaim => ({ key, kind: 'notification', notificationId: null, userId: null, to: 'a@test.local', subject: 's', messageId: `<${key}@test>` });

describe('email claims', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { roles: ['api'] });
  });
  afterAll(() => t.close());

  const rowOf = (key: string) => t.app.database.db.selectFrom('email_log').select(['status', 'claimed_until', 'attempts', 'error', 'transport', 'smtp_response']).where('key', '=', key).executeTakeFirstOrThrow();
  const expired = (key: string) => async () => (await sql<{ past: boolean }>`SELECT claimed_until < now() AS past FROM email_log WHERE key = ${key}`.execute(t.app.database.db)).rows[0]?.past === true;

  it('a stale attempt A cannot release B\'s live claim: a third attempt still finds it held', async () => {
    const repo = new EmailLogRepository(t.app.database.db);
    const key = `test:${randomUUID()}`;
    const a = randomUUID();
    const b = randomUUID();
    expect(await repo.claim(claimOf(key), a, 1_000)).not.toBeNull();
    // A stalls past its lease; B takes the email over.
    expect(await waitFor(expired(key), 5_000, 20)).toBe(true);
    expect(await repo.claim(claimOf(key), b, 60_000)).toMatchObject({ attempts: 2 });
    // A's SMTP hand-off fails for a moment: its release must not touch B's lease.
    expect(await repo.release(key, a, 'connection reset')).toBe(false);
    const row = await rowOf(key);
    expect(row.claimed_until!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(row.error).toBeNull();
    // The third attempt that would have sent the email again is refused.
    expect(await repo.claim(claimOf(key), randomUUID(), 60_000)).toBeNull();
    // Nor may A fail it for good or mark it sent; B's own completion counts.
    expect(await repo.fail(key, a, '550 no such user')).toBe(false);
    expect(await repo.complete(key, a, { status: 'sent', transport: 'smtp-1', smtpResponse: '250 stale' })).toBe(false);
    expect(await rowOf(key)).toMatchObject({ status: 'sending', attempts: 2 });
    expect(await repo.complete(key, b, { status: 'sent', transport: 'smtp-2', smtpResponse: '250 OK b' })).toBe(true);
    expect(await rowOf(key)).toMatchObject({ status: 'sent', transport: 'smtp-2', smtp_response: '250 OK b' });
  });

  it('a stale attempt A cannot complete B\'s claim before B has sent: B\'s outcome is the one recorded', async () => {
    const repo = new EmailLogRepository(t.app.database.db);
    const key = `test:${randomUUID()}`;
    const a = randomUUID();
    const b = randomUUID();
    expect(await repo.claim(claimOf(key), a, 1_000)).not.toBeNull();
    expect(await waitFor(expired(key), 5_000, 20)).toBe(true);
    expect(await repo.claim(claimOf(key), b, 60_000)).not.toBeNull();
    expect(await repo.complete(key, a, { status: 'captured', transport: 'captured', smtpResponse: null, html: '<p>stale</p>' })).toBe(false);
    // B's hand-off fails temporarily: B's release is honoured and the retry may take the claim.
    expect(await repo.release(key, b, 'timeout')).toBe(true);
    expect(await repo.claim(claimOf(key), randomUUID(), 60_000)).toMatchObject({ attempts: 3, status: 'sending' });
  });
});

describe('a slow SMTP server', () => {
  // Each message takes 1.5 s to be accepted, longer than the 1 s lease: only renewal keeps a claim.
  const sink = new SmtpSink({ delayMs: 1_500 });
  let t: TestApp;
  let other: App;
  beforeAll(async () => {
    await sink.start();
    const env = { SMTP_URL: sink.url, SMTP_POOL_SIZE: '1', EMAIL_LEASE_MS: '1000' };
    t = await createTestApp(env, { roles: ['api'] });
    other = await t.sibling({ roles: ['api'] });
  });
  afterAll(async () => {
    await other.stop();
    await t.close();
    await sink.stop();
  });

  it('two attempts of one delivery job (a stalled job re-run elsewhere) send every email once', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => t.user('VIEWER')));
    await t.app.services.notifications.create({ userIds: users.map((u) => u.user.id) }, { type: 'SYSTEM', title: 'Slow', message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
    const ids = (await t.app.database.db.selectFrom('notifications').select('id').where('user_id', 'in', users.map((u) => u.user.id)).execute()).map((r) => r.id);
    expect(ids).toHaveLength(4);
    const first = t.app.services.delivery.deliver(ids);
    // The second attempt starts once the server accepted the first message: the first attempt is
    // mid-batch, its other emails waiting for the one connection.
    expect(await waitFor(async () => sink.received.length >= 1, 20_000, 10)).toBe(true);
    const second = other.services.delivery.deliver(ids);
    // Each attempt sends what it claimed; what the other holds makes it defer (no retry used).
    const results = await Promise.allSettled([first, second]);
    const emailed = results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value.emailed : 0), 0);
    expect(emailed).toBeLessThanOrEqual(4);
    const log = await t.app.database.db.selectFrom('email_log').select(['key', 'status', 'attempts', 'transport', 'smtp_response']).where('key', 'in', ids.map(notificationEmailKey)).execute();
    expect(log.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    // Which server took each, and its answer (smtp-server's "250 OK: message queued").
    expect(log.every((r) => r.transport === 'smtp-1' && /^250 /.test(r.smtp_response ?? ''))).toBe(true);
    // At the sink: one message per notification, each recipient once.
    const messageIds = sink.received.map((m) => m.messageId);
    expect(new Set(messageIds).size).toBe(4);
    expect(messageIds).toHaveLength(4);
    expect(sink.received.map((m) => m.to[0]).sort()).toEqual(users.map((u) => u.user.email).sort());
    expect(log.every((r) => r.attempts === 1)).toBe(true);
  }, 60_000);
});

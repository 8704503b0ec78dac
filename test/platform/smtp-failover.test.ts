import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

/**
 * Issue 18: SMTP failover through the whole delivery path (outbox → jobs → claims → two real SMTP
 * sinks): what email_log records, what the admin health and /metrics show, and the outage cases.
 */

let primary: SmtpSink;
let secondary: SmtpSink;
let t: TestApp;
let admin: Session;
let batch = 0;

beforeAll(async () => {
  primary = await new SmtpSink().start();
  secondary = await new SmtpSink().start();
  t = await createTestApp({
    SMTP_URL: `${primary.url}, ${secondary.url}`, SMTP_COOLDOWN_MS: '400', SMTP_COOLDOWN_MAX_MS: '800', SMTP_TIMEOUT_MS: '1000',
    WORKER_HEARTBEAT_MS: '200', JOB_BACKOFF_MS: '200', METRICS_TOKEN: 'm'.repeat(16),
  });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await primary.stop();
  await secondary.stop();
});

async function burst(count: number, domain = 'mail.test') {
  const tag = `b${++batch}-${Date.now()}`;
  const users = await sql<{ id: string; email: string }>`
    INSERT INTO users (email, role, password_hash, name)
    SELECT ${tag} || '-' || g || '@' || ${domain}, 'VIEWER', 'x', 'Failover ' || g FROM generate_series(1, ${count}) g
    RETURNING id, email`.execute(t.app.database.db);
  await t.app.services.notifications.create({ userIds: users.rows.map((u) => u.id) }, { type: 'SYSTEM', title: `Failover ${tag}`, message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
  return { tag, emails: users.rows.map((u) => u.email) };
}

const logOf = (tag: string) => t.app.database.db.selectFrom('email_log').select(['status', 'transport', 'smtp_response', 'message_id', 'error']).where('to_address', 'like', `${tag}-%`).execute();
const delivered = (tag: string) => [...primary.received, ...secondary.received].filter((m) => m.to[0]!.startsWith(`${tag}-`));
const emailHealth = async () => (await t.call('GET', '/api/admin/jobs/health', { as: admin })).body.data.email;
/** Sends one email at a time until one goes through smtp-1 again (its breaker's trial after the cool-down). */
const primaryBack = () => waitFor(async () => {
  const { tag } = await burst(1);
  expect(await outboxDrained(t.app, 10_000)).toBe(true);
  return (await logOf(tag))[0]?.transport === 'smtp-1';
}, 15_000, 100);

describe('SMTP failover in delivery', () => {
  it('primary refusing connections: every email goes through smtp-2, recorded as such, shown in health and metrics', async () => {
    await primary.stop();
    const { tag } = await burst(20);
    expect(await outboxDrained(t.app, 30_000)).toBe(true);
    const log = await logOf(tag);
    expect(log).toHaveLength(20);
    expect(log.every((r) => r.status === 'sent' && r.transport === 'smtp-2' && /^250 /.test(r.smtp_response ?? ''))).toBe(true);
    expect(delivered(tag)).toHaveLength(20);
    expect(new Set(delivered(tag).map((m) => m.messageId))).toEqual(new Set(log.map((r) => r.message_id)));
    // Health reads the breakers the worker publishes with its heartbeat.
    expect(await waitFor(async () => (await emailHealth()).transports?.[0]?.trips >= 1, 5_000, 50)).toBe(true);
    const email = await emailHealth();
    expect(email.transports.map((tr: { name: string; address: string }) => [tr.name, tr.address])).toEqual([['smtp-1', `127.0.0.1:${primary.port}`], ['smtp-2', `127.0.0.1:${secondary.port}`]]);
    expect(email.transports[0].lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(email.transports[1]).toMatchObject({ state: 'closed', workers: 1 });
    expect(email.transports[1].sent).toBeGreaterThanOrEqual(20);
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${'m'.repeat(16)}` } })).text();
    expect(metrics).toMatch(/herald_emails_total\{kind="notification",outcome="sent",transport="smtp-2"\} \d+/);
    expect(metrics).toMatch(/herald_smtp_breaker_trips_total\{transport="smtp-1"\} [1-9]/);
    expect(metrics).toMatch(/herald_smtp_transport_open\{transport="smtp-1"\} [01]/);
    // Back up: after the cool-down a trial goes to smtp-1 and, accepted, closes its breaker.
    await primary.start();
    expect(await primaryBack()).toBe(true);
    expect(await waitFor(async () => (await emailHealth()).transports[0].state === 'closed', 5_000, 50)).toBe(true);
  }, 60_000);

  it('both down: jobs wait and retry, nothing is lost, and every email goes out once when smtp-2 returns', async () => {
    await primary.stop();
    await secondary.stop();
    const { tag } = await burst(30);
    // Each email met the outage: tried, released with the error, none sent.
    expect(await waitFor(async () => {
      const rows = await logOf(tag);
      return rows.length === 30 && rows.every((r) => r.error !== null && r.status === 'sending');
    }, 30_000, 50)).toBe(true);
    expect(await waitFor(async () => (await emailHealth()).problems.some((p: string) => p.includes('every SMTP transport is open')), 5_000, 50)).toBe(true);
    await secondary.start();
    expect(await outboxDrained(t.app, 60_000)).toBe(true);
    const log = await logOf(tag);
    expect(log.every((r) => r.status === 'sent' && r.transport === 'smtp-2')).toBe(true);
    const mails = delivered(tag);
    expect(mails).toHaveLength(30);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(30);
    await primary.start();
  }, 90_000);

  it('THE DRILL: the primary goes down mid-burst of 500; every email is delivered exactly once across both sinks', async () => {
    expect(await primaryBack()).toBe(true);
    const before = { p: primary.received.length, s: secondary.received.length };
    const { tag } = await burst(500);
    // Cut the primary once it has taken a fifth of the burst (the rest is in flight or queued).
    expect(await waitFor(async () => primary.received.length - before.p >= 100, 60_000, 5)).toBe(true);
    await primary.stop();
    expect(await outboxDrained(t.app, 120_000)).toBe(true);
    const mails = delivered(tag);
    const ids = mails.map((m) => m.messageId);
    const log = await logOf(tag);
    const viaPrimary = primary.received.slice(before.p).filter((m) => m.to[0]!.startsWith(`${tag}-`)).length;
    const figures = { emails: 500, delivered: new Set(ids).size, raw: ids.length, viaPrimary, viaSecondary: ids.length - viaPrimary };
    console.log('[smtp failover drill]', JSON.stringify(figures));
    expect(new Set(ids).size).toBe(500);
    expect(ids).toHaveLength(500);
    expect(log.filter((r) => r.status === 'sent')).toHaveLength(500);
    // email_log agrees with the sinks on who took each one.
    expect(log.filter((r) => r.transport === 'smtp-1')).toHaveLength(viaPrimary);
    expect(log.filter((r) => r.transport === 'smtp-2')).toHaveLength(500 - viaPrimary);
    expect(viaPrimary).toBeGreaterThanOrEqual(100);
    expect(viaPrimary).toBeLessThan(500);
    await primary.start();
  }, 180_000);
  // Last: its job fails for good, which outboxDrained() reports as an error from then on.
  it('a 550 from the primary fails the email for good without trying smtp-2 or opening the breaker', async () => {
    expect(await primaryBack()).toBe(true);
    const { tag } = await burst(1, 'reject.test');
    // The job fails for good too ("permanently refused"): wait for the row, not a drained outbox.
    expect(await waitFor(async () => (await logOf(tag))[0]?.status === 'failed', 20_000, 50)).toBe(true);
    const [row] = await logOf(tag);
    expect(row!.error).toMatch(/550|No such user/);
    expect(delivered(tag)).toHaveLength(0);
    expect(primary.offered.filter((a) => a.startsWith(`${tag}-`))).toHaveLength(1);
    expect(secondary.offered.filter((a) => a.startsWith(`${tag}-`))).toHaveLength(0);
    // The heartbeat after the refusal still shows smtp-1 closed (a trip would hold it open: no mail follows).
    const at = Date.now();
    expect(await waitFor(async () => {
      const tr = (await emailHealth()).transports[0];
      return tr.state === 'closed' && tr.consecutiveFailures === 0 && Date.now() - at > 400;
    }, 5_000, 50)).toBe(true);
  }, 30_000);
});

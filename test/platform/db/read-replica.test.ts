import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, periodStartOf } from '../../../src/analytics/analytics.periods.js';
import { createTestApp, type Session, type TestApp } from '../../helpers/context.js';
import { startReplicaPair, type ReplicaPair } from '../../helpers/replica.js';
import { outboxDrained } from '../../helpers/wait.js';

/**
 * DATABASE_READ_URL against a real streaming replica: a private primary (5433) and a
 * pg_basebackup of it (5434), nothing on the machine's own server. Replay paused on the replica
 * is lag we control: what a read shows then says which server answered it.
 */
let pair: ReplicaPair;
/** Tolerates an hour of lag: its lag-tolerant reads stay on the replica while replay is paused. */
let t: TestApp;
/** DATABASE_READ_MAX_LAG_MS=200: the same reads move to the primary once the replica falls behind. */
let strict: TestApp;
let admin: Session;
let strictAdmin: Session;
let brand: Session;

const YESTERDAY = periodStartOf('daily', new Date(Date.now() - DAY_MS));
const HOUR = new Date(YESTERDAY.getTime() + 10 * HOUR_MS);
const day = YESTERDAY.toISOString().slice(0, 10);

beforeAll(async () => {
  pair = await startReplicaPair();
  const env = (maxLagMs: string) => ({
    DATABASE_URL: pair.primaryUrl, DATABASE_READ_URL: pair.replicaUrl, DATABASE_READ_MAX_LAG_MS: maxLagMs, RATE_LIMITS: 'off',
    // The pgbouncer group's direct URL names the shared server; this app's database is the private primary.
    DATABASE_DIRECT_URL: '',
  });
  // The app migrates the private primary as it starts; the replica follows by streaming.
  t = await createTestApp(env('3600000'));
  strict = await createTestApp(env('200'), { roles: ['api'] });
  [admin, strictAdmin, brand] = await Promise.all([t.admin(), strict.admin(), t.user('BRAND')]);
  expect((await t.call('POST', '/api/brands', { as: brand, body: { companyName: 'Acme' } })).status).toBe(201);
  await pair.caughtUp();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await strict?.close();
  await pair?.stop();
});

/**
 * One write to what each lag-tolerant endpoint lists: an audited queue operation, a captured
 * email, a project (indexed for search by its job), an analytics event and its hourly rollup run.
 */
async function write(mark: string): Promise<void> {
  expect((await t.call('POST', '/api/admin/jobs/queues/blog-publish/promote', { as: admin })).status).toBe(200);
  await t.app.services.email.sendOnce({
    key: `replica-${mark}`, kind: 'notification', notificationId: null, userId: null, to: 'someone@test.local', subject: `Replica ${mark}`, html: '<p>x</p>', text: 'x', headers: {},
  });
  expect((await t.call('POST', '/api/projects', { as: brand, body: { title: `${mark} campaign` } })).status).toBe(201);
  await t.app.services.analytics.ingest.ingest({
    events: [{ eventType: 'asset_viewed', occurredAt: new Date(HOUR.getTime() + 60_000).toISOString(), assetId: randomUUID(), sessionId: mark }],
  }, { kind: 'key' }, { userAgent: null, ip: null });
  await t.app.services.analytics.aggregation.run({ type: 'hourly', start: HOUR, trigger: 'manual' });
  expect(await outboxDrained(t.app)).toBe(true);
}

/** What the lag-tolerant endpoints show; every one must answer 200, whichever server serves it. */
async function reads(app: TestApp, as: Session, mark: string) {
  const get = async (path: string) => {
    const res = await app.call('GET', path, { as });
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const [audit, emails, runs, search, report] = await Promise.all([
    get('/api/admin/jobs/audit'),
    get('/api/admin/emails?pageSize=100'),
    // The test's own hour only: a scheduled rollup (the hour just ended) may run meanwhile.
    get(`/api/admin/jobs/aggregation/logs?jobType=hourly&startDate=${HOUR.toISOString()}&endDate=${new Date(HOUR.getTime() + HOUR_MS).toISOString()}`),
    get(`/api/search/unified?q=${mark}`),
    get(`/api/analytics/platform/overview?startDate=${day}&endDate=${day}&granularity=day`),
  ]);
  return {
    audit: audit.pagination.total as number,
    emails: emails.data.filter((e: { subject: string }) => e.subject === `Replica ${mark}`).length,
    // This test's own (manual) runs: the event it writes into that hour flags it late, and the late
    // pass (the hourly schedule's, when the test crosses the hour) re-runs it as a 'late' run.
    rollupRuns: runs.data.filter((r: { metadata?: { trigger?: string } }) => r.metadata?.trigger === 'manual').length,
    searchHits: search.data.pagination.total as number,
    views: report.data.totals.views as number,
  };
}

type Reads = Awaited<ReturnType<typeof reads>>;
const afterWrite = (before: Reads): Reads => ({ audit: before.audit + 1, emails: 1, rollupRuns: before.rollupRuns + 1, searchHits: 1, views: before.views + 1 });

const replicaHealth = async (app: TestApp, as: Session) => (await app.call('GET', '/api/admin/jobs/health', { as })).body.data.postgresReplica;

async function metric(app: TestApp, line: string): Promise<number> {
  const text = (await app.call('GET', '/metrics')).body as string;
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe('DATABASE_READ_URL with a streaming replica', () => {
  it('serves analytics, search and the admin lists from the replica: they lag while replay is paused, and catch up', async () => {
    await pair.caughtUp();
    const before = await reads(t, admin, 'Cobalt');
    const servedBefore = await metric(t, 'herald_db_replica_reads_total');
    await pair.pauseReplay();
    try {
      await write('Cobalt');
      // The primary has every write; the replica has none, and that is what these endpoints show.
      expect(await reads(t, admin, 'Cobalt')).toEqual(before);
      expect(await metric(t, 'herald_db_replica_reads_total')).toBeGreaterThan(servedBefore);
      expect(await replicaHealth(t, admin)).toMatchObject({ healthy: true, reachable: true });
      // Past DATABASE_READ_MAX_LAG_MS the same reads come from the primary, and health says why.
      await expect.poll(() => reads(strict, strictAdmin, 'Cobalt')).toEqual(afterWrite(before));
      const health = await replicaHealth(strict, strictAdmin);
      expect(health).toMatchObject({ healthy: false, reachable: true, maxLagMs: 200 });
      expect(health.lagMs).toBeGreaterThan(200);
      expect(await metric(strict, 'herald_db_replica_fallbacks_total{reason="lag"}')).toBeGreaterThan(0);
    } finally {
      await pair.resumeReplay();
    }
    await expect.poll(() => reads(t, admin, 'Cobalt')).toEqual(afterWrite(before));
    await expect.poll(async () => (await replicaHealth(strict, strictAdmin)).healthy).toBe(true);
  });

  it('never reads the inbox, its counts or a session from the replica: a user sees their own writes at once', async () => {
    await pair.pauseReplay();
    try {
      // Created and signed in while the replica cannot have them: the session lookup is on the primary.
      const viewer = await t.user('VIEWER');
      const notify = await t.call('POST', '/api/admin/notifications', { as: admin, body: { userIds: [viewer.user.id], type: 'SYSTEM', title: 'Fresh', message: 'm' } });
      expect(notify.status).toBe(202);
      const inbox = await t.call('GET', '/api/notifications', { as: viewer });
      expect(inbox.body.data.map((n: { title: string; read: boolean }) => [n.title, n.read])).toEqual([['Fresh', false]]);
      expect((await t.call('GET', '/api/notifications/unread-count', { as: viewer })).body.data).toMatchObject({ count: 1 });
      expect((await t.call('POST', `/api/notifications/${inbox.body.data[0].id}/read`, { as: viewer })).status).toBe(200);
      expect((await t.call('GET', '/api/notifications/unread-count', { as: viewer })).body.data).toMatchObject({ count: 0 });
      expect((await t.call('GET', '/api/notifications', { as: viewer })).body.data.map((n: { read: boolean }) => n.read)).toEqual([true]);
    } finally {
      await pair.resumeReplay();
    }
  });

  it('falls back to the primary while the replica is down (no 500), and returns to it once it is back', async () => {
    await pair.caughtUp();
    const before = await reads(t, admin, 'Saffron');
    await pair.stopReplica();
    await write('Saffron');
    // At once: the first reads may still try the replica (the monitor checks once a second).
    expect(await reads(t, admin, 'Saffron')).toEqual(afterWrite(before));
    await expect.poll(() => replicaHealth(t, admin)).toMatchObject({ healthy: false, reachable: false, lagMs: null });
    expect(await reads(t, admin, 'Saffron')).toEqual(afterWrite(before));
    expect(await metric(t, 'herald_db_replica_fallbacks_total{reason="down"}')).toBeGreaterThan(0);

    await pair.startReplica();
    await pair.caughtUp();
    await expect.poll(() => replicaHealth(t, admin)).toMatchObject({ healthy: true, reachable: true });
    const back = await reads(t, admin, 'Umber');
    await pair.pauseReplay();
    try {
      await write('Umber');
      expect(await reads(t, admin, 'Umber')).toEqual(back);
    } finally {
      await pair.resumeReplay();
    }
    await expect.poll(() => reads(t, admin, 'Umber')).toEqual(afterWrite(back));
  });
});

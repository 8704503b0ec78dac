import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, periodStartOf } from '../../src/analytics/analytics.periods.js';
import { waitFor } from '../../src/platform/net.js';
import { created, withBrand, withCreator } from '../catalog/helpers.js';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { rollupFigures } from './helpers.js';

/** Analytics figures cannot be forged: each test is the attack a signed-in user could make. */

const KEY = 'analytics-key-for-tests-0123456789';
const CAP = 1_000;
let t: TestApp;
/** The per-user event quota's hourly windows (and the per-minute ingest limit) follow it. */
const clock = createClock();
let attacker: Session;
let victimBrand: string;
let ownBrand: string;
let creatorId: string;
let published: string;
let hidden: string;
let otherPublished: string;
let ownBrandSession: Session;

beforeAll(async () => {
  t = await createTestApp({ ANALYTICS_KEY: KEY, ANALYTICS_USER_EVENTS_PER_HOUR: String(CAP) }, { now: clock.now });
  attacker = await t.user('CREATOR');
  const [victim, own, creator, other] = await Promise.all([withBrand(t), withBrand(t), withCreator(t), withCreator(t)]);
  [victimBrand, ownBrand, creatorId] = [victim.brandId, own.brandId, creator.creatorId];
  const project = await created(t, '/api/projects', own.session, { title: 'Spring campaign', status: 'ACTIVE' });
  published = (await created(t, '/api/assets', creator.session, { title: 'Lights', type: 'IMAGE', status: 'PUBLISHED', projectId: project.id })).id;
  hidden = (await created(t, '/api/assets', other.session, { title: 'Unreleased', type: 'IMAGE' })).id;
  otherPublished = (await created(t, '/api/assets', other.session, { title: 'Elsewhere', type: 'IMAGE', status: 'PUBLISHED' })).id;
  ownBrandSession = own.session;
});
afterAll(() => t.close());

const db = () => t.app.database.db;
const send = (events: unknown[], as: Session | null = attacker) =>
  t.call('POST', '/api/analytics/events', { as: as ?? undefined, body: { events }, headers: as ? {} : { 'x-analytics-key': KEY } });
const brandRows = async (brandId: string) => Number((await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll<number>().as('n')).where('brand_id', '=', brandId).executeTakeFirstOrThrow()).n);

describe('a user cannot change someone else\'s figures', () => {
  it('forged conversions with another brand\'s id and negative revenue are refused; the brand\'s figures do not move', async () => {
    const hour = new Date(periodStartOf('hourly', new Date()).getTime() - 2 * HOUR_MS);
    const at = new Date(hour.getTime() + 60_000).toISOString();
    const forged = (props: object) => Array.from({ length: 500 }, () => ({ eventType: 'license_created', occurredAt: at, brandId: victimBrand, props }));

    const negative = await send(forged({ revenueCents: -1e12 }));
    expect(negative.status).toBe(400);
    expect(negative.body.details[0]).toMatchObject({ path: ['events', 0, 'props', 'revenueCents'] });
    const conversion = await send(forged({ revenueCents: 100 }));
    expect(conversion.status).toBe(403);
    expect(conversion.body).toMatchObject({ success: false, error: 'Forbidden: conversion and revenue events come only from server-side producers' });
    // Revenue on an interaction is revenue all the same.
    expect((await send([{ eventType: 'asset_viewed', occurredAt: at, props: { revenueCents: 5 } }])).status).toBe(403);
    // An entity the sender cannot see (another creator's draft) is a 400 naming it.
    const unseen = await send([{ eventType: 'asset_viewed', occurredAt: at, assetId: hidden }]);
    expect(unseen.status).toBe(400);
    expect(unseen.body.details).toEqual([expect.objectContaining({ path: ['events', 0, 'assetId'], message: 'not found' })]);
    // A view of a visible asset is taken, but attributed as the catalog says, not as the body claims.
    const view = await send([{ eventType: 'asset_viewed', occurredAt: at, assetId: published, brandId: victimBrand, creatorId: victimBrand }]);
    expect(view.status).toBe(202);
    const row = await db().selectFrom('analytics_events').select(['brand_id', 'creator_id', 'project_id']).where('asset_id', '=', published).executeTakeFirstOrThrow();
    expect(row.brand_id).toBe(ownBrand);
    expect(row.creator_id).toBe(creatorId);
    expect(row.project_id).toEqual(expect.any(String));
    // Entities that do not belong together: a license the brand holds, with another creator's asset.
    const license = await created(t, '/api/licenses', ownBrandSession, { assetId: published, startsAt: new Date(Date.now() + 86_400_000).toISOString() });
    const chained = await send([{ eventType: 'asset_viewed', occurredAt: at, licenseId: license.id, assetId: otherPublished }], ownBrandSession);
    expect(chained.status).toBe(400);
    expect(chained.body.details).toEqual([expect.objectContaining({ path: ['events', 0, 'assetId'], message: 'does not match the license' })]);
    expect((await send([{ eventType: 'asset_viewed', occurredAt: at, licenseId: license.id, assetId: published }], ownBrandSession)).status).toBe(202);
    // Server-side producers are bounded too: no negative revenue, nothing absurd.
    expect((await send([{ eventType: 'license_created', occurredAt: at, brandId: victimBrand, props: { revenueCents: -1 } }], null)).status).toBe(400);
    expect((await send([{ eventType: 'license_created', occurredAt: at, brandId: victimBrand, props: { revenueCents: 1e12 } }], null)).status).toBe(400);

    await t.app.services.analytics.aggregation.run({ type: 'hourly', start: hour, trigger: 'manual' });
    expect(await brandRows(victimBrand)).toBe(0);
    expect((await rollupFigures(t.app, 'hourly', 'brand', hour)).map((f) => f.dimension_id)).toEqual([ownBrand]);
  });
});

describe('a user cannot flood the aggregation queue', () => {
  it('500 events at 500 distinct rolled-up past hours ask for one late pass, not a job per period', async () => {
    const now = periodStartOf('hourly', new Date());
    const hours = Array.from({ length: 500 }, (_, i) => new Date(now.getTime() - (i + 3) * HOUR_MS));
    // Those hours were rolled up already: every event is late.
    await sql`INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at, completed_at)
      SELECT 'hourly', h, h + interval '1 hour', now(), now() FROM unnest(${hours.map((h) => h.toISOString())}::timestamptz[]) h`.execute(db());
    const flooder = await t.user('VIEWER');
    const queue = t.app.queues.get('analytics-aggregation');
    await queue.pause();
    try {
      const jobs = async () => Object.values(await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active')).reduce((a, b) => a + b, 0);
      const before = await jobs();
      const rowsBefore = await aggregationRows();
      for (let round = 0; round < 2; round++) {
        const res = await send(hours.map((h, i) => ({ eventType: 'asset_viewed', occurredAt: new Date(h.getTime() + 60_000).toISOString(), assetId: published, sessionId: `f-${round}-${i}` })), flooder);
        expect(res.status).toBe(202);
      }
      expect(await aggregationRows() - rowsBefore).toBeLessThanOrEqual(1);
      const flagged = await db().selectFrom('analytics_rollup_periods').select('period_start').where('rerun_requested_at', 'is not', null).execute();
      expect(flagged.length).toBeGreaterThanOrEqual(500);
      // Relayed into BullMQ: one waiting job, whatever the number of periods and requests.
      expect(await waitFor(async () => (await db().selectFrom('outbox').select('id').where('queue', '=', 'analytics-aggregation').where('relayed_at', 'is', null).execute()).length === 0, 10_000)).toBe(true);
      expect(await jobs() - before).toBe(1);
    } finally {
      // The pass would re-run 500 empty hours; this test is about the queue, so it finds nothing to do.
      await db().updateTable('analytics_rollup_periods').set({ rerun_requested_at: null }).execute();
      await queue.resume();
    }
  });

  async function aggregationRows(): Promise<number> {
    return (await db().selectFrom('outbox').select('id').where('queue', '=', 'analytics-aggregation').execute()).length;
  }
});

describe('per-user ingestion limits', () => {
  it(`parallel requests cannot pass ANALYTICS_USER_EVENTS_PER_HOUR (${CAP}): those that fit are taken, the rest get 429 and store nothing`, async () => {
    const user = await t.user('VIEWER');
    // Windows are fixed hours: the burst starts at the first millisecond of one, and no hour ends under it.
    clock.nextWindow(HOUR_MS);
    const batch = Array.from({ length: 200 }, (_, i) => ({ eventType: 'asset_viewed', assetId: published, sessionId: `cap-${i}` }));
    const results = await Promise.all(Array.from({ length: 8 }, () => send(batch, user)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(5).fill(202), ...Array(3).fill(429)]);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body).toEqual({ success: false, error: 'Too many requests. Please try again later.' });
    const reset = clock.now() / 1000 + 3600;
    expect([refused.headers.get('retry-after'), refused.headers.get('x-ratelimit-limit'), refused.headers.get('x-ratelimit-reset')]).toEqual(['3600', String(CAP), String(reset)]);
    const stored = async () => Number((await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.user.id).executeTakeFirstOrThrow()).n);
    expect(await stored()).toBe(CAP);
    // Full until the hour ends: one event in its last millisecond is refused, the next hour takes it.
    clock.advance(HOUR_MS - 1);
    const late = await send(batch.slice(0, 1), user);
    expect([late.status, late.headers.get('retry-after')]).toEqual([429, '1']);
    clock.advance(1);
    expect((await send(batch.slice(0, 1), user)).status).toBe(202);
    expect(await stored()).toBe(CAP + 1);
    // Server-side producers are not capped per user.
    expect((await send(batch, null)).status).toBe(202);
  });
});

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, periodEndOf, periodsOverlapping, periodStartOf, type PeriodType } from '../../src/analytics/analytics.periods.js';
import { KNOWN_EVENT_TYPES } from '../../src/analytics/analytics.schemas.js';
import type { Producer } from '../../src/analytics/ingest.service.js';
import { LEVELS } from '../../src/analytics/rollup.repository.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { directFigures, resetAnalytics, rollupFigures } from './helpers.js';

let t: TestApp;
let producers: Producer[];

beforeAll(async () => {
  // No workers or scheduler: nothing runs but what the test runs.
  t = await createTestApp({}, { roles: ['api'] });
  // Admins: trusted senders (any type, revenue and attribution), as the property is about the arithmetic, not authority.
  const users = await Promise.all([1, 2, 3].map(() => t.user('ADMIN')));
  producers = [...users.map((u) => ({ kind: 'user' as const, userId: u.user.id, role: 'ADMIN' as const })), { kind: 'key' }];
});
afterAll(async () => {
  await t.close();
});

const NOW = new Date();
// An ISO week that ended at least two weeks ago (well inside the 90 days events may be late).
const WEEK = periodStartOf('weekly', new Date(NOW.getTime() - 21 * DAY_MS));
const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const POOLS = { asset: ids(3), project: ids(2), license: ids(2), brand: ids(2), creator: ids(2) };

interface GenEvent {
  day: number; hour: number; offsetMs: number; eventType: string; sessionId: string | undefined; producer: number;
  assetId: string | undefined; projectId: string | undefined; licenseId: string | undefined; brandId: string | undefined; creatorId: string | undefined;
  revenueCents: number | undefined; engagementTime: number | undefined;
}

const pick = <T>(values: readonly T[]) => fc.option(fc.constantFrom(...values), { nil: undefined, freq: 3 });
const eventArb: fc.Arbitrary<GenEvent> = fc.record({
  // Days -1 and 7 lie just outside the week: its boundaries are part of what is checked.
  day: fc.integer({ min: -1, max: 7 }),
  hour: fc.constantFrom(0, 1, 23),
  offsetMs: fc.oneof(fc.constant(0), fc.constant(HOUR_MS - 1), fc.integer({ min: 0, max: HOUR_MS - 1 })),
  eventType: fc.constantFrom(...KNOWN_EVENT_TYPES, 'share_clicked'),
  assetId: pick(POOLS.asset), projectId: pick(POOLS.project), licenseId: pick(POOLS.license), brandId: pick(POOLS.brand), creatorId: pick(POOLS.creator),
  sessionId: pick(['s1', 's2', 's3', 's4']),
  producer: fc.integer({ min: 0, max: 3 }),
  revenueCents: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
  engagementTime: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
});

const at = (e: GenEvent) => new Date(WEEK.getTime() + e.day * DAY_MS + e.hour * HOUR_MS + e.offsetMs);

async function ingest(events: readonly GenEvent[]): Promise<void> {
  for (const [index, producer] of producers.entries()) {
    const mine = events.filter((e) => e.producer === index);
    if (mine.length === 0) continue;
    const body = {
      events: mine.map((e) => ({
        eventType: e.eventType, occurredAt: at(e).toISOString(), assetId: e.assetId, projectId: e.projectId, licenseId: e.licenseId,
        brandId: e.brandId, creatorId: e.creatorId, sessionId: e.sessionId,
        props: { ...(e.revenueCents === undefined ? {} : { revenueCents: e.revenueCents }), ...(e.engagementTime === undefined ? {} : { engagementTime: e.engagementTime }), note: 'x' },
      })),
    };
    await t.app.services.analytics.ingest.ingest(body, producer, { userAgent: null, ip: null }, NOW);
  }
}

/** Every period the property checks: the hours with events (and one without), each day, the week, its months. */
function periodsToCheck(events: readonly GenEvent[]): Array<{ type: PeriodType; start: Date }> {
  const hours = new Set(events.map((e) => periodStartOf('hourly', at(e)).getTime()));
  hours.add(WEEK.getTime() + 5 * HOUR_MS);
  const from = new Date(WEEK.getTime() - DAY_MS);
  const to = new Date(WEEK.getTime() + 8 * DAY_MS);
  return [
    ...[...hours].sort().map((h) => ({ type: 'hourly' as const, start: new Date(h) })),
    ...periodsOverlapping('daily', from, to).map((start) => ({ type: 'daily' as const, start })),
    { type: 'weekly', start: WEEK },
    ...periodsOverlapping('monthly', from, to).map((start) => ({ type: 'monthly' as const, start })),
  ];
}

describe('rollups equal a direct query over the raw events', () => {
  it('at every level and period type, for random event sets, and again after more events arrive and some go (property)', async () => {
    const check = async (events: readonly GenEvent[]) => {
      for (const period of periodsToCheck(events)) {
        const result = await t.app.services.analytics.aggregation.run({ ...period, trigger: 'manual' }, NOW);
        expect(result.status).toBe('COMPLETED');
        const to = periodEndOf(period.type, period.start);
        for (const level of LEVELS) {
          const expected = await directFigures(t.app, level, period.start, to);
          expect(await rollupFigures(t.app, period.type, level, period.start), `${period.type} ${period.start.toISOString()} ${level}`).toEqual(expected);
          if (level === 'platform') expect(result.recordsProcessed).toBe(expected[0]?.events ?? 0);
        }
      }
    };
    await fc.assert(fc.asyncProperty(fc.array(eventArb, { maxLength: 60 }), fc.array(eventArb, { maxLength: 30 }), fc.integer({ min: 2, max: 5 }), async (first, more, every) => {
      await resetAnalytics(t.app);
      await ingest(first);
      await check(first);
      // Late events change figures in place; removed events (as retention would) remove rows.
      await ingest(more);
      await sql`DELETE FROM analytics_events WHERE id % ${every} = 0`.execute(t.app.database.db);
      await check([...first, ...more]);
    }), { numRuns: 12, endOnFailure: true });
  }, 120_000); // 12 runs × 7 rollups: ~10 s alone, over 30 s beside the rest of the suite on 2 cores

  it('counts a week\'s visitors once each, however many days they came back', async () => {
    await resetAnalytics(t.app);
    const visit = (session: string | undefined, day: number, producer = 3): GenEvent => ({ day, hour: 1, offsetMs: 0, eventType: 'asset_viewed', assetId: POOLS.asset[0], projectId: undefined, licenseId: undefined, brandId: undefined, creatorId: undefined, sessionId: session, producer, revenueCents: undefined, engagementTime: undefined });
    await ingest([
      visit('A', 0), visit('A', 1), visit('A', 2), visit('A', 2),
      visit('B', 0), visit('B', 6),
      visit('C', 5),
      visit(undefined, 3, 0), visit(undefined, 4, 0), // a signed-in user without a session, twice
    ]);
    for (let day = 0; day < 7; day++) await t.app.services.analytics.aggregation.run({ type: 'daily', start: new Date(WEEK.getTime() + day * DAY_MS), trigger: 'manual' }, NOW);
    await t.app.services.analytics.aggregation.run({ type: 'weekly', start: WEEK, trigger: 'manual' }, NOW);
    const daily = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(async (day) => (await rollupFigures(t.app, 'daily', 'asset', new Date(WEEK.getTime() + day * DAY_MS)))[0]?.unique_visitors ?? 0));
    expect(daily).toEqual([2, 1, 1, 1, 1, 1, 1]);
    const [weekly] = await rollupFigures(t.app, 'weekly', 'asset', WEEK);
    expect(weekly!.unique_visitors).toBe(4); // A, B, C and the user: not the 8 the days add up to
    expect(weekly!.views).toBe(9);
  });

  it('changes nothing when a period is run again', async () => {
    await resetAnalytics(t.app);
    await ingest([{ day: 2, hour: 1, offsetMs: 10, eventType: 'license_created', assetId: POOLS.asset[1], projectId: POOLS.project[0], licenseId: undefined, brandId: POOLS.brand[0], creatorId: undefined, sessionId: 's1', producer: 0, revenueCents: 1200, engagementTime: 30 }]);
    const day = new Date(WEEK.getTime() + 2 * DAY_MS);
    const first = await t.app.services.analytics.aggregation.run({ type: 'daily', start: day, trigger: 'manual' }, NOW);
    expect(first).toMatchObject({ status: 'COMPLETED', recordsProcessed: 1, recordsCreated: 4, recordsUpdated: 0 });
    const rowsBefore = await t.app.database.db.selectFrom('analytics_rollups').selectAll().orderBy('level').execute();
    const second = await t.app.services.analytics.aggregation.run({ type: 'daily', start: day, trigger: 'manual' }, NOW);
    expect(second).toMatchObject({ status: 'COMPLETED', recordsProcessed: 1, recordsCreated: 0, recordsUpdated: 0 });
    expect(await t.app.database.db.selectFrom('analytics_rollups').selectAll().orderBy('level').execute()).toEqual(rowsBefore);
  });
});

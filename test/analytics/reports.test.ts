import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, periodEndOf, periodsOverlapping, periodStartOf, shiftPeriod } from '../../src/analytics/analytics.periods.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

let t: TestApp;
let admin: Session;
let brand: Session;
let otherBrand: Session;
let creator: Session;
let viewer: Session;
/** Profile ids: a brand's or creator's figures live under its profile's id, not its user's. */
const profile: Record<'brand' | 'otherBrand' | 'creator', string> = { brand: '', otherBrand: '', creator: '' };

const NOW = new Date();
// Last month (whole, and within the 90 days events may be late), and its first whole ISO week.
const MONTH = shiftPeriod('monthly', periodStartOf('monthly', NOW), -1);
const MONTH_END = periodEndOf('monthly', MONTH);
const WEEK = periodStartOf('weekly', new Date(MONTH.getTime() + 6 * DAY_MS));
const LAST_DAY = new Date(MONTH_END.getTime() - DAY_MS);
// A day of the month whose daily rollup never ran (only its hours did): read from hourly rows.
const HOURS_ONLY_DAY = new Date(WEEK.getTime() + 9 * DAY_MS);
const A1 = randomUUID();
const A2 = randomUUID();
const P = randomUUID();
const day = (d: Date) => d.toISOString().slice(0, 10);
const at = (d: Date, hour: number) => new Date(d.getTime() + hour * HOUR_MS + 60_000).toISOString();

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  [admin, brand, otherBrand, creator, viewer] = await Promise.all([t.admin(), t.user('BRAND'), t.user('BRAND'), t.user('CREATOR'), t.user('VIEWER')]);
  const make = async (path: string, as: Session, body: object) => (await t.call('POST', path, { as, body })).body.data.id as string;
  profile.brand = await make('/api/brands', brand, { companyName: 'Acme' });
  profile.otherBrand = await make('/api/brands', otherBrand, { companyName: 'Globex' });
  profile.creator = await make('/api/creators', creator, { stageName: 'Ada' });
  const B = profile.brand;
  const C = profile.creator;
  const events = [
    { eventType: 'asset_viewed', occurredAt: at(WEEK, 10), assetId: A1, brandId: B, sessionId: 's1' },
    { eventType: 'asset_viewed', occurredAt: at(WEEK, 10), assetId: A1, brandId: B, sessionId: 's1' },
    { eventType: 'asset_viewed', occurredAt: at(WEEK, 11), assetId: A2, sessionId: 's2' },
    { eventType: 'license_created', occurredAt: at(WEEK, 11), assetId: A1, brandId: B, sessionId: 's1', props: { revenueCents: 1000 } },
    { eventType: 'asset_viewed', occurredAt: at(new Date(WEEK.getTime() + DAY_MS), 9), assetId: A1, brandId: B, sessionId: 's1' },
    { eventType: 'asset_downloaded', occurredAt: at(new Date(WEEK.getTime() + DAY_MS), 9), assetId: A2, creatorId: C, sessionId: 's3', props: { engagementTime: 30 } },
    { eventType: 'asset_viewed', occurredAt: at(LAST_DAY, 20), assetId: A1, projectId: P, creatorId: C, sessionId: 's4' },
    { eventType: 'asset_viewed', occurredAt: at(HOURS_ONLY_DAY, 8), assetId: A2, brandId: profile.otherBrand, sessionId: 's5' },
  ];
  await t.app.services.analytics.ingest.ingest({ events }, { kind: 'key' }, { userAgent: null, ip: null }, NOW);
  const run = (type: 'hourly' | 'daily' | 'weekly' | 'monthly', start: Date) => t.app.services.analytics.aggregation.run({ type, start, trigger: 'manual' }, NOW);
  for (const h of new Set(events.map((e) => periodStartOf('hourly', new Date(e.occurredAt)).getTime()))) await run('hourly', new Date(h));
  for (const d of periodsOverlapping('daily', MONTH, MONTH_END)) if (d.getTime() !== HOURS_ONLY_DAY.getTime()) await run('daily', d);
  await run('weekly', WEEK);
  await run('monthly', MONTH);
});
afterAll(async () => {
  await t.close();
});

const get = (path: string, as: Session = admin) => t.call('GET', path, { as });
const range = (from: Date, to: Date, granularity = 'day') => `startDate=${day(from)}&endDate=${day(to)}&granularity=${granularity}`;
const ZERO = { views: 0, clicks: 0, conversions: 0, revenueCents: 0, engagementTime: 0, otherEvents: 0 };

describe('GET /api/analytics/platform/*', () => {
  it('answers a month with exact distinct visitors from the monthly rollup', async () => {
    const res = await get(`/api/analytics/platform/overview?${range(MONTH, LAST_DAY, 'month')}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        dateRange: { startDate: day(MONTH), endDate: day(LAST_DAY) }, granularity: 'month',
        totals: { views: 6, clicks: 1, conversions: 1, revenueCents: 1000, uniqueVisitors: 5, engagementTime: 30, otherEvents: 0 },
        series: [{ periodStart: MONTH.toISOString(), views: 6, clicks: 1, conversions: 1, revenueCents: 1000, uniqueVisitors: 5, engagementTime: 30, otherEvents: 0 }],
      },
    });
  });

  it('gives a day series whose days are exact, and a week\'s visitors once each in the totals', async () => {
    const res = await get(`/api/analytics/platform/overview?${range(WEEK, new Date(WEEK.getTime() + 6 * DAY_MS))}`);
    const { series, totals } = res.body.data;
    expect(series).toHaveLength(7);
    expect(series[0]).toEqual({ periodStart: WEEK.toISOString(), ...ZERO, views: 3, conversions: 1, revenueCents: 1000, uniqueVisitors: 2 });
    expect(series[1]).toEqual({ periodStart: new Date(WEEK.getTime() + DAY_MS).toISOString(), ...ZERO, views: 1, clicks: 1, engagementTime: 30, uniqueVisitors: 2 });
    expect(series[2]).toEqual({ periodStart: new Date(WEEK.getTime() + 2 * DAY_MS).toISOString(), ...ZERO, uniqueVisitors: 0 });
    // s1, s2, s3: not the 4 that the days add up to.
    expect(totals).toEqual({ ...ZERO, views: 4, clicks: 1, conversions: 1, revenueCents: 1000, engagementTime: 30, uniqueVisitors: 3 });
  });

  it('leaves uniqueVisitors null where no rollup covers exactly the period, and reads days without a daily rollup from their hours', async () => {
    const res = await get(`/api/analytics/platform/overview?${range(WEEK, new Date(WEEK.getTime() + 13 * DAY_MS))}`);
    const { series, totals } = res.body.data;
    expect(totals.uniqueVisitors).toBeNull();
    expect(totals.views).toBe(5);
    const hoursOnly = series.find((s: { periodStart: string }) => s.periodStart === HOURS_ONLY_DAY.toISOString());
    expect(hoursOnly).toEqual({ periodStart: HOURS_ONLY_DAY.toISOString(), ...ZERO, views: 1, uniqueVisitors: null });
    const weeks = (await get(`/api/analytics/platform/overview?${range(new Date(WEEK.getTime() + DAY_MS), new Date(WEEK.getTime() + 13 * DAY_MS), 'week')}`)).body.data.series;
    // A clipped first week and a week whose weekly rollup never ran: additive figures only.
    expect(weeks.map((w: { periodStart: string; views: number; uniqueVisitors: number | null }) => [w.periodStart, w.views, w.uniqueVisitors])).toEqual([
      [new Date(WEEK.getTime() + DAY_MS).toISOString(), 1, null], [new Date(WEEK.getTime() + 7 * DAY_MS).toISOString(), 1, null],
    ]);
    const sums = series.reduce((n: number, s: { views: number }) => n + s.views, 0);
    expect(sums).toBe(totals.views);
  });

  it('gives an hourly series for a day', async () => {
    const res = await get(`/api/analytics/platform/overview?${range(WEEK, WEEK, 'hour')}`);
    const { series, totals } = res.body.data;
    expect(series).toHaveLength(24);
    expect(series[10]).toMatchObject({ periodStart: new Date(WEEK.getTime() + 10 * HOUR_MS).toISOString(), views: 2, uniqueVisitors: 1 });
    expect(series[11]).toMatchObject({ views: 1, conversions: 1, uniqueVisitors: 2 });
    expect(series[3].uniqueVisitors).toBeNull(); // an hour no run covered
    expect(totals).toMatchObject({ views: 3, uniqueVisitors: 2 });
  });

  it('lists the most viewed assets and projects', async () => {
    const assets = (await get(`/api/analytics/platform/assets?${range(MONTH, LAST_DAY, 'month')}&limit=5`)).body.data;
    expect(assets.top).toEqual([
      { id: A1, ...ZERO, views: 4, conversions: 1, revenueCents: 1000, uniqueVisitors: 2 },
      { id: A2, ...ZERO, views: 2, clicks: 1, engagementTime: 30, uniqueVisitors: 3 },
    ]);
    expect(assets.totals.views).toBe(6);
    const partial = (await get(`/api/analytics/platform/assets?${range(WEEK, new Date(WEEK.getTime() + 9 * DAY_MS))}&limit=1`)).body.data.top;
    expect(partial).toEqual([{ id: A1, ...ZERO, views: 3, conversions: 1, revenueCents: 1000, uniqueVisitors: null }]);
    const projects = (await get(`/api/analytics/platform/projects?${range(MONTH, LAST_DAY)}`)).body.data.top;
    expect(projects).toEqual([{ id: P, ...ZERO, views: 1, uniqueVisitors: 1 }]);
  });

  it('is for admins only', async () => {
    for (const path of ['overview', 'assets', 'projects']) {
      const res = await get(`/api/analytics/platform/${path}`, brand);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('Forbidden: Admin access required');
    }
    expect((await t.call('GET', '/api/analytics/platform/overview')).status).toBe(401);
  });
});

describe('GET /api/analytics/brand/:brandId and /creator/:creatorId', () => {
  const q = `?${range(MONTH, LAST_DAY, 'month')}`;

  it('shows a brand and a creator their own figures, and admins anyone\'s', async () => {
    const own = await get(`/api/analytics/brand/${profile.brand}${q}`, brand);
    expect(own.status).toBe(200);
    expect(own.body.data.totals).toEqual({ ...ZERO, views: 3, conversions: 1, revenueCents: 1000, uniqueVisitors: 1 });
    expect(own.body.data.top).toBeUndefined();
    expect((await get(`/api/analytics/brand/${profile.brand}${q}`)).body.data).toEqual(own.body.data);
    const mine = await get(`/api/analytics/creator/${profile.creator}${q}`, creator);
    expect(mine.body.data.totals).toEqual({ ...ZERO, views: 1, clicks: 1, engagementTime: 30, uniqueVisitors: 2 });
    // A creator with no figures yet: zeros for itself and admins, 403 for others; a user id is no profile id.
    const fresh = await t.user('CREATOR');
    const freshId = (await t.call('POST', '/api/creators', { as: fresh, body: { stageName: 'Fresh' } })).body.data.id;
    expect((await get(`/api/analytics/creator/${freshId}${q}`)).body.data.totals).toEqual({ ...ZERO, uniqueVisitors: 0 });
    expect((await get(`/api/analytics/creator/${freshId}${q}`, fresh)).body.data.totals).toEqual({ ...ZERO, uniqueVisitors: 0 });
    expect((await get(`/api/analytics/creator/${freshId}${q}`, creator)).status).toBe(403);
    expect((await get(`/api/analytics/creator/${fresh.user.id}${q}`, fresh)).status).toBe(404);
  });

  it('answers 403 for another\'s figures and 404 for ids with none', async () => {
    const other = await get(`/api/analytics/brand/${profile.otherBrand}${q}`, brand);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ success: false, error: 'Forbidden' });
    expect((await get(`/api/analytics/brand/${profile.brand}${q}`, viewer)).status).toBe(403);
    expect((await get(`/api/analytics/brand/${profile.brand}${q}`, creator)).status).toBe(403);
    expect((await get(`/api/analytics/creator/${profile.creator}${q}`, brand)).status).toBe(403);
    const unknown = await get(`/api/analytics/brand/${randomUUID()}${q}`, brand);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('Brand not found');
    expect((await get(`/api/analytics/creator/${randomUUID()}${q}`)).status).toBe(404);
    expect((await get(`/api/analytics/brand/not-an-id${q}`)).status).toBe(404);
    expect((await t.call('GET', `/api/analytics/brand/${profile.brand}${q}`)).status).toBe(401);
  });
});

describe('bad input', () => {
  it('answers 400 to dates out of range', async () => {
    const today = periodStartOf('daily', NOW);
    const cases: Array<[string, string]> = [
      [`startDate=${day(new Date(today.getTime() - 730 * DAY_MS))}&endDate=${day(today)}`, 'startDate'],
      [`startDate=${day(today)}&endDate=${day(new Date(today.getTime() + DAY_MS))}`, 'endDate'],
      [`startDate=${day(today)}&endDate=${day(new Date(today.getTime() - DAY_MS))}`, 'startDate'],
      ['startDate=2025-02-30', 'startDate'],
      ['endDate=yesterday', 'endDate'],
      [`startDate=${day(new Date(today.getTime() - 40 * DAY_MS))}&granularity=hour`, 'granularity'],
      ['granularity=year', 'granularity'],
      ['limit=0', 'limit'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/api/analytics/platform/overview?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe('Invalid query parameters');
      expect(res.body.details.map((d: { path: string[] }) => d.path[0]), query).toContain(field);
    }
    const longest = await get(`/api/analytics/platform/overview?startDate=${day(new Date(today.getTime() - 729 * DAY_MS))}&endDate=${day(today)}&granularity=month`);
    expect(longest.status).toBe(200);
    const defaults = (await get('/api/analytics/platform/overview')).body.data;
    expect(defaults).toMatchObject({ dateRange: { startDate: day(new Date(today.getTime() - 29 * DAY_MS)), endDate: day(today) }, granularity: 'day' });
    expect(defaults.series).toHaveLength(30);
  });
});

describe('the read API reads rollups only', () => {
  it('gives the same answers after the raw events are gone', async () => {
    const paths = [`/api/analytics/platform/overview?${range(MONTH, LAST_DAY)}`, `/api/analytics/platform/assets?${range(WEEK, LAST_DAY, 'week')}`, `/api/analytics/brand/${profile.brand}?${range(MONTH, LAST_DAY, 'month')}`];
    const before = await Promise.all(paths.map((p) => get(p)));
    await sql`TRUNCATE analytics_events`.execute(t.app.database.db);
    const after = await Promise.all(paths.map((p) => get(p)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
  });

  it('documents its shapes in OpenAPI', async () => {
    const res = await t.call('GET', '/api/analytics/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining([
      '/api/analytics/events', '/api/analytics/platform/overview', '/api/analytics/platform/assets', '/api/analytics/platform/projects',
      '/api/analytics/brand/{brandId}', '/api/analytics/creator/{creatorId}', '/api/admin/jobs/aggregation/run',
    ]));
    const data = res.body.paths['/api/analytics/platform/overview'].get.responses[200].content['application/json'].schema.properties.data;
    expect(Object.keys(data.properties)).toEqual(['dateRange', 'granularity', 'totals', 'series', 'top']);
    expect(Object.keys(data.properties.series.items.properties)).toEqual(expect.arrayContaining(['periodStart', 'views', 'clicks', 'conversions', 'revenueCents', 'uniqueVisitors', 'engagementTime']));
    expect(res.body.paths['/api/analytics/events'].post.requestBody.content['application/json'].schema.properties.events.maxItems).toBe(500);
  });
});

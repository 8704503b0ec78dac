import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { insertHistory, metricsService, type HistoryRow } from '../job-console/metrics.helpers.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The Metrics over time section in Chromium (strict CSP: no console error, no violation): the
// range picker's presets and granularities, bars and p95 points for seeded history.

let t: TestApp;
let browser: Browser;
let d: DashboardPage | null = null;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { roles: ['api'] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
});

const SIZE = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const floor = (g: keyof typeof SIZE, ms: number) => Math.floor(ms / SIZE[g]) * SIZE[g];

/** Closed buckets of `g` since `since` that hold any of the rows (in `state`): what the chart draws a bar or a point for. */
function busyBuckets(rows: readonly HistoryRow[], g: keyof typeof SIZE, since: number, now: number, state?: 'completed' | 'failed'): number {
  const starts = rows.filter((r) => !state || (r.state ?? 'completed') === state).map((r) => floor(g, r.finishedAt.getTime()));
  return new Set(starts.filter((s) => s >= floor(g, since) && s < floor(g, now))).size;
}

describe('admin dashboard: metrics over time', () => {
  it('draws completed/failed bars and p95 points for the picked queue, range and granularity', async () => {
    const now = Date.now();
    const queue = 'webhook-delivery';
    const at = (ms: number, n: number, state: 'completed' | 'failed' = 'completed'): HistoryRow[] =>
      Array.from({ length: n }, (_, i) => ({ queue, state, finishedAt: new Date(ms + i * 1_000), waitMs: 20 + i * 3, runMs: 100 + i * 40 }));
    const rows = [
      ...at(floor('minute', now) - 5 * SIZE.minute + 5_000, 4),
      ...at(floor('hour', now) - 2 * SIZE.hour + 600_000, 6),
      ...at(floor('hour', now) - 4 * SIZE.hour + 900_000, 3), ...at(floor('hour', now) - 4 * SIZE.hour + 960_000, 2, 'failed'),
      ...at(floor('day', now) - 12 * SIZE.hour, 5),
      ...at(floor('day', now) - 40 * SIZE.day, 2, 'failed'),
    ];
    await insertHistory(t.app, rows);
    // History older than JOB_HISTORY_DAYS is not recomputed: the 40-day-old failures are rolled explicitly.
    await metricsService(t.app).rollup(undefined, new Date(now));
    await metricsService(t.app).rollWindow('day', new Date(floor('day', now) - 40 * SIZE.day), new Date(floor('day', now) - 39 * SIZE.day));

    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);
    const body = page.locator('#metrics-body');
    const bars = (cls: string) => body.locator(`rect.${cls}`).count();
    const points = (cls: string) => body.locator(`circle.${cls}`).count();

    // All queues, the last 24 hours by hour (the defaults).
    await expect.poll(() => body.locator('figure').count()).toBe(2);
    expect(await body.textContent()).toContain('All queues: jobs per hour');
    expect(await bars('bar-completed')).toBe(busyBuckets(rows, 'hour', now - SIZE.day, now, 'completed'));
    expect(await bars('bar-failed')).toBe(1);

    await page.selectOption('#metrics-queue', queue);
    await expect.poll(() => body.textContent()).toContain(`${queue}: jobs per hour`);
    expect(await points('series-run')).toBe(busyBuckets(rows, 'hour', now - SIZE.day, now));
    expect(await points('series-wait')).toBe(busyBuckets(rows, 'hour', now - SIZE.day, now));
    // A bar's tooltip names its bucket and count.
    expect(await body.locator('rect.bar-failed title').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:00 UTC: 2 failed$/);

    // The last hour, by minute: the minute 5 minutes ago.
    await page.selectOption('#metrics-range', '1h');
    await expect.poll(() => body.textContent()).toContain(`${queue}: jobs per minute`);
    expect(await bars('bar-completed')).toBe(busyBuckets(rows, 'minute', now - SIZE.hour, now, 'completed'));
    expect(await body.locator('figure').first().textContent()).toContain('4 completed · 0 failed');

    // 13 months, by day: yesterday and the day 40 days ago (failed only).
    await page.selectOption('#metrics-range', '13mo');
    await expect.poll(() => body.textContent()).toContain(`${queue}: jobs per day`);
    // The day 40 days ago, and yesterday too when the run is in the first hours of a UTC day.
    expect(await bars('bar-failed')).toBe(busyBuckets(rows, 'day', now - 396 * SIZE.day, now, 'failed'));
    expect(await bars('bar-completed')).toBe(busyBuckets(rows, 'day', now - 396 * SIZE.day, now, 'completed'));
    expect(await points('series-run')).toBe(busyBuckets(rows, 'day', now - 396 * SIZE.day, now));
    // More than 2,200 minute or hour buckets: not offered for this range.
    expect(await page.locator('#metrics-granularity option[value="minute"]').isDisabled()).toBe(true);
    expect(await page.locator('#metrics-granularity option[value="hour"]').isDisabled()).toBe(true);

    // 7 days by hour, picked by hand (automatic would be hour too; day is the other choice).
    await page.selectOption('#metrics-range', '7d');
    await page.selectOption('#metrics-granularity', 'day');
    await expect.poll(() => body.textContent()).toContain(`${queue}: jobs per day`);
    expect(await page.locator('#metrics-granularity option[value="minute"]').isDisabled()).toBe(true);
    expect(await page.locator('#metrics-granularity option[value="hour"]').isDisabled()).toBe(false);

    // A queue without jobs says so.
    await page.selectOption('#metrics-queue', 'media-scan');
    await expect.poll(() => body.textContent()).toMatch(/^media-scan: no job finished in the last 7 days/);
    expect(await overflowing(page)).toEqual([]);
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
  });
});

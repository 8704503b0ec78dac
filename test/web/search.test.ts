import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchText } from '../../src/platform/queue/job-history.rules.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The Job search section in Chromium (strict CSP: no console error, no violation): a search over
// live jobs and history, facets as filters, pages, a hit's details (live: the job API's data;
// history: the row), and the Queues table's per-queue field, whose typing survives a refresh.

let t: TestApp;
let browser: Browser;
let d: DashboardPage | null = null;

beforeAll(async () => {
  // The API alone: added jobs stay waiting (live).
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { roles: ['api'] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
});

const word = () => `zq${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

async function history(rows: Array<{ queue: string; name: string; state: 'completed' | 'failed'; reason?: string; data: unknown; finishedAt: Date }>) {
  const db = t.app.database.db;
  for (const day of new Set(rows.map((r) => r.finishedAt.toISOString().slice(0, 10)))) await sql`SELECT job_history_ensure_partition(${day}::date)`.execute(db);
  await db.insertInto('job_history').values(rows.map((r) => {
    const id = randomUUID();
    return {
      queue: r.queue, job_id: id, name: r.name, state: r.state, data: JSON.stringify(r.data), return_summary: null, failed_reason: r.reason ?? null, stacktrace: null,
      attempts: 1, created_at: new Date(r.finishedAt.getTime() - 500), processed_at: new Date(r.finishedAt.getTime() - 400), finished_at: r.finishedAt,
      wait_ms: 100, run_ms: 400, worker: 'host-1-abc', schedule_id: null, search_text: searchText(id, r.name, r.reason ?? null, r.data),
    };
  })).execute();
}

describe('admin dashboard: job search', () => {
  it('searches live jobs and history, filters by facet, pages, shows details, and searches from a queue row', async () => {
    const w = word();
    const now = Date.now();
    // 22 history rows (20 media-scan, 2 of them failed; 2 webhook-delivery) and one live job.
    await history(Array.from({ length: 22 }, (_, i) => ({
      queue: i < 20 ? 'media-scan' : 'webhook-delivery', name: i < 20 ? 'MediaScan' : 'WebhookDeliver', state: i % 10 === 3 ? 'failed' as const : 'completed' as const,
      reason: i % 10 === 3 ? `clamd refused ${w}` : undefined, data: { assetId: randomUUID(), note: w }, finishedAt: new Date(now - (i + 1) * 60_000),
    })));
    const live = await t.app.queues.get('blog-publish').add('BlogPublish', { postId: randomUUID(), note: w });

    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);

    const rows = page.locator('#search-body tbody tr');
    await page.fill('#search-q', w);
    await page.click('#search-form button[type="submit"]');
    await expect.poll(() => page.locator('#search-summary').textContent()).toBe(`23 jobs for “${w}” · 1 live jobs read`);
    expect(await rows.count()).toBe(20);
    // Newest first: the live job (added now) heads the list.
    expect(await rows.first().textContent()).toMatch(new RegExp(`${live.id}BlogPublish.*blog-publish.*waiting.*live`, 's'));
    await expect.poll(() => page.locator('#search-body nav.pager').textContent()).toContain('Page 1 of 2 (23)');
    await page.getByRole('navigation', { name: 'Job search pages' }).getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count()).toBe(3);

    // A facet narrows; the active one clears.
    await page.getByRole('button', { name: 'State failed: 2' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('#search-state').inputValue()).toBe('failed');
    expect(await rows.first().textContent()).toContain(`clamd refused ${w}`);
    await page.getByRole('button', { name: 'Queue webhook-delivery: 2' }).waitFor({ state: 'detached' });
    await page.getByRole('group', { name: 'State filter' }).getByRole('button', { name: 'failed ✕' }).click();
    await expect.poll(() => page.locator('#search-summary').textContent()).toContain('23 jobs');
    await page.getByRole('button', { name: 'Queue webhook-delivery: 2' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('#search-queue').inputValue()).toBe('webhook-delivery');

    // A history hit's details: the row as recorded.
    await page.locator('#search-body tbody tr').first().getByRole('button', { name: /^Details of job/ }).click();
    await expect.poll(() => page.locator('#search-detail').textContent()).toMatch(/of webhook-delivery.*job history.*host-1-abc/s);

    // A live hit's details come from the job API: its data whole.
    await page.selectOption('#search-queue', 'blog-publish');
    await page.click('#search-form button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByRole('button', { name: `Details of job ${live.id} of blog-publish` }).click();
    await expect.poll(() => page.locator('#search-detail').textContent()).toMatch(new RegExp(`live \\(Redis\\).*"postId": "${live.data.postId}"`, 's'));

    // Nothing found, and a from after to said before asking.
    await page.fill('#search-q', `${w}-nothing-here`);
    await page.selectOption('#search-queue', '');
    await page.click('#search-form button[type="submit"]');
    await expect.poll(() => page.locator('#search-body').textContent()).toContain(`No job matches “${w}-nothing-here”.`);
    await page.fill('#search-from', '2025-10-19');
    await page.fill('#search-to', '2025-10-18');
    await page.click('#search-form button[type="submit"]');
    await expect.poll(() => page.locator('#search-error').textContent()).toBe('The "from" date is after the "to" date.');
    await page.click('#search-form button[type="reset"]');
    await expect.poll(() => page.locator('#search-error').textContent()).toBe('');

    // A queue row's field searches that queue; what is typed survives the table's refresh.
    const field = page.getByLabel('Search jobs of media-scan');
    await field.click();
    await page.keyboard.type(w.slice(0, 5));
    // The 5-second refresh redraws the table while the field has focus: the typing goes on where it was.
    const before = await page.locator('#updated').textContent();
    await expect.poll(() => page.locator('#updated').textContent(), { timeout: 15_000 }).not.toBe(before);
    await page.keyboard.type(w.slice(5));
    expect(await field.inputValue()).toBe(w);
    await field.press('Enter');
    await expect.poll(() => page.locator('#search-summary').textContent()).toBe(`20 jobs for “${w}”`);
    expect(await page.locator('#search-queue').inputValue()).toBe('media-scan');
    expect(await page.locator('#search-q').inputValue()).toBe(w);

    expect(await overflowing(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowing(page)).toEqual([]);
    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

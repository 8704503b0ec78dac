import { UnrecoverableError, Worker } from 'bullmq';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The Failed jobs section's "Bulk by filter" form in Chromium (strict CSP: no console error, no
// violation): count, the confirm dialog's sentence (Cancel changes nothing), progress to done.

let t: TestApp;
let browser: Browser;
let connection: RedisClient;
let d: DashboardPage | null = null;

beforeAll(async () => {
  // The API alone: the jobs stay where the test puts them (no worker of the app's takes them).
  t = await createTestApp({ JOB_ATTEMPTS: '1', JOB_BULK_PAGE_SIZE: '10', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { roles: ['api'] });
  browser = await launchBrowser();
  connection = testRedis({ maxRetriesPerRequest: null });
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
  await connection?.quit();
});

async function failJobs(reasons: string[]): Promise<void> {
  const queue = t.app.queues.get('notification-fanout');
  await queue.addBulk(reasons.map((reason) => ({ name: 'NotificationBatchFanOut', data: { reason } })));
  const worker = new Worker<{ reason: string }>(bullQueueName('notification-fanout'), async (job) => {
    throw new UnrecoverableError(job.data.reason);
  }, { connection, prefix: t.prefix, concurrency: 20 });
  try {
    expect(await waitFor(async () => (await queue.getJobCountByTypes('failed')) === reasons.length, 20_000)).toBe(true);
  } finally {
    await worker.close();
  }
}

describe('admin dashboard: bulk by filter', () => {
  it('counts, confirms in words, and retries in steps with progress', async () => {
    await failJobs([...Array.from({ length: 25 }, () => 'SMTP 421 Service not available'), ...Array.from({ length: 5 }, () => 'Invalid address')]);
    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);

    await expect.poll(() => page.locator('#bulk-queue option').count()).toBeGreaterThan(1);
    await page.selectOption('#bulk-queue', 'notification-fanout');
    await page.selectOption('#bulk-action', 'retry');
    expect(await page.inputValue('#bulk-state')).toBe('failed');
    await page.getByLabel('Reason contains').fill('smtp 421');

    // Cancel: nothing changes.
    await page.getByRole('button', { name: 'Count' }).click();
    await expect.poll(() => page.locator('#confirm-dialog').isVisible()).toBe(true);
    expect(await page.locator('#confirm-message').textContent()).toBe("Retry 25 failed jobs of notification-fanout whose reason contains 'smtp 421'?");
    await page.click('#confirm-cancel');
    await expect.poll(() => page.locator('#bulk-status').textContent()).toBe('Cancelled; nothing was changed.');
    expect(await t.app.queues.get('notification-fanout').getJobCountByTypes('failed')).toBe(30);

    await page.getByRole('button', { name: 'Count' }).click();
    await expect.poll(() => page.locator('#confirm-dialog').isVisible()).toBe(true);
    expect(await page.locator('#confirm-ok').textContent()).toBe('Retry');
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Retried 25 failed jobs of notification-fanout.');
    expect(await page.locator('#bulk-status').textContent()).toBe('Retried 25 of 25.');
    expect(await page.locator('#bulk-status progress').getAttribute('value')).toBe('25');
    expect(await t.app.queues.get('notification-fanout').getJobCounts('failed', 'waiting')).toEqual({ failed: 5, waiting: 25 });
    // Three steps of at most 10 jobs each (JOB_BULK_PAGE_SIZE), one count before.
    expect(d.requests.filter((p) => p === '/api/admin/jobs/queues/notification-fanout/bulk')).toHaveLength(3);

    // A combination the server refuses is shown, in its words.
    await page.selectOption('#bulk-action', 'promote');
    expect(await page.inputValue('#bulk-state')).toBe('delayed');
    await page.selectOption('#bulk-state', 'failed');
    await page.getByRole('button', { name: 'Count' }).click();
    await expect.poll(() => page.locator('#bulk-error').textContent()).toBe('Cannot promote failed jobs: promote takes delayed jobs only (400)');

    // Nothing matching: said so, no dialog.
    await page.selectOption('#bulk-action', 'retry');
    await page.getByLabel('Reason contains').fill('no such reason');
    await page.getByRole('button', { name: 'Count' }).click();
    await expect.poll(() => page.locator('#bulk-status').textContent()).toBe('No job matches: nothing to do.');

    expect(await overflowing(page)).toEqual([]);
    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { Receiver } from '../webhooks/receiver.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The dashboard's Webhooks section in Chromium (strict CSP: no console error, no violation):
// create an endpoint (its secret shown once), send a test event, see the failed and the delivered
// attempts, replay, delete.

let t: TestApp;
let browser: Browser;
let receiver: Receiver;
let d: DashboardPage | null = null;

beforeAll(async () => {
  receiver = await new Receiver().start();
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', JOB_BACKOFF_MS: '50', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
  await receiver?.stop();
});

describe('admin dashboard: webhooks', () => {
  it('creates an endpoint, tests it, shows every attempt, replays and deletes', async () => {
    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);
    await expect.poll(() => page.locator('#webhooks-body').textContent()).toContain('No endpoint registered.');

    await page.fill('#webhook-url', receiver.url);
    await page.getByRole('checkbox', { name: 'email.sent' }).check();
    await page.click('#webhook-form button[type="submit"]');
    await expect.poll(() => page.locator('#webhook-secret-value').textContent()).toMatch(/^whsec_/);
    const rows = page.locator('#webhooks-body tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('notification.created, notification.read, email.sent');
    const endpoint = (await t.call('GET', '/api/admin/webhooks', { as: await t.admin() })).body.data[0];
    expect(endpoint.url).toBe(receiver.url);

    // The receiver fails the first attempt, then accepts.
    let fail = 1;
    receiver.behave = () => (fail-- > 0 ? 500 : 200);
    await page.getByRole('button', { name: `Send a test event to ${receiver.url}` }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/Test event queued/);
    const deliveries = page.locator('#webhook-deliveries tbody tr');
    await expect.poll(async () => {
      await page.click('#refresh-now');
      return deliveries.first().textContent();
    }, { timeout: 15_000 }).toMatch(/webhook\.test.*delivered.*2.*HTTP 200/s);
    expect(receiver.accepted).toHaveLength(1);

    await page.getByRole('button', { name: /^Replay delivery / }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/queued again/);
    await expect.poll(() => receiver.accepted.length, { timeout: 15_000 }).toBe(2);
    expect(receiver.accepted[1]!.headers['x-herald-delivery']).toBe(receiver.accepted[0]!.headers['x-herald-delivery']);

    expect(await overflowing(page)).toEqual([]);
    await page.getByRole('button', { name: `Delete the endpoint ${receiver.url}` }).click();
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#webhooks-body').textContent()).toContain('No endpoint registered.');
    expect((await t.call('GET', '/api/admin/webhooks', { as: await t.admin() })).body.data).toEqual([]);

    // A URL the server refuses: the form says why, nothing is created.
    await page.fill('#webhook-url', 'ftp://example.com/hook');
    await page.click('#webhook-form button[type="submit"]');
    await expect.poll(() => page.locator('#webhook-error').textContent()).toMatch(/.+/);

    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

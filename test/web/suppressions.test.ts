import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The Emails section's suppression list in Chromium (strict CSP: no console error, no violation):
// search, pages, and a Lift behind the confirm dialog (Cancel keeps it, Lift removes it).

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

const suppress = (email: string, reason: 'hard-bounce' | 'complaint', detail: string) =>
  t.app.database.db.transaction().execute((trx) => t.app.services.suppressions.suppress(trx, { email, reason, source: 'smtp', detail }));

describe('admin dashboard: suppressed addresses', () => {
  it('lists, searches, pages and lifts through the confirm dialog', async () => {
    for (let i = 1; i <= 12; i++) await suppress(`bounced${String(i).padStart(2, '0')}@dash.example`, 'hard-bounce', `550 5.1.1 <${i}> User unknown`);
    await suppress('angry@dash.example', 'complaint', 'SpamComplaint');
    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);

    const rows = page.locator('#suppressions-body tbody tr');
    await expect.poll(() => rows.count()).toBe(10);
    expect(await rows.first().textContent()).toMatch(/angry@dash\.example.*complaint.*from smtp.*SpamComplaint/s);
    await expect.poll(() => page.locator('#suppressions-body nav.pager').textContent()).toContain('Page 1 of 2 (13)');
    await page.getByRole('navigation', { name: 'Suppression pages' }).getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count()).toBe(3);

    await page.fill('#suppressions-q', 'BOUNCED07');
    await page.click('#suppressions-form button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('550 5.1.1 <7> User unknown');

    // Cancel keeps it.
    await page.getByRole('button', { name: 'Lift the suppression of bounced07@dash.example' }).click();
    expect(await page.locator('#confirm-message').textContent()).toBe('Mail bounced07@dash.example again?');
    await page.click('#confirm-cancel');
    expect(await t.app.services.suppressions.find('bounced07@dash.example')).not.toBeNull();

    await page.getByRole('button', { name: 'Lift the suppression of bounced07@dash.example' }).click();
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#notice').textContent()).toBe('bounced07@dash.example will be mailed again.');
    await expect.poll(() => page.locator('#suppressions-body').textContent()).toContain('No suppressed address contains “BOUNCED07”.');
    expect(await t.app.services.suppressions.find('bounced07@dash.example')).toBeNull();

    // A complaint warns before the lift.
    await page.fill('#suppressions-q', 'angry');
    await page.click('#suppressions-form button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByRole('button', { name: 'Lift the suppression of angry@dash.example' }).click();
    expect(await page.locator('#confirm-message').textContent()).toMatch(/They complained/);
    await page.click('#confirm-cancel');

    expect(await overflowing(page)).toEqual([]);
    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

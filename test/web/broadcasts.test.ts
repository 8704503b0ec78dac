import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// Issue 19's Broadcasts section in Chromium (strict CSP: no console error, no violation): compose,
// Preview (the forecast), Send behind the confirm dialog (Cancel sends nothing), the batch in the
// recent list, Recall behind the confirm dialog and the notice of what it stopped.

let t: TestApp;
let browser: Browser;
let d: DashboardPage | null = null;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
});

const batches = async () => Number((await t.app.database.db.selectFrom('notification_batches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const inbox = async (user: Session) => (await t.call('GET', '/api/notifications', { as: user })).body.data.map((n: { title: string }) => n.title);

describe('admin dashboard: broadcasts', () => {
  it('previews, sends after confirming, lists the batch and recalls it after confirming', async () => {
    const brands = [await t.user('BRAND'), await t.user('BRAND'), await t.user('BRAND')];
    await t.app.services.notifications.updatePreferences(brands[2]!.user.id, { digestFrequency: 'DAILY' });
    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);
    await expect.poll(() => page.locator('#batches-body').textContent()).toContain('No broadcast yet.');

    await page.click('a[href="#broadcasts"]');
    await page.selectOption('#broadcast-target', 'role');
    expect(await page.locator('#broadcast-users-field').isHidden()).toBe(true);
    await page.selectOption('#broadcast-role', 'BRAND');
    await page.fill('#broadcast-title', 'Planned maintenance');
    await page.fill('#broadcast-message', 'Tonight 22:00-23:00 UTC.');
    expect(await page.locator('#broadcast-send').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect.poll(() => page.locator('#broadcast-forecast').textContent()).toContain('“Planned maintenance” to every BRAND user reaches 3 users.');
    expect(await page.locator('#broadcast-forecast dl').textContent()).toBe('Email now2Held for quiet hours0In a digest1No email0');
    expect(await batches()).toBe(0);

    // Cancel sends nothing.
    await page.getByRole('button', { name: 'Send…', exact: true }).click();
    expect(await page.locator('#confirm-message').textContent()).toBe('Send “Planned maintenance” to 3 users? 2 emails now, 0 after quiet hours, 1 in digests.');
    await page.click('#confirm-cancel');
    expect(await batches()).toBe(0);

    // An edit forgets the preview: Send waits for a new one.
    await page.fill('#broadcast-title', 'Planned maintenance tonight');
    expect(await page.locator('#broadcast-send').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect.poll(() => page.locator('#broadcast-send').isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Send…', exact: true }).click();
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Broadcast sent \(batch [0-9a-f-]{36}\)\.$/);
    expect(await batches()).toBe(1);
    await expect.poll(() => inbox(brands[0]!)).toContain('Planned maintenance tonight');

    const row = page.locator('#batches-body tbody tr').first();
    await expect.poll(() => row.textContent()).toMatch(/Planned maintenance tonight.*SYSTEM.*role BRAND.*(pending|running|completed)/s);

    // Recall: the dialog says what it can and cannot stop; the notice what it did.
    await page.getByRole('button', { name: 'Recall “Planned maintenance tonight”' }).click();
    expect(await page.locator('#confirm-message').textContent()).toMatch(/^Recall “Planned maintenance tonight” sent to .*emails already sent cannot be\.$/);
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Recalled “Planned maintenance tonight”: hidden from 3 inboxes, \d+ emails? already sent, \d+ cancelled, 1 taken out of coming digests\.$/);
    await expect.poll(() => row.textContent()).toMatch(/recalled.*hidden from 3 inboxes/s);
    expect(await page.getByRole('button', { name: 'Recall “Planned maintenance tonight”' }).count()).toBe(0);
    for (const brand of brands) expect(await inbox(brand)).not.toContain('Planned maintenance tonight');

    expect(await overflowing(page)).toEqual([]);
    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

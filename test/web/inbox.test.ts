import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type HeraldClient } from '../../packages/client/src/index.js';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { focusOutline, launchBrowser } from './browser.js';
import { badge, item, openInbox as openPage, signIn } from './inbox-page.js';

/** The inbox page at / (React + @herald/client), driven in Debian's Chromium against the real service. */

let t: TestApp;
/** The rate limits' one-minute windows follow it: they end only when a test moves it. */
const clock = createClock();
let browser: Browser;
let admin: HeraldClient;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'notifications.readAll=2' }, { now: clock.now });
  browser = await launchBrowser();
  admin = createHeraldClient({ baseUrl: t.url, token: (await t.admin()).token });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function notify(session: Session, title: string, extra: Partial<Parameters<HeraldClient['admin']['notify']>[0]> = {}) {
  await admin.admin.notify({ userIds: [session.user.id], type: 'PAYOUT', title, message: `${title}: details.`, priority: 'HIGH', ...extra });
}

const openInbox = (viewport?: { width: number; height: number }) => openPage(browser, t.url, viewport);

describe('inbox page', () => {
  it('signs in with the keyboard and shows the list with icons, priorities, times and the badge', async () => {
    const me = await t.user('VIEWER');
    await notify(me, 'Payout sent', { priority: 'URGENT' });
    await notify(me, 'System note', { type: 'SYSTEM', priority: 'LOW' });
    const inbox = await openInbox();
    const { page } = inbox;
    const focused = () => page.evaluate('document.activeElement?.id || document.activeElement?.textContent');
    await page.getByLabel('Email').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to main content');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('email');
    await page.keyboard.type(me.user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('password-123');
    await page.keyboard.press('Tab');
    expect(await focusOutline(page)).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();

    await expect.poll(() => badge(page).textContent()).toBe('2');
    expect(await page.getByRole('button', { name: 'Notifications, 2 new' }).count()).toBe(1);
    const first = page.locator('li.item').first();
    expect(await first.locator('.title').textContent()).toBe('Unread: Payout sent');
    expect(await first.locator('.icon').textContent()).toBe('💰');
    expect(await first.locator('.priority').getAttribute('class')).toBe('priority priority-red');
    expect(await first.locator('time').textContent()).toBe('Just now');
    expect(await item(page, 'System note').locator('.priority').textContent()).toBe('Low');
    await inbox.close();
  });

  it('updates the badge and list live when the admin API creates a notification, and marks it read on click', async () => {
    const me = await t.user('VIEWER');
    const inbox = await openInbox();
    const { page } = inbox;
    await signIn(page, me);
    await expect.poll(() => page.locator('.stream').textContent()).toBe('Live');
    await page.evaluate('window.notReloaded = true');
    expect(await badge(page).count()).toBe(0);

    await notify(me, 'Licence approved', { type: 'LICENSE', actionUrl: '/#licence' });
    await item(page, 'Licence approved').waitFor();
    await expect.poll(() => badge(page).textContent()).toBe('1');
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('New notification: Licence approved');
    expect(await page.evaluate('window.notReloaded')).toBe(true);

    await item(page, 'Licence approved').locator('button.open').click();
    await expect.poll(() => page.url()).toMatch(/#licence$/);
    await expect.poll(() => item(page, 'Licence approved').getAttribute('class')).toBe('item read');
    await expect.poll(() => badge(page).count()).toBe(0);
    expect((await t.call('GET', '/api/notifications?read=true', { as: me })).body.data[0].title).toBe('Licence approved');
    await inbox.close();
  });

  it('filters, pages, deletes and marks all read', async () => {
    const me = await t.user('VIEWER');
    for (let i = 1; i <= 22; i++) await t.app.services.notifications.notify({ userIds: [me.user.id], type: i % 2 ? 'SYSTEM' : 'MESSAGE', title: `Note ${i}`, message: 'm', priority: i === 7 ? 'URGENT' : 'MEDIUM' });
    const inbox = await openInbox();
    const { page } = inbox;
    await signIn(page, me);
    await expect.poll(() => page.locator('#page-status').textContent()).toBe('Page 1 of 2 · 22 notifications');
    await expect.poll(() => badge(page).textContent()).toBe('22');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.locator('#page-status').textContent()).toBe('Page 2 of 2 · 22 notifications');
    await expect.poll(() => page.locator('li.item').count()).toBe(2);

    await page.getByLabel('Priority').selectOption('URGENT');
    await expect.poll(() => page.locator('li.item .title').allTextContents()).toEqual(['Unread: Note 7']);
    await page.getByLabel('Priority').selectOption('');
    await page.getByRole('tab', { name: /^Messages/ }).click();
    await expect.poll(() => page.locator('li.item').count()).toBe(11);

    await page.getByRole('button', { name: 'Delete notification: Note 2', exact: true }).click();
    await page.locator('li.item .title', { hasText: /^Unread: Note 2$/ }).waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('Deleted: Note 2');
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => badge(page).count()).toBe(0);
    await page.getByLabel('Show').selectOption('false');
    await expect.poll(() => page.locator('.empty').textContent()).toBe('You are all caught up.');
    expect((await t.call('GET', '/api/notifications/unread-count', { as: me })).body.data.count).toBe(0);
    await inbox.close();
  });

  it('saves preferences and explains a refusal', async () => {
    const me = await t.user('VIEWER');
    const inbox = await openInbox();
    const { page } = inbox;
    await signIn(page, me);
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Preferences' }) });
    await form.getByLabel('Payouts').uncheck();
    await form.getByLabel('Email notifications').uncheck();
    await form.getByLabel('Email frequency').selectOption('WEEKLY');
    await form.getByLabel('Time zone (for digests at 9 AM)').selectOption('Europe/Paris');
    await form.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-saved').textContent()).toBe('Preferences saved.');
    const saved = (await t.call('GET', '/api/notifications/preferences', { as: me })).body.data;
    expect(saved).toMatchObject({ digestFrequency: 'WEEKLY', emailEnabled: false, timezone: 'Europe/Paris' });
    expect(saved.enabledTypes).not.toContain('PAYOUT');

    // A refusal the form cannot produce (its values are all valid), as the server would word it.
    await page.route('**/api/notifications/preferences', (route) => (route.request().method() === 'PATCH' ? route.fulfill({
      status: 400, contentType: 'application/json',
      body: JSON.stringify({ success: false, error: 'Invalid request body', details: [{ code: 'custom', path: ['timezone'], message: 'must be an IANA time zone such as Europe/Paris' }] }),
    }) : route.continue()));
    await form.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-error').textContent())
      .toBe('Your preferences were not saved: Invalid request body (timezone: must be an IANA time zone such as Europe/Paris)');
    expect(await page.locator('#preferences-saved').textContent()).toBe('');
    await inbox.close();
  });

  it('shows the rate-limit state from a real 429, with the limit and a countdown', async () => {
    const me = await t.user('VIEWER');
    const inbox = await openInbox();
    const { page } = inbox;
    await signIn(page, me);
    const markAll = page.getByRole('button', { name: 'Mark all read' });
    clock.nextWindow(60_000); // the limit is a fixed one-minute window: all three clicks fall in this one
    for (let round = 1; round <= 3; round++) {
      await notify(me, `Round ${round}`);
      await expect.poll(() => markAll.isEnabled()).toBe(true);
      // The badge clears optimistically, before the request lands: wait for the server's answer,
      // or the next round's notification could be created first and be marked read with the rest.
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/notifications/read-all'));
      await markAll.click();
      await answered;
      if (round < 3) await expect.poll(() => badge(page).count()).toBe(0);
    }
    const banner = page.getByRole('alert').filter({ hasText: 'Too many requests' });
    await expect.poll(() => banner.textContent()).toMatch(/^Too many requests \(limit 2 per minute\)\. Try again in (60|5\d) s\.Dismiss$/);
    await expect.poll(() => badge(page).textContent()).toBe('1'); // rolled back: still unread
    await inbox.close();
  });
});

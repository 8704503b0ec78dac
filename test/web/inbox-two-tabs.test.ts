import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { launchBrowser } from './browser.js';
import { badge, item, openInbox, signIn, tab } from './inbox-page.js';

/**
 * Two tabs of one browser on the inbox (one cookie session, two event streams): whatever one does,
 * the other shows without a reload and without waiting for its 30 s poll (the stream's
 * notifications-changed and unread-count events), in both directions.
 */
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const live = async (page: Page) => {
  await expect.poll(() => page.locator('.stream').textContent()).toBe('Live');
  await page.evaluate('window.notReloaded = true');
};
const notReloaded = (page: Page) => page.evaluate('window.notReloaded');

describe('two tabs of the inbox', () => {
  it('stay in step: seen, read, archive, snooze, bulk delete and unarchive in one show in the other', async () => {
    const me = await t.user('VIEWER');
    for (const [title, type] of [['Alpha', 'LICENSE'], ['Bravo', 'PAYOUT'], ['Charlie', 'SYSTEM'], ['Delta', 'SYSTEM']] as const) {
      await t.app.services.notifications.notify({ userIds: [me.user.id], type, title, message: `${title}.` });
    }
    const inbox = await openInbox(browser, t.url);
    const a = inbox.page;
    await signIn(a, me);
    const b = await inbox.newTab(); // the same cookie: signed in already
    await b.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    await live(a);
    await live(b);
    for (const page of [a, b]) {
      await expect.poll(() => badge(page).textContent()).toBe('4');
      await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 4 unread');
    }

    // The bell opened in A: B's unseen badge clears too; both still show four unread.
    await a.bringToFront(); // a person acts in the tab in front (a background tab's timers are throttled)
    await a.locator('#bell').click();
    await expect.poll(() => badge(b).count()).toBe(0);
    expect(await b.locator('li.item.unread').count()).toBe(4);

    // Read in A.
    await item(a, 'Alpha').getByRole('button', { name: 'Mark read: Alpha' }).click();
    await expect.poll(() => item(b, 'Alpha').getAttribute('class')).toBe('item read');
    await expect.poll(() => tab(b, /^All/).textContent()).toBe('All, 3 unread');
    await expect.poll(() => tab(b, 'Licenses').count()).toBe(1); // no unread licence left: no count

    // Archived in A: gone from B's feed and its Earnings count.
    await item(a, 'Bravo').getByRole('button', { name: 'Archive: Bravo' }).click();
    await item(b, 'Bravo').waitFor({ state: 'detached' });
    await expect.poll(() => tab(b, 'Earnings').count()).toBe(1);

    // Snoozed in A.
    await item(a, 'Charlie').locator('summary').click();
    await item(a, 'Charlie').locator('[data-snooze="hour"]').click();
    await item(b, 'Charlie').waitFor({ state: 'detached' });
    await expect.poll(() => tab(b, /^All/).textContent()).toBe('All, 1 unread');

    // The other way: B deletes two at once, A follows.
    await b.bringToFront();
    await b.getByRole('checkbox', { name: 'Select: Alpha' }).check();
    await b.getByRole('checkbox', { name: 'Select: Delta' }).check();
    await b.getByRole('region', { name: 'Selected notifications' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => a.locator('.empty').textContent()).toBe('No notifications here.');
    await expect.poll(() => tab(a, 'All').count()).toBe(1);

    // B brings Bravo back from its archive: A's feed shows it (a refetch: A had no copy to patch).
    await tab(b, 'Archive').click();
    await item(b, 'Bravo').getByRole('button', { name: 'Unarchive: Bravo' }).click();
    await item(a, 'Bravo').waitFor();
    await expect.poll(() => tab(a, /^Earnings/).textContent()).toBe('Earnings, 1 unread');

    expect([await notReloaded(a), await notReloaded(b)]).toEqual([true, true]);
    const left = (await t.call('GET', '/api/notifications?archived=all', { as: me })).body.data.map((n: { title: string }) => n.title);
    expect(left).toEqual(['Bravo']);
    await inbox.close();
  });
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type HeraldClient } from '../../packages/client/src/index.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { launchBrowser } from './browser.js';
import { badge, item, openInbox, signIn, tab } from './inbox-page.js';

/**
 * Issue 17 on the inbox page, in Chromium against the real service (real clock: a snooze ends
 * when the wall clock says): tabs with their counts, the archive, snooze, bulk actions and the
 * unseen badge that opening the bell clears.
 */
let t: TestApp;
let browser: Browser;
let admin: HeraldClient;

beforeAll(async () => {
  t = await createTestApp();
  browser = await launchBrowser();
  admin = createHeraldClient({ baseUrl: t.url, token: (await t.admin()).token });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

type Type = 'LICENSE' | 'PAYOUT' | 'ROYALTY' | 'SYSTEM' | 'MESSAGE';

async function seed(me: Session, items: Array<[string, Type]>) {
  for (const [title, type] of items) await t.app.services.notifications.notify({ userIds: [me.user.id], type, title, message: `${title}.` });
}
const idOf = async (me: Session, title: string): Promise<string> =>
  (await t.call('GET', '/api/notifications?archived=all&pageSize=100', { as: me })).body.data.find((n: { title: string }) => n.title === title).id;
const titles = (page: Page) => page.locator('li.item .title').allTextContents();
const serverCounts = async (me: Session) => (await t.call('GET', '/api/notifications/unread-count', { as: me })).body.data;

describe('inbox page: issue 17', () => {
  it('tabs filter by type and carry unread counts that follow changes live', async () => {
    const me = await t.user('VIEWER');
    await seed(me, [['Licence A', 'LICENSE'], ['Licence B', 'LICENSE'], ['Payout', 'PAYOUT'], ['Royalty', 'ROYALTY'], ['Note', 'SYSTEM']]);
    await t.call('POST', `/api/notifications/${await idOf(me, 'Licence B')}/read`, { as: me });
    const inbox = await openInbox(browser, t.url);
    const { page } = inbox;
    await signIn(page, me);
    await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 4 unread');
    expect(await tab(page, /^Licenses/).textContent()).toBe('Licenses, 1 unread');
    expect(await tab(page, /^Earnings/).textContent()).toBe('Earnings, 2 unread');
    expect(await tab(page, /^System/).textContent()).toBe('System, 1 unread');
    expect(await tab(page, 'Projects').textContent()).toBe('Projects'); // nothing unread: no count
    expect(await tab(page, 'Archive').textContent()).toBe('Archive');

    await tab(page, /^Earnings/).click();
    expect(await tab(page, /^Earnings/).getAttribute('aria-selected')).toBe('true');
    await expect.poll(async () => (await titles(page)).sort()).toEqual(['Unread: Payout', 'Unread: Royalty']);
    await tab(page, /^Licenses/).click();
    await expect.poll(() => titles(page)).toEqual(['Unread: Licence A', 'Licence B']);
    // The keyboard moves between tabs (and selects), as WAI-ARIA tabs do.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('tab-earnings');
    await expect.poll(async () => (await titles(page)).length).toBe(2);
    await page.keyboard.press('End');
    expect(await tab(page, 'Archive').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('.empty').textContent()).toBe('Nothing archived.');

    // Live: a new payout elsewhere, and one read here, move the counts without a reload.
    await page.evaluate('window.notReloaded = true');
    await admin.admin.notify({ userIds: [me.user.id], type: 'PAYOUT', title: 'Second payout', message: 'm' });
    await expect.poll(() => tab(page, /^Earnings/).textContent()).toBe('Earnings, 3 unread');
    expect(await tab(page, /^All/).textContent()).toBe('All, 5 unread');
    await tab(page, /^Earnings/).click();
    await item(page, 'Second payout').getByRole('button', { name: 'Mark read: Second payout' }).click();
    await expect.poll(() => tab(page, /^Earnings/).textContent()).toBe('Earnings, 2 unread');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await inbox.close();
  });

  it('archives out of the feed and its counts; the archive view shows it and unarchives it', async () => {
    const me = await t.user('VIEWER');
    await seed(me, [['Keep', 'SYSTEM'], ['File away', 'LICENSE']]);
    const inbox = await openInbox(browser, t.url);
    const { page } = inbox;
    await signIn(page, me);
    await item(page, 'File away').getByRole('button', { name: 'Archive: File away' }).click();
    await item(page, 'File away').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('Archived: File away');
    await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 1 unread');
    await expect.poll(() => tab(page, 'Licenses').count()).toBe(1); // no unread licence: no count
    expect(await serverCounts(me)).toEqual({ count: 1, unseen: 1 });

    await tab(page, 'Archive').click();
    await expect.poll(() => titles(page)).toEqual(['Unread: File away']);
    expect(await item(page, 'File away').locator('summary').count()).toBe(0); // no snooze in the archive
    await item(page, 'File away').getByRole('button', { name: 'Unarchive: File away' }).click();
    await expect.poll(() => page.locator('.empty').textContent()).toBe('Nothing archived.');
    await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 2 unread');
    await tab(page, /^All/).click();
    await item(page, 'File away').waitFor();
    await inbox.close();
  });

  it('snoozes from the menu (in an hour, tomorrow 09:00, next Monday 09:00 local), and a short snooze comes back live', async () => {
    const me = await t.user('VIEWER');
    await seed(me, [['Soon back', 'SYSTEM'], ['Dawn patrol', 'SYSTEM'], ['Far off', 'SYSTEM'], ['Short nap', 'MESSAGE']]);
    // A zone of its own: "tomorrow morning" is 09:00 on the page's clock, not the server's.
    const inbox = await openInbox(browser, t.url, undefined, { timezoneId: 'Pacific/Auckland' });
    const { page } = inbox;
    await signIn(page, me);
    const snooze = async (title: string, choice: 'hour' | 'tomorrow' | 'next-week') => {
      await item(page, title).locator('summary').click();
      const answered = page.waitForResponse((r) => r.url().endsWith('/snooze'));
      await item(page, title).locator(`[data-snooze="${choice}"]`).click();
      await item(page, title).waitFor({ state: 'detached' }); // gone at once, before the answer
      const response = await answered;
      expect(response.status()).toBe(200);
      return new Date(JSON.parse(response.request().postData()!).until as string);
    };
    const before = Date.now();
    const inAnHour = await snooze('Soon back', 'hour');
    expect(inAnHour.getTime() - before).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    expect(inAnHour.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);

    const local = (d: Date) => Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Pacific/Auckland', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(d).map((p) => [p.type, p.value]));
    const day = (d: Date) => {
      const p = local(d);
      return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86_400_000;
    };
    const tomorrow = await snooze('Dawn patrol', 'tomorrow');
    expect([`${local(tomorrow).hour}:${local(tomorrow).minute}`, day(tomorrow) - day(new Date())]).toEqual(['09:00', 1]);
    const nextWeek = await snooze('Far off', 'next-week');
    expect([local(nextWeek).weekday, `${local(nextWeek).hour}:${local(nextWeek).minute}`]).toEqual(['Mon', '09:00']);
    expect(day(nextWeek) - day(new Date())).toBeGreaterThanOrEqual(1);
    expect(day(nextWeek) - day(new Date())).toBeLessThanOrEqual(7);

    const listed = (await t.call('GET', '/api/notifications', { as: me })).body.data.map((n: { title: string }) => n.title);
    expect(listed).toEqual(['Short nap']);
    await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 1 unread');

    // Three seconds through the API (the menu's shortest is an hour): it leaves, then comes back by itself.
    await page.evaluate('window.notReloaded = true');
    await page.locator('#bell').click();
    await expect.poll(() => badge(page).count()).toBe(0);
    const nap = await idOf(me, 'Short nap');
    expect((await t.call('POST', `/api/notifications/${nap}/snooze`, { as: me, body: { until: new Date(Date.now() + 3_000).toISOString() } })).status).toBe(200);
    await item(page, 'Short nap').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.empty').textContent()).toBe('No notifications here.');
    await item(page, 'Short nap').waitFor({ timeout: 20_000 });
    expect(await item(page, 'Short nap').getAttribute('class')).toBe('item unread');
    expect(await item(page, 'Short nap').getAttribute('data-seen')).toBe('false'); // unseen again:
    await expect.poll(() => badge(page).textContent()).toBe('1'); // the bell announces it anew
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await inbox.close();
  });

  it('selects several and applies one action to all: read, unread, archive, unarchive, delete', async () => {
    const me = await t.user('VIEWER');
    await seed(me, [['One', 'SYSTEM'], ['Two', 'SYSTEM'], ['Three', 'PAYOUT'], ['Four', 'LICENSE']]);
    const inbox = await openInbox(browser, t.url);
    const { page } = inbox;
    await signIn(page, me);
    const bar = page.getByRole('region', { name: 'Selected notifications' });
    const select = (title: string) => page.getByRole('checkbox', { name: `Select: ${title}` }).check();

    await item(page, 'One').waitFor();
    await select('One');
    await select('Three');
    await expect.poll(() => bar.locator('#selected-count').textContent()).toBe('2 selected');
    await bar.getByRole('button', { name: 'Mark read', exact: true }).click();
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('2 notifications marked as read');
    expect(await item(page, 'One').getAttribute('class')).toBe('item read');
    expect(await item(page, 'Three').getAttribute('class')).toBe('item read');
    expect(await bar.count()).toBe(0); // done: the selection is cleared
    await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 2 unread');
    expect((await serverCounts(me)).count).toBe(2);

    await select('One');
    await bar.getByRole('button', { name: 'Mark unread', exact: true }).click();
    await expect.poll(() => item(page, 'One').getAttribute('class')).toBe('item unread');
    await expect.poll(() => tab(page, /^All/).textContent()).toBe('All, 3 unread');

    await page.getByLabel('Select all on this page').check();
    await expect.poll(() => bar.locator('#selected-count').textContent()).toBe('4 selected');
    await bar.getByRole('button', { name: 'Archive', exact: true }).click();
    await expect.poll(() => page.locator('.empty').textContent()).toBe('No notifications here.');
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('4 notifications archived');
    await expect.poll(() => tab(page, 'All').count()).toBe(1); // nothing unread in the feed
    expect((await t.call('GET', '/api/notifications?archived=true', { as: me })).body.pagination.total).toBe(4);

    await tab(page, 'Archive').click();
    await expect.poll(async () => (await titles(page)).length).toBe(4);
    await select('Two');
    await select('Four');
    await bar.getByRole('button', { name: 'Unarchive', exact: true }).click();
    await expect.poll(async () => (await titles(page)).length).toBe(2);
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('2 notifications moved back to the inbox');
    await page.getByLabel('Select all on this page').check();
    await bar.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => page.locator('.empty').textContent()).toBe('Nothing archived.');
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('2 notifications deleted');
    const left = (await t.call('GET', '/api/notifications?archived=all', { as: me })).body.data.map((n: { title: string }) => n.title).sort();
    expect(left).toEqual(['Four', 'Two']);
    await inbox.close();
  });

  it('opening the bell marks everything seen: the unseen badge clears, unread stays unread', async () => {
    const me = await t.user('VIEWER');
    await seed(me, [['Alpha', 'SYSTEM'], ['Beta', 'MESSAGE'], ['Gamma', 'LICENSE']]);
    const inbox = await openInbox(browser, t.url);
    const { page } = inbox;
    await signIn(page, me);
    await expect.poll(() => badge(page).textContent()).toBe('3');
    // The badge (unread-count) and the list are two requests: the list may render after the badge.
    await expect.poll(() => page.locator('li.item .new').count()).toBe(3);
    await page.getByRole('button', { name: 'Notifications, 3 new' }).click();
    await expect.poll(() => badge(page).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Notifications, nothing new' }).count()).toBe(1);
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('inbox-title');
    await expect.poll(() => page.locator('li.item .new').count()).toBe(0);
    expect(await page.locator('li.item.unread').count()).toBe(3);
    expect(await tab(page, /^All/).textContent()).toBe('All, 3 unread');
    await expect.poll(() => serverCounts(me)).toEqual({ count: 3, unseen: 0 });

    await admin.admin.notify({ userIds: [me.user.id], type: 'SYSTEM', title: 'Delta', message: 'm' });
    await expect.poll(() => badge(page).textContent()).toBe('1');
    await expect.poll(() => item(page, 'Delta').locator('.new').count()).toBe(1);
    await inbox.close();
  });
});

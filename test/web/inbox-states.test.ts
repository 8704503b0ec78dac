import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type HeraldClient } from '../../packages/client/src/index.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { launchBrowser, overflowing, scrollWidth } from './browser.js';
import { badge, item, openInbox, signIn } from './inbox-page.js';

/** The inbox's failure states (the guide's checklist), its small-screen layout, its screenshot, and /api/docs. */
// docs/inbox.png is refreshed on request (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === '1'
  ? fileURLToPath(new URL('../../docs/inbox.png', import.meta.url))
  : path.join(os.tmpdir(), `herald-inbox-${process.pid}.png`);

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

const open = (viewport?: { width: number; height: number }) => openInbox(browser, t.url, viewport);
const alert = (page: import('playwright-core').Page) => page.locator('.banner');

async function notify(session: Session, title: string, extra: Partial<Parameters<HeraldClient['admin']['notify']>[0]> = {}) {
  await admin.admin.notify({ userIds: [session.user.id], type: 'SYSTEM', title, message: `${title}.`, ...extra });
}

describe('inbox failure states', () => {
  it('401: a session ended elsewhere brings back the sign-in form, and signing in again works', async () => {
    const me = await t.user('VIEWER');
    const inbox = await open();
    await signIn(inbox.page, me);
    await expect.poll(() => inbox.page.locator('.stream').textContent()).toBe('Live');
    const cookie = (await inbox.page.context().cookies()).find((c) => c.name === 'herald_session')!;
    await fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { cookie: `herald_session=${cookie.value}` } });
    await inbox.page.getByText('Your session has ended. Please sign in again.').waitFor();
    await signIn(inbox.page, me);
    await inbox.close();
  });

  it('404: a notification deleted elsewhere says so and leaves the list', async () => {
    const me = await t.user('VIEWER');
    await notify(me, 'Soon gone');
    const inbox = await open();
    await signIn(inbox.page, me);
    await item(inbox.page, 'Soon gone').waitFor();
    const gone = (await t.call('GET', '/api/notifications', { as: me })).body.data[0].id;
    // Deleted where the page cannot hear it (the API's DELETE tells its stream, and it would leave at once).
    await t.app.services.inbox.delete(me.user.id, gone);
    await item(inbox.page, 'Soon gone').locator('button.open').click();
    await expect.poll(() => alert(inbox.page).textContent()).toBe('That notification no longer exists.Dismiss');
    await item(inbox.page, 'Soon gone').waitFor({ state: 'detached' });
    await inbox.close();
  });

  it('500, 503 and 403 are explained; the list stays as last loaded', async () => {
    const me = await t.user('VIEWER');
    await notify(me, 'Still here');
    const inbox = await open();
    const { page } = inbox;
    await signIn(page, me);
    await item(page, 'Still here').waitFor();
    const fail = (status: number, error: string) => page.route('**/api/notifications?*', (route) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ success: false, error }) }));
    await fail(500, 'Internal server error');
    await page.getByRole('tab', { name: /^System/ }).click();
    await expect.poll(() => alert(page).textContent(), { timeout: 20_000 }).toBe('Something went wrong on our side (500). Please try again.Dismiss');
    await page.unroute('**/api/notifications?*');
    await fail(503, 'Service unavailable');
    await page.getByLabel('Priority').selectOption('LOW');
    await expect.poll(() => alert(page).textContent(), { timeout: 20_000 }).toBe('The service is temporarily unavailable. Please try again in a moment.Dismiss');
    await page.unroute('**/api/notifications?*');
    await page.route('**/api/notifications/read-all', (route) => route.fulfill({ status: 403, contentType: 'application/json', body: '{"success":false,"error":"Forbidden: cross-origin request"}' }));
    await page.getByLabel('Priority').selectOption('');
    await expect.poll(() => alert(page).count()).toBe(0);
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => alert(page).textContent()).toBe('You do not have permission to do that.Dismiss');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => alert(page).count()).toBe(0);
    await inbox.close();
  });

  it('offline: says so, keeps the list, and recovers with the connection', async () => {
    const me = await t.user('VIEWER');
    await notify(me, 'Cached');
    const inbox = await open();
    const { page } = inbox;
    await signIn(page, me);
    await item(page, 'Cached').waitFor();
    await page.context().setOffline(true);
    await expect.poll(() => alert(page).textContent()).toBe('You are offline. Showing what was last loaded; it will refresh when the connection is back.');
    expect(await item(page, 'Cached').count()).toBe(1);
    await page.context().setOffline(false);
    await expect.poll(() => alert(page).count()).toBe(0);
    await notify(me, 'After the outage');
    await item(page, 'After the outage').waitFor({ timeout: 20_000 });
    await inbox.close();
  });
});

describe('inbox layout and docs', () => {
  it('fits a 375 px screen, and takes the README screenshot', async () => {
    const me = await t.user('CREATOR', 'Ada Creator');
    await notify(me, 'Weekly royalty statement ready', { type: 'ROYALTY', priority: 'MEDIUM', message: 'Your statement for 6–12 October is ready to download.' });
    await notify(me, 'New licence request from Acme Studios', { type: 'LICENSE', priority: 'HIGH', actionUrl: '/#licences', message: 'Acme Studios wants to license “Harbour at Dawn” for a print campaign.' });
    await notify(me, 'Payout of €1,240.00 sent', { type: 'PAYOUT', priority: 'URGENT', message: 'It should reach your bank account within two business days.' });
    await notify(me, 'Blog post assigned to you', { type: 'POST_ASSIGNED', priority: 'LOW', message: '“Licensing 101” needs a review before Friday.' });
    const read = await t.call('GET', '/api/notifications?priority=LOW', { as: me });
    await t.call('POST', `/api/notifications/${read.body.data[0].id}/read`, { as: me });

    const small = await open({ width: 375, height: 812 });
    await signIn(small.page, me);
    await item(small.page, 'Payout').waitFor();
    expect(await overflowing(small.page)).toEqual([]);
    expect(await scrollWidth(small.page)).toBeLessThanOrEqual(375);
    await small.page.screenshot({ path: path.join(os.tmpdir(), `herald-inbox-375-${process.pid}.png`), fullPage: true });
    await small.close();

    const wide = await open({ width: 1280, height: 800 });
    await signIn(wide.page, me);
    await expect.poll(() => badge(wide.page).textContent()).toBe('3');
    await expect.poll(() => wide.page.locator('.stream').textContent()).toBe('Live');
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await wide.page.screenshot({ path: SCREENSHOT });
    await wide.close();
  });

  // Browser code as text: this project's type checking has no DOM library. Two frames: rendering follows a scroll.
  const NEXT_FRAMES = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
  it('serves /api/docs (Swagger UI) that renders every operation under the strict CSP', async () => {
    const context = await browser.newContext({ baseURL: t.url });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => (msg.type() === 'error' && !/Failed to load resource/.test(msg.text()) ? problems.push(msg.text()) : undefined));
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto('/api/docs');
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    // An operation with two tags is listed under both: count distinct operation ids. Past 150
    // entries Swagger UI virtualizes the list (only what is near the viewport is in the DOM), so
    // the page is scrolled through and every id seen on the way is collected.
    const seen = new Set<string>();
    const collect = async () => {
      for (const id of await page.locator('.opblock[id^="operations-"]').evaluateAll((els) => els.map((e) => e.id.replace(/^operations-[^-]+-/, '')))) seen.add(id);
    };
    const expected = t.app.routes.filter((r) => r.openapi).length;
    await expect.poll(async () => {
      await page.evaluate('window.scrollTo(0, 0)');
      for (let y = 0; ; y += 400) {
        await collect();
        const done = await page.evaluate(`window.scrollTo(0, ${y + 400}); ${y + 400} >= document.documentElement.scrollHeight`);
        // Rendering follows the scroll on the next frames.
        await page.evaluate(NEXT_FRAMES);
        if (done) break;
      }
      await collect();
      return seen.size;
    }, { timeout: 60_000 }).toBe(expected);
    // Scrolled to, as a reader would: the list holds only what is near the viewport.
    const unreadCount = page.locator('.opblock', { hasText: '/api/notifications/unread-count' }).locator('.opblock-summary').first();
    await page.evaluate('window.scrollTo(0, 0)');
    for (let y = 0; (await unreadCount.count()) === 0; y += 400) {
      await page.evaluate(`window.scrollTo(0, ${y})`);
      await page.evaluate(NEXT_FRAMES);
      if (y > 200_000) throw new Error('GET /api/notifications/unread-count is not on the page');
    }
    await unreadCount.click();
    await page.getByRole('button', { name: 'Try it out' }).click();
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect.poll(() => page.locator('.live-responses-table tbody .response-col_status').first().textContent()).toContain('401');
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);
});

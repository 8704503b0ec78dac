import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { launchBrowser } from './browser.js';
import { openInbox, signIn } from './inbox-page.js';

/** Quiet hours in the inbox's preferences (issue 17), in Chromium against the real service. */
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

describe('quiet hours in preferences', () => {
  it('switches them on with a window across midnight, keeps them over a reload, refuses an empty one, switches them off', async () => {
    const me = await t.user('VIEWER');
    const saved = async () => (await t.call('GET', '/api/notifications/preferences', { as: me })).body.data.quietHours;
    expect(await saved()).toBeNull();
    const inbox = await openInbox(browser, t.url);
    const { page } = inbox;
    await signIn(page, me);
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Preferences' }) });
    const on = form.getByLabel('Hold emails during quiet hours');
    const from = form.getByLabel('From');
    const until = form.getByLabel('Until');
    const save = form.getByRole('button', { name: 'Save preferences' });
    await on.waitFor();
    expect([await on.isChecked(), await from.isDisabled(), await until.isDisabled()]).toEqual([false, true, true]);

    await on.check();
    await from.fill('22:30');
    await until.fill('06:45');
    await save.click();
    await expect.poll(() => page.locator('#preferences-saved').textContent()).toBe('Preferences saved.');
    expect(await saved()).toEqual({ start: '22:30', end: '06:45' });

    await page.reload();
    await on.waitFor();
    await expect.poll(() => on.isChecked()).toBe(true);
    expect([await from.inputValue(), await until.inputValue()]).toEqual(['22:30', '06:45']);

    // The same start and end is no window at all: said next to the form, nothing sent.
    let sent = 0;
    page.on('request', (r) => (r.method() === 'PATCH' ? sent++ : undefined));
    await until.fill('22:30');
    await save.click();
    await expect.poll(() => page.locator('#preferences-error').textContent()).toMatch(/^Your preferences were not saved: quiet hours must end at another time than they start/);
    expect(sent).toBe(0);
    expect(await saved()).toEqual({ start: '22:30', end: '06:45' });

    await on.uncheck();
    expect(await from.isDisabled()).toBe(true);
    await save.click();
    await expect.poll(() => page.locator('#preferences-saved').textContent()).toBe('Preferences saved.');
    expect(await saved()).toBeNull();
    // Back on: the times last typed come back (switching off forgets nothing on the page).
    await on.check();
    expect([await from.inputValue(), await until.inputValue()]).toEqual(['22:30', '22:30']);
    await inbox.close();
  });
});

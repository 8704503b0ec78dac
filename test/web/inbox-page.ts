import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Session } from '../helpers/context.js';

export interface InboxPage {
  page: Page;
  problems: string[];
  /** Another tab of the same browser (same cookie session) on the inbox. */
  newTab(): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh browser context on the inbox at `/`; closing it fails on console errors or CSP violations. */
export async function openInbox(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 900 }, options: { timezoneId?: string } = {}): Promise<InboxPage> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl, reducedMotion: 'reduce', ...options });
  const problems: string[] = [];
  const open = async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (msg) => {
      // Answers the page handles (401 before sign-in, a 429, 404 or 500) are logged by Chromium too.
      if (msg.type() === 'error' && !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED/.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto('/');
    return page;
  };
  const page = await open();
  return {
    page, problems, newTab: open,
    async close() {
      await context.close();
      expect(problems, 'console errors / CSP violations').toEqual([]);
    },
  };
}

export async function signIn(page: Page, session: Session, password = 'password-123'): Promise<void> {
  await page.getByLabel('Email').fill(session.user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Exact: the sign-in form's heading ("Sign in to your notifications") would match too.
  await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
}

export const item = (page: Page, title: string) => page.locator('li.item', { hasText: title });
/** The bell's badge: notifications not yet seen (opening the bell clears it). */
export const badge = (page: Page) => page.locator('#unseen-badge');
/** A tab by its whole accessible name ("All, 3 unread"; "Archive"), or a pattern. */
export const tab = (page: Page, name: string | RegExp) => page.getByRole('tab', { name, exact: typeof name === 'string' });

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { openResources } from '../helpers/resources.js';

export const CHROMIUM = '/usr/bin/chromium';

// What the page.evaluate callbacks below use of the browser (the project compiles without the DOM lib).
interface BrowserElement {
  id: string; textContent: string | null; tagName: string; classList: Iterable<string>; parentElement: BrowserElement | null;
  closest(selector: string): BrowserElement | null; getBoundingClientRect(): { right: number };
}
declare const document: {
  activeElement: BrowserElement | null; body: BrowserElement; documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};
declare function getComputedStyle(element: BrowserElement): { outlineStyle: string; overflowX: string };

/** Debian's Chromium, headless; the flags keep it off the network this machine does not have. */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  // A real part the suite needs fails, never skips, and says what to install.
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install the chromium package (apt-get install chromium, as .ci/run does); the browser tests need it.`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
  openResources.add('chromium');
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    await close(...args);
    openResources.delete('chromium');
  };
  return browser;
}

export interface DashboardPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page (CSP violations land here). */
  readonly problems: string[];
  /** Every /api/ path the page asked for. */
  readonly requests: string[];
}

export async function openDashboard(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 900 }): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl, reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    // HTTP errors the page handles (401 before sign-in, a 429 we fake) are logged by Chromium too;
    // mail bodies in the sandboxed frame lose their inline styles to the CSP, on purpose.
    if (msg.type() !== 'error' || /Failed to load resource/.test(msg.text()) || msg.location().url === 'about:srcdoc') return;
    problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/')) requests.push(url.pathname);
  });
  await page.goto('/admin');
  await expect.poll(() => page.locator('#login-form').isVisible()).toBe(true);
  return { context, page, problems, requests };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function dashboardLoaded(page: Page): Promise<void> {
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  await page.locator('#queues-body table').waitFor();
  await page.locator('#health-body .verdict').waitFor();
  await page.locator('#audit-body :is(table, p)').waitFor();
}

/** The focused element's id, or its text when it has none. */
export function focusedName(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent);
}

export function focusOutline(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : undefined));
}

export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Elements reaching past the viewport's right edge outside any scrolling container (for a readable failure). */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => {
    if (e.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5) return false;
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return false;
    return !e.closest('[hidden], dialog:not([open])');
  }).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')}`).slice(0, 10));
}

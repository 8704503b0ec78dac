import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { dashboardLoaded, launchBrowser, openDashboard, signIn } from './browser.js';

/**
 * Issue 18: the health section's email group shows each SMTP transport's breaker, in a real
 * Chromium under the dashboard's CSP: smtp-1 (refusing connections, with credentials in its URL)
 * open with its error, smtp-2 closed and carrying the mail; no password on the page.
 */

let primary: SmtpSink;
let secondary: SmtpSink;
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  primary = await new SmtpSink().start();
  secondary = await new SmtpSink().start();
  await primary.stop();
  t = await createTestApp({
    SMTP_URL: `smtp://mailer:hunter2-secret@127.0.0.1:${primary.port},${secondary.url}`, SMTP_COOLDOWN_MS: '600000', SMTP_COOLDOWN_MAX_MS: '600000',
    WORKER_HEARTBEAT_MS: '200', RATE_LIMIT_OVERRIDES: 'admin.jobs=2000',
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await primary.stop();
  await secondary.stop();
});

describe('dashboard: SMTP transports', () => {
  it('shows smtp-1 open with its error and smtp-2 closed with what it sent, without credentials', async () => {
    const user = await t.app.services.users.createUser({ email: `failover-${Date.now()}@mail.test`, password: 'password-123', role: 'VIEWER' });
    await t.app.services.notifications.notify({ userIds: [user.id], type: 'SYSTEM', title: 'Via the second', message: 'm' });
    expect(await waitFor(async () => secondary.mailbox(user.email).length === 1, 15_000)).toBe(true);
    const d = await openDashboard(browser, t.url);
    try {
      await signIn(d.page, ADMIN.email, ADMIN.password);
      await dashboardLoaded(d.page);
      const region = d.page.getByRole('region', { name: 'SMTP transports in order of preference, as the workers report them' });
      // The health section refreshes on its own; the heartbeat carrying the trip arrives within 200 ms.
      await expect.poll(() => region.locator('tbody tr').count(), { timeout: 15_000 }).toBe(2);
      const rows = region.locator('tbody tr');
      await expect.poll(() => rows.nth(0).textContent(), { timeout: 15_000 }).toMatch(/smtp-1.*127\.0\.0\.1:\d+.*Open.*in 1 of 1 worker/);
      expect(await rows.nth(0).textContent()).toMatch(/ECONNREFUSED|connect/i);
      // State, open until, failures in a row, trips, sent, last error.
      await expect.poll(() => rows.nth(1).locator('td').allTextContents(), { timeout: 15_000 }).toEqual(['Closed', '—', '0', '0', '1', '—']);
      // The group's warning names the open transport.
      expect(await d.page.locator('[aria-label="Group email"] .warnings').textContent()).toMatch(/smtp-1 .* is open in 1 of 1 worker/);
      expect(await d.page.content()).not.toContain('hunter2');
      expect(d.problems, 'console errors / CSP violations').toEqual([]);
    } finally {
      await d.context.close();
    }
  }, 60_000);
});

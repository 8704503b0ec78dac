import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The Emails section's tracing tools in Chromium: the summary by outcome and transport, the
// notification search and a notification's timeline (strict CSP: no console error, no violation).

let sink: SmtpSink;
let t: TestApp;
let browser: Browser;
let d: DashboardPage | null = null;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, RATE_LIMIT_OVERRIDES: 'admin.jobs=2000' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
  await sink?.stop();
});

/** A notification emailed to a user through the sink, then read by that user. */
async function deliveredAndRead(title: string) {
  const email = `trace-${randomUUID().slice(0, 8)}@mail.test`;
  const user = await t.app.services.users.createUser({ email, password: 'password-123', role: 'VIEWER' });
  await t.app.services.notifications.notify({ userIds: [user.id], type: 'LICENSE', title, message: `${title}: the licence is live.` });
  expect(await outboxDrained(t.app)).toBe(true);
  expect(sink.mailbox(email)).toHaveLength(1);
  const session = await t.login(email, 'password-123');
  const id = (await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', user.id).executeTakeFirstOrThrow()).id;
  expect((await t.call('POST', `/api/notifications/${id}/read`, { as: session })).status).toBe(200);
  return { id, email };
}

describe('admin dashboard: tracing a message', () => {
  it('finds a notification by its user\'s email and shows its timeline: created, sent via smtp-1, read, in order', async () => {
    const { id, email } = await deliveredAndRead('Licence approved');
    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);

    // The summary counts the email by outcome and by the transport that took it.
    await expect.poll(() => page.locator('#emails-summary').textContent()).toMatch(/Last 24 h: 1 email\./);
    expect(await page.locator('#emails-summary dl[aria-label="Emails by transport"]').textContent()).toContain('smtp-1');

    await page.fill('#notif-search-q', email.toUpperCase());
    await page.click('#notif-search-form button[type="submit"]');
    const rows = page.locator('#notif-search-body tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Licence approved');
    await rows.first().getByRole('link', { name: 'Timeline' }).click();

    const steps = page.locator('#timeline-body .timeline-step');
    await expect.poll(() => steps.count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('#timeline-title').textContent()).toBe('Timeline of “Licence approved”');
    const stages = await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')));
    const order = ['created', 'relayed', 'email-claimed', 'email-sent', 'read'].map((s) => stages.indexOf(s));
    expect(order.every((i) => i >= 0), JSON.stringify(stages)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(await page.locator('#timeline-body [data-stage="email-sent"]').textContent()).toMatch(/via smtp-1 · 250 /);
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('timeline-title');
    expect(page.url()).toContain(`#timeline/${id}`);

    // The Emails list's row links to the same timeline.
    const mailLink = page.locator('#emails-body a', { hasText: 'Timeline' });
    await expect.poll(() => mailLink.count()).toBe(1);
    expect(await mailLink.getAttribute('href')).toBe(`#timeline/${id}`);

    // Text that is neither an email nor an id is refused in the page, without a request.
    await page.fill('#notif-search-q', 'nobody');
    await page.click('#notif-search-form button[type="submit"]');
    await expect.poll(() => page.locator('#notif-search-error').textContent()).toBe('Enter a notification id, a user id or an email address.');
    expect(await overflowing(page)).toEqual([]);
    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

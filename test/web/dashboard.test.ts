import path from 'node:path';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxSettled } from '../helpers/wait.js';
import { dashboardLoaded, focusedName, focusOutline, launchBrowser, openDashboard, overflowing, scrollWidth, signIn, type DashboardPage } from './browser.js';

const CAPTURED = {
  id: '1', key: 'k', kind: 'notification', to: 'a-very-long-address-of-someone@an-even-longer-domain-name.example', status: 'captured', attempts: 1,
  subject: 'Your licence is live <b onclick="pwned=1">now</b>', error: null, text: 'Your licence is live.', createdAt: new Date().toISOString(), sentAt: null,
  html: '<table width="600"><tr><td style="color:red">Your licence is live</td></tr></table><script>parent.pwned = 1</script><img src=x onerror="parent.pwned=1">',
};
// docs/dashboard.png is refreshed on request (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === '1'
  ? fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url))
  : path.join(os.tmpdir(), `herald-dashboard-${process.pid}.png`);

let sink: SmtpSink;
let t: TestApp;
let browser: Browser;
const opened: DashboardPage[] = [];

beforeAll(async () => {
  sink = await new SmtpSink().start();
  // One attempt: an SMTP outage leaves the delivery job failed for an admin to retry.
  // The admin API allows 100 calls a minute per admin; these tests open many dashboards in one.
  // A low minimum of jobs lets a few failures turn the email group unhealthy for the screenshot.
  t = await createTestApp({ SMTP_URL: sink.url, JOB_ATTEMPTS: '1', RATE_LIMIT_OVERRIDES: 'admin.jobs=2000', HEALTH_FAILURE_MIN_JOBS: '4' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await sink?.stop();
});

async function open(viewport?: { width: number; height: number }): Promise<DashboardPage> {
  const d = await openDashboard(browser, t.url, viewport);
  opened.push(d);
  return d;
}

/** Closes a page once its test is done; it must not have logged errors or CSP violations. */
async function finish(d: DashboardPage): Promise<void> {
  opened.splice(opened.indexOf(d), 1);
  await d.context.close();
  expect(d.problems, 'console errors / CSP violations').toEqual([]);
}

async function asAdmin(viewport?: { width: number; height: number }): Promise<DashboardPage> {
  const d = await open(viewport);
  await signIn(d.page, ADMIN.email, ADMIN.password);
  await dashboardLoaded(d.page);
  return d;
}

async function newUser(prefix: string) {
  return t.app.services.users.createUser({ email: `${prefix}-${randomUUID().slice(0, 8)}@mail.test`, password: 'password-123', role: 'VIEWER' });
}

/** A blog post scheduled three hours ahead; its outbox row stays open until it is published, so after any outboxDrained(). */
async function scheduledPost(title: string): Promise<Date> {
  const writer = await t.admin(); // announcements are an admin's power
  const post = await t.call('POST', '/api/blog/posts', { as: writer, body: { title, content: 'Every licence added this spring.', announcement: true } });
  const publishAt = new Date(Date.now() + 3 * 3_600_000);
  publishAt.setUTCSeconds(0, 0);
  expect((await t.call('POST', `/api/blog/posts/${post.body.data.id}/schedule`, { as: writer, body: { publishAt: publishAt.toISOString() } })).status).toBe(200);
  expect(await waitFor(async () => (await t.app.queues.get('blog-publish').getJobState(post.body.data.id)) === 'delayed', 10_000)).toBe(true);
  return publishAt;
}

async function delivered(title: string): Promise<void> {
  const user = await newUser('ok');
  await t.app.services.notifications.notify({ userIds: [user.id], type: 'SYSTEM', title, message: `${title}: all good.` });
  expect(await waitFor(async () => sink.mailbox(user.email).length === 1, 15_000)).toBe(true);
}

/** A delivery job that failed for good (SMTP down, one attempt); the sink is back afterwards. */
async function failedDelivery(): Promise<{ jobId: string; email: string }> {
  const user = await newUser('fail');
  const queue = t.app.queues.get('notification-delivery');
  const before = new Set((await queue.getJobs(['failed'])).map((j) => j.id));
  await sink.stop();
  await t.app.services.notifications.notify({ userIds: [user.id], type: 'SYSTEM', title: 'Contract signed', message: 'Your licence is live.' });
  // The failure is the point: the delivery's outbox row failed for good (outboxDrained would throw).
  expect(await outboxSettled(t.app)).toEqual({ drained: true, failed: [expect.objectContaining({ queue: 'notification-delivery' })] });
  await sink.start();
  const job = (await queue.getJobs(['failed'])).find((j) => !before.has(j.id) && /not sent yet/.test(j.failedReason));
  expect(job).toBeDefined();
  return { jobId: job!.id!, email: user.email };
}

describe('admin dashboard', () => {
  afterAll(async () => {
    for (const d of opened.splice(0)) await d.context.close();
  });

  it('signs an admin in and shows overall health and the queue table', async () => {
    const { page } = await asAdmin();
    // A fresh app with no job run yet: every group, PostgreSQL and Redis fine.
    await expect.poll(() => page.locator('#health-body .verdict').textContent()).toBe('✓ Healthy Every job group, PostgreSQL and Redis are fine.');
    await expect.poll(() => page.locator('#health-body').textContent()).toMatch(/PostgreSQL\s*Up/);
    await expect.poll(() => page.locator('#health-body').textContent()).toMatch(/Redis\s*Up/);
    await expect.poll(() => page.locator('#health-body').textContent()).toContain('Group email');
    const rows = page.locator('#queues-body tbody tr');
    await expect.poll(() => rows.count()).toBe(QUEUE_NAMES.length);
    for (const name of QUEUE_NAMES) {
      expect(await rows.filter({ hasText: name }).count(), name).toBe(1);
    }
    expect(await page.locator('#queues-body th[scope="col"]').allTextContents()).toEqual(expect.arrayContaining(['Queue', 'Waiting', 'Failed', 'Workers']));
    expect(await page.locator('#queues-body svg[role="img"]').count()).toBe(QUEUE_NAMES.length);
    await expect.poll(() => page.locator('#schedules-body').textContent()).toContain('digest-daily');
    await expect.poll(() => page.locator('#workers-body tbody tr').count()).toBe(1);
    expect(await page.locator('#whoami').textContent()).toBe(ADMIN.email);
  });

  it('shows errors such as a 429 with its Retry-After in the live region', async () => {
    const { page } = opened[0]!;
    await page.route('**/api/admin/jobs/health', (route) => route.fulfill({
      status: 429, headers: { 'retry-after': '7' }, contentType: 'application/json',
      body: JSON.stringify({ success: false, error: 'Too many requests. Please try again later.' }),
    }));
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Too many requests (429). Retrying in 7 s.');
    await page.route('**/api/admin/jobs/health', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"success":false,"error":"Service unavailable"}' }));
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Server error (503): Service unavailable');
    await page.unroute('**/api/admin/jobs/health');
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('');
  });

  it('lists a failed delivery with its error and stack, and retries it after confirmation', async () => {
    const { jobId, email } = await failedDelivery();
    const { page } = opened[0]!;
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const card = page.locator(`#failed-body li[data-job-id="${jobId}"]`);
    await card.waitFor();
    expect(await card.locator('.error-text').textContent()).toMatch(/not sent yet/);
    await card.getByText('Stack trace').click();
    await expect.poll(() => card.locator('pre').textContent()).toMatch(/Error: .*not sent yet[\s\S]*at /);

    await card.getByRole('button', { name: `Retry job ${jobId}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Retry job ${jobId} of notification-delivery?`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await card.isVisible()).toBe(true);
    expect(sink.mailbox(email)).toHaveLength(0);

    await card.getByRole('button', { name: `Retry job ${jobId}` }).click();
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe(`Job ${jobId} retried.`);
    const job = () => t.app.queues.get('notification-delivery').getJob(jobId);
    expect(await waitFor(async () => (await (await job())?.getState()) === 'completed', 15_000)).toBe(true);
    expect(await waitFor(async () => sink.mailbox(email).length === 1, 5_000)).toBe(true);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#audit-body').textContent()).toContain('job.retry');
    await finish(opened[0]!);
  });

  it('shows a creator the access-denied page and no admin data', async () => {
    const creator = await t.user('CREATOR');
    const d = await open();
    await signIn(d.page, creator.user.email, 'password-123');
    const denied = d.page.getByRole('heading', { name: 'Access denied — admin only' });
    await denied.waitFor();
    expect(await d.page.locator('#denied-user').textContent()).toBe(`${creator.user.email} (CREATOR)`);
    expect(await d.page.locator('#dashboard').isHidden()).toBe(true);
    expect(await d.page.locator('body').textContent()).not.toContain('notification-delivery');
    expect(d.requests.filter((p) => p.startsWith('/api/admin'))).toEqual([]);
    await d.page.getByRole('button', { name: 'Sign out' }).click();
    await d.page.locator('#login-form').waitFor();
    expect((await d.page.request.get('/api/auth/me')).status()).toBe(401);
    await finish(d);
  });

  it('can be signed into with the keyboard alone, with a visible focus', async () => {
    const d = await open();
    const { page } = d;
    const focused = () => focusedName(page);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to main content');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('login-email');
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('login-password');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBe('Wrong email or password.');
    expect(await focused()).toBe('login-password');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('login-submit');
    expect(await focusOutline(page)).toBe('solid');
    await page.keyboard.press('Enter');
    await dashboardLoaded(page);
    // Signing in moves focus to <main> once boot() has finished, which may be just after the
    // sections render: a Tab pressed in between is undone by it (a full CI run read 'main').
    await expect.poll(focused).toBe('main');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Health');
    await page.locator('#refresh-toggle').focus();
    await page.keyboard.press('Space');
    expect(await page.locator('#refresh-toggle').getAttribute('aria-pressed')).toBe('true');
    await finish(d);
  });

  it('takes a screenshot of the dashboard with data', async () => {
    await delivered('Welcome to Herald');
    await delivered('New licence request');
    await failedDelivery();
    const title = 'Spring catalogue: every new licence, creator and brand of the season in one long announcement';
    const publishAt = await scheduledPost(title);
    await t.app.database.db.insertInto('metrics_aggregation_jobs_log').values([
      { job_type: 'hourly', status: 'COMPLETED', period_start_date: new Date(Date.now() - 7_200_000), period_end_date: new Date(Date.now() - 3_600_000), started_at: new Date(Date.now() - 3_500_000), completed_at: new Date(Date.now() - 3_480_000), records_processed: 12_840, records_created: 310, records_updated: 1_204, duration_seconds: 18.4, metadata: JSON.stringify({}) },
      { job_type: 'daily', status: 'FAILED', period_start_date: new Date(Date.now() - 2 * 86_400_000), period_end_date: new Date(Date.now() - 86_400_000), started_at: new Date(Date.now() - 600_000), records_processed: 5_000, errors_count: 1, error_message: 'canceling statement due to statement timeout', metadata: JSON.stringify({}) },
    ]).execute();
    const d = await asAdmin({ width: 1280, height: 900 });
    const { page } = d;
    await page.locator('#failed-body li.job').first().waitFor();
    expect(await page.locator('#health-body .verdict').textContent()).toMatch(/^✗ Unhealthy Failing: (.+, )?email(, .+)?$/);
    expect(await page.getByRole('article', { name: 'Group email' }).locator('.problems').textContent()).toMatch(/^notification-delivery: \d+% of jobs failed in the last 15 minutes$/);
    await page.locator('#logs-body tbody tr').first().waitFor();
    await page.locator('#emails-body li.mail').first().waitFor();
    const post = page.getByRole('region', { name: 'Scheduled posts' }).locator('tbody tr', { hasText: title });
    await post.waitFor();
    expect(await post.locator('th').textContent()).toBe(`${title}Announcement to every user`);
    expect(await post.locator('td').allTextContents()).toEqual([`${publishAt.toISOString().slice(0, 16).replace('T', ' ')} UTCin 3 h`, 'Job waiting']);
    expect(await page.getByRole('article', { name: 'Group blog' }).textContent()).toContain('Healthy');
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await finish(d);
  });

  it('fits a 375 px wide screen without horizontal overflow', async () => {
    const d = await open({ width: 375, height: 812 });
    const { page } = d;
    // A captured mail (bodies are kept only without SMTP) with markup that must stay inert.
    await page.route('**/api/admin/emails?*', (route) => route.fulfill({
      contentType: 'application/json', body: JSON.stringify({ success: true, data: [CAPTURED], pagination: { page: 1, pageSize: 5, total: 1, totalPages: 1 } }),
    }));
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);
    await page.locator('#failed-body li.job').first().waitFor();
    await page.locator('#emails-body li.mail').first().waitFor();
    await page.locator('#failed-body summary').first().click();
    const mail = page.locator('#emails-body li.mail', { hasText: CAPTURED.subject });
    await mail.locator('summary').click();
    await mail.locator('iframe').waitFor();
    expect(await mail.locator('iframe').getAttribute('sandbox')).toBe('');
    expect(await mail.locator('iframe').contentFrame().locator('body').textContent()).toContain('Your licence is live');
    expect(await page.evaluate('"pwned" in window')).toBe(false);
    await page.screenshot({ path: path.join(os.tmpdir(), `herald-dashboard-375-${process.pid}.png`), fullPage: true });
    expect(await overflowing(page)).toEqual([]);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await page.locator('#logs-body tbody tr').first().waitFor();
    const wraps = await page.locator('.table-wrap').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    for (const right of wraps) expect(right).toBeLessThanOrEqual(375);
    await page.locator('#failed-body button.danger').first().click();
    await page.getByRole('dialog').waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await finish(d);
  });
});

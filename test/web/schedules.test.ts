import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pausedSchedules } from '../../src/platform/queue/schedule-state.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { dashboardLoaded, launchBrowser, openDashboard, overflowing, signIn, type DashboardPage } from './browser.js';

// The Schedules section's controls in Chromium (strict CSP: no console error, no violation): Pause
// behind the confirm dialog (Cancel keeps it running), the paused badge, Run now (confirmed, and
// said to run although paused), the last runs opened from the row, Resume.

let t: TestApp;
let browser: Browser;
let d: DashboardPage | null = null;

beforeAll(async () => {
  // No worker: a run-now stays waiting, as the last runs then show it.
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { roles: ['api', 'scheduler'] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await t?.close();
});

async function pastRuns() {
  const db = t.app.database.db;
  const at = Date.now() - 3_600_000;
  await sql`SELECT job_history_ensure_partition(${new Date(at).toISOString().slice(0, 10)}::date)`.execute(db);
  const row = (ms: number, extra: Record<string, unknown>) => ({
    queue: 'media-scan', job_id: `repeat:media-sweep:${ms}`, name: 'MediaSweep', state: 'completed', data: '{}', attempts: 1,
    created_at: new Date(ms), processed_at: new Date(ms + 10), finished_at: new Date(ms + 2_510), wait_ms: 10, run_ms: 2_500, schedule_id: 'media-sweep', search_text: 'x', ...extra,
  });
  await db.insertInto('job_history').values([row(at - 60_000, {}), row(at, { state: 'failed', failed_reason: 'disk unreadable' })] as never).execute();
}

describe('admin dashboard: schedule control', () => {
  it('pauses through the confirm dialog, runs now, lists the last runs, resumes', async () => {
    await pastRuns();
    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);
    const row = page.locator('#schedules-body tbody tr', { has: page.locator('th', { hasText: /^media-sweep/ }) });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('On time');

    // Cancel keeps it running.
    await page.getByRole('button', { name: 'Pause schedule media-sweep' }).click();
    expect(await page.locator('#confirm-message').textContent()).toBe('Pause schedule media-sweep? Nothing of it runs until it is resumed; the runs that fall meanwhile are skipped, not made up.');
    await page.click('#confirm-cancel');
    expect((await pausedSchedules(t.app.database.db)).has('media-sweep')).toBe(false);

    await page.getByRole('button', { name: 'Pause schedule media-sweep' }).click();
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Schedule media-sweep paused.');
    await expect.poll(() => row.textContent()).toMatch(/Paused\s*since/);
    expect((await pausedSchedules(t.app.database.db)).has('media-sweep')).toBe(true);
    expect(await t.app.queues.get('media-scan').getJobScheduler('media-sweep')).toBeFalsy();

    // Run now, confirmed, runs although paused.
    await page.getByRole('button', { name: 'Run media-sweep now' }).click();
    expect(await page.locator('#confirm-message').textContent()).toBe('Run schedule media-sweep now? One MediaSweep job on media-scan, outside its pattern. It runs although the schedule is paused.');
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Run schedule-run-media-sweep-\d+ of media-sweep queued\.$/);
    const jobId = /Run (\S+) of/.exec((await page.locator('#notice').textContent())!)![1]!;
    expect(await t.app.queues.get('media-scan').getJobState(jobId)).toBe('waiting');

    // The last runs: the waiting run first, then history's, newest first.
    await row.getByText('Last runs').click();
    const runs = row.locator('ol.runs li');
    await expect.poll(() => runs.count()).toBe(3);
    expect(await runs.nth(0).textContent()).toMatch(/^waiting manual · not started yet/);
    expect(await runs.nth(1).textContent()).toMatch(/^failed schedule · finished .* ago · 2\.5 s disk unreadable$/);
    expect(await runs.nth(2).textContent()).toMatch(/^completed schedule · finished .* ago · 2\.5 s$/);

    // Resume: no confirmation (nothing is lost by it).
    await page.getByRole('button', { name: 'Resume schedule media-sweep' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Schedule media-sweep resumed: its next run is computed from now.');
    await expect.poll(() => row.textContent()).toContain('On time');
    expect((await t.app.queues.get('media-scan').getJobScheduler('media-sweep'))?.next).toBeGreaterThan(Date.now());
    // The refresh kept the runs list open, filled again.
    expect(await row.locator('details').getAttribute('open')).not.toBeNull();
    await expect.poll(() => runs.count()).toBe(3);

    const audit = await t.app.database.db.selectFrom('admin_audit').select('action').where('action', 'like', 'schedule.%').orderBy('created_at').execute();
    expect(audit.map((a) => a.action)).toEqual(['schedule.pause', 'schedule.run', 'schedule.resume']);

    expect(await overflowing(page)).toEqual([]);
    await d.context.close();
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
    d = null;
  });
});

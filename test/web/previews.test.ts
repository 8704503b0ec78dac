import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_SCANNER_WARNING } from '../../src/media/media.health.js';
import { QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { ADMIN } from '../helpers/context.js';
import { assetWhen, creatorAsset, createMediaApp, upload, type MediaTestApp } from '../media/helpers.js';
import { dashboardLoaded, launchBrowser, openDashboard, signIn, type DashboardPage } from './browser.js';

/** The dashboard's previews section: assets missing a preview, with their error, and the re-run buttons. */

let m: MediaTestApp;
let browser: Browser;
let d: DashboardPage | null = null;

beforeAll(async () => {
  // No preview worker: the pending preview stays pending while the page shows it.
  m = await createMediaApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=2000' }, { queues: QUEUE_NAMES.filter((q) => q !== 'file-preview-generation') });
  browser = await launchBrowser();
});
afterAll(async () => {
  await d?.context.close();
  await browser?.close();
  await m?.close();
});

const mp4Header = Buffer.from('00000018667479706973366d0000020069736f6d69736f32', 'hex');

describe('previews on the dashboard', () => {
  it('lists failed and pending previews, re-runs one and all, and shows the scanner warning', async () => {
    const { t } = m;
    // A corrupt video: its thumbnail fails, its preview job waits (no worker here), so its failure is written as the job would.
    const broken = await creatorAsset(t, 'VIDEO');
    expect((await upload(t, broken.session, broken.assetId, Buffer.concat([mp4Header, randomBytes(5000)]))).status).toBe(200);
    await assetWhen(t, broken.session, broken.assetId, (a) => a.metadata?.thumbnailError !== undefined);
    await t.app.database.db.updateTable('ip_assets').set({ metadata: JSON.stringify({ previewGenerated: false, previewError: 'The file is not a readable audio or video file (moov atom not found).', previewLastAttempt: new Date().toISOString() }) })
      .where('id', '=', broken.assetId).execute();
    const pending = await creatorAsset(t, 'AUDIO');
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt '), Buffer.alloc(200)]);
    expect((await upload(t, pending.session, pending.assetId, wav)).status).toBe(200);
    await assetWhen(t, pending.session, pending.assetId, (a) => a.scanStatus === 'CLEAN');

    d = await openDashboard(browser, t.url);
    const { page } = d;
    await signIn(page, ADMIN.email, ADMIN.password);
    await dashboardLoaded(page);
    await expect.poll(() => page.getByRole('article', { name: 'Group previews' }).textContent()).toContain(NO_SCANNER_WARNING);

    const section = page.locator('#previews-body');
    await expect.poll(() => section.locator('h3').textContent()).toBe('2 assets without a preview');
    const failedRow = section.locator('tbody tr', { hasText: broken.assetId });
    expect(await failedRow.locator('td').first().textContent()).toBe('Failed The file is not a readable audio or video file (moov atom not found).');
    expect(await section.locator('tbody tr', { hasText: pending.assetId }).locator('td').first().textContent()).toBe('Pending');

    await failedRow.getByRole('button', { name: /^Re-run the preview of / }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Preview of "A video" queued \(job .+\)\.$/);

    await section.getByRole('button', { name: 'Re-run all missing (2)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Re-run all' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('2 previews queued.');
    // Queued means committed to the outbox: the jobs reach BullMQ when the relay passes.
    const adminRuns = async () => new Set((await t.app.queues.get('file-preview-generation').getJobs(['waiting', 'prioritized']))
      .filter((j) => j.data.trigger === 'admin').map((j) => j.data.assetId));
    await expect.poll(adminRuns).toEqual(new Set([broken.assetId, pending.assetId]));
    await expect.poll(() => page.locator('#audit-body').textContent()).toContain('previews.run-missing');
    expect(d.problems, 'console errors / CSP violations').toEqual([]);
  });
});

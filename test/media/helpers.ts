import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { AppOptions } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { withCreator } from '../catalog/helpers.js';
import { createTestApp, type Call, type Session, type TestApp } from '../helpers/context.js';
import { outboxSettled, queueIdle } from '../helpers/wait.js';

/** A test app whose storage and job temp folders are the test's own, so it can look inside them. */
export interface MediaTestApp {
  readonly t: TestApp;
  readonly storageDir: string;
  readonly tmpDir: string;
  close(): Promise<void>;
}

export async function createMediaApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<MediaTestApp> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'herald-media-app-'));
  const storageDir = path.join(root, 'storage');
  const tmpDir = path.join(root, 'tmp');
  // Fast retries: a test that provokes a machine failure sees the last attempt quickly.
  const t = await createTestApp({ STORAGE_DIR: storageDir, MEDIA_TMP_DIR: tmpDir, JOB_BACKOFF_MS: '50', ...env }, options).catch(async (err: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw err;
  });
  return {
    t, storageDir, tmpDir,
    async close() {
      await t.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** POST /api/assets/:id/file as multipart/form-data with one file part. */
export async function upload(t: TestApp, as: Session, assetId: string, data: Uint8Array, fileName = 'upload.bin'): Promise<Call> {
  const form = new FormData();
  form.append('file', new Blob([data]), fileName);
  const res = await fetch(`${t.url}/api/assets/${assetId}/file`, { method: 'POST', headers: { authorization: `Bearer ${as.token}` }, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body };
}

/** A creator with one asset of the type (metadata given at creation). */
export async function creatorAsset(t: TestApp, type: string, metadata?: Record<string, unknown>): Promise<{ session: Session; assetId: string }> {
  const { session } = await withCreator(t);
  const res = await t.call('POST', '/api/assets', { as: session, body: { title: `A ${type.toLowerCase()}`, type, ...(metadata ? { metadata } : {}) } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { session, assetId: res.body.data.id };
}

const PIPELINE = ['media-scan', 'media-thumbnail', 'file-preview-generation'] as const;

/** Until the upload's pipeline has nothing left to do; returns the asset as its owner reads it. */
export async function settled(t: TestApp, as: Session, assetId: string, timeoutMs = 25_000): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  // A pipeline job failed for good is an outcome here (bad input, clamd refusing): callers assert
  // it through the asset's state, so failed rows are taken as settled (outboxSettled, not outboxDrained).
  expect((await outboxSettled(t.app, timeoutMs)).drained).toBe(true);
  for (const q of PIPELINE) expect(await queueIdle(t.app, q, timeoutMs), q).toBe(true);
  expect((await outboxSettled(t.app, timeoutMs)).drained).toBe(true);
  const res = await t.call('GET', `/api/assets/${assetId}`, { as });
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Until the asset's metadata satisfies check (the pipeline wrote its last step). */
export async function assetWhen(t: TestApp, as: Session, assetId: string, check: (asset: Record<string, any>) => boolean, timeoutMs = 25_000) { // eslint-disable-line @typescript-eslint/no-explicit-any
  let last: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ok = await waitFor(async () => {
    last = (await t.call('GET', `/api/assets/${assetId}`, { as })).body.data;
    return check(last);
  }, timeoutMs, 100);
  expect(ok, `asset never reached the expected state: ${JSON.stringify(last)}`).toBe(true);
  return last;
}

/** Every file under a folder, relative to it. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** GET a file route with headers, the body as bytes. */
export async function fetchFile(t: TestApp, as: Session, urlPath: string, headers: Record<string, string> = {}) {
  const res = await fetch(t.url + urlPath, { headers: { authorization: `Bearer ${as.token}`, ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_REQUIRED } from '../../src/platform/http/auth.js';
import { ADMIN, createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * The access matrix: every route of the route table × {anonymous, VIEWER, CREATOR, BRAND, ADMIN,
 * the owner of the resource}, each with the answer it must get, checked against the live service.
 * Resource routes run on real fixtures owned by user A: the role columns are other users (the
 * owner's role among them: "another user's resource"), who must not see what is not theirs (404,
 * the very answer of a missing id) or, where the resource is visible to them, may not change it
 * (403). A route missing from TABLE fails with its name, and so does an entry without a route.
 */

/** 'ok': 2xx. 'pass': past access control (not 401/403/404, not 5xx: a 400 or 409 is the handler's). */
type Outcome = number | 'ok' | 'pass' | { status: number; error: string };
type Actor = 'anonymous' | 'VIEWER' | 'CREATOR' | 'BRAND' | 'ADMIN' | 'owner';
type Expectations = Record<Exclude<Actor, 'owner'>, Outcome> & { owner?: Outcome };

type Kind = 'creator' | 'brand' | 'project' | 'asset' | 'license' | 'post' | 'scheduledPost' | 'notification';
interface Fixture { id: string; owner: Session }

interface Rule {
  expect: Expectations;
  /** The path's id is this kind of fixture, owned by `owner`. */
  resource?: Kind;
  /** Destructive: every actor that may succeed gets a fixture of its own. */
  fresh?: boolean;
  /** Values of other path parameters (or of all, for non-resource routes). */
  params?: () => Promise<Record<string, string>> | Record<string, string>;
  query?: () => string;
  body?: () => unknown;
  /** An event stream: only the status is read. */
  stream?: boolean;
  /** Each call signs in anew (the route ends the session it is called with). */
  ownSession?: boolean;
}

const UNAUTHORIZED: Outcome = { status: 401, error: 'Unauthorized' };
const NOT_ADMIN: Outcome = { status: 403, error: ADMIN_REQUIRED };
const FILE_NOT_FOUND: Outcome = { status: 404, error: 'File not found' };

const pub = (o: Outcome = 'ok', extra: Partial<Expectations> = {}): Expectations => ({ anonymous: o, VIEWER: o, CREATOR: o, BRAND: o, ADMIN: o, ...extra });
const signedIn = (o: Outcome = 'ok', extra: Partial<Expectations> = {}): Expectations => ({ anonymous: UNAUTHORIZED, VIEWER: o, CREATOR: o, BRAND: o, ADMIN: o, ...extra });
const adminOnly = (o: Outcome = 'ok'): Expectations => ({ anonymous: UNAUTHORIZED, VIEWER: NOT_ADMIN, CREATOR: NOT_ADMIN, BRAND: NOT_ADMIN, ADMIN: o });
/** Owner and admins may; everyone else gets `others` (404: invisible), unless overridden per role. */
const owned = (opts: { owner?: Outcome; admin?: Outcome; others?: Outcome } & Partial<Expectations> = {}): Expectations => {
  const { owner = 'ok', admin = 'ok', others = 404, ...extra } = opts;
  return { anonymous: UNAUTHORIZED, VIEWER: others, CREATOR: others, BRAND: others, ADMIN: admin, owner, ...extra };
};

const PASSWORD = 'password-123';
let t: TestApp;
let storageDir: string;
const actors = {} as Record<Exclude<Actor, 'anonymous' | 'owner'>, Session>;
let creatorA: Session;
let brandA: Session;
let viewerA: Session;
let publishedAssetId: string;
let png: Buffer;
const shared = new Map<Kind, Promise<Fixture>>();

async function post(as: Session, url: string, body: unknown): Promise<string> {
  const res = await t.call('POST', url, { as, body });
  if (res.status !== 201) throw new Error(`${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.id as string;
}

async function ownerWithProfile(role: 'CREATOR' | 'BRAND'): Promise<Fixture> {
  const owner = await t.user(role);
  const id = role === 'CREATOR' ? await post(owner, '/api/creators', { stageName: 'Matrix creator' }) : await post(owner, '/api/brands', { companyName: 'Matrix brand' });
  return { id, owner };
}

const CONTENT = { type: 'SYSTEM', title: 'Matrix', message: 'Hello', priority: 'MEDIUM', actionUrl: null, metadata: null, critical: false } as const;
const inFuture = () => new Date(Date.now() + 86_400_000).toISOString();

const make: Record<Kind, () => Promise<Fixture>> = {
  creator: () => ownerWithProfile('CREATOR'),
  brand: () => ownerWithProfile('BRAND'),
  project: async () => ({ id: await post(brandA, '/api/projects', { title: 'Draft project', status: 'DRAFT' }), owner: brandA }),
  asset: async () => {
    const id = await post(creatorA, '/api/assets', { title: 'Draft asset', type: 'IMAGE', status: 'DRAFT' });
    const form = new FormData();
    form.append('file', new Blob([png]), 'pixel.png');
    const res = await fetch(`${t.url}/api/assets/${id}/file`, { method: 'POST', headers: { authorization: `Bearer ${creatorA.token}` }, body: form });
    if (res.status >= 300) throw new Error(`upload → ${res.status} ${await res.text()}`);
    return { id, owner: creatorA };
  },
  license: async () => ({ id: await post(brandA, '/api/licenses', { assetId: publishedAssetId, startsAt: new Date().toISOString() }), owner: brandA }),
  post: async () => ({ id: await post(creatorA, '/api/blog/posts', { title: 'Draft post', content: 'Words' }), owner: creatorA }),
  scheduledPost: async () => {
    const id = await post(creatorA, '/api/blog/posts', { title: 'Scheduled post', content: 'Words' });
    const res = await t.call('POST', `/api/blog/posts/${id}/schedule`, { as: creatorA, body: { publishAt: inFuture() } });
    if (res.status !== 200) throw new Error(`schedule → ${res.status}`);
    return { id, owner: creatorA };
  },
  notification: async () => {
    const { batchId } = await t.app.services.notifications.create({ userIds: [viewerA.user.id] }, CONTENT);
    const row = await t.app.database.db.selectFrom('notifications').select('id').where('batch_id', '=', batchId!).executeTakeFirstOrThrow();
    return { id: row.id, owner: viewerA };
  },
};
const fixture = (kind: Kind, fresh: boolean) => {
  if (fresh) return make[kind]();
  if (!shared.has(kind)) shared.set(kind, make[kind]());
  return shared.get(kind)!;
};

let jobCounter = 0;
const newJob = async () => {
  const job = await t.app.queues.add('search-index-bulk', 'SearchIndexBulk', { entityType: 'asset', entityIds: [] }, { jobId: `matrix-${++jobCounter}`, delay: 3_600_000 });
  return { queueName: 'search-index-bulk', jobId: job.id! };
};
const webhookEndpoint = async () => ({ id: (await t.app.services.webhooks.create(actors.ADMIN.user.id, { url: 'https://203.0.113.10/hook', events: ['email.sent'] })).id });
const webhookDelivery = async () => {
  const { id } = await webhookEndpoint();
  return { id, deliveryId: (await t.app.services.webhooks.test(actors.ADMIN.user.id, id)).deliveryId };
};
const suppressedAddress = async () => {
  const email = `matrix-${randomUUID().slice(0, 8)}@Matrix.test`;
  await t.app.database.db.transaction().execute((trx) => t.app.services.suppressions.suppress(trx, { email, reason: 'hard-bounce', source: 'smtp' }));
  return { email };
};
let batchId: string;
let unsubscribeToken: string;

const TABLE: Record<string, Rule> = {
  // Operations and pages: no session needed.
  'GET /metrics': { expect: pub() },
  'GET /metrics/queues': { expect: pub() },
  'GET /api/health': { expect: pub() },
  'GET /api/openapi.json': { expect: pub() },
  'GET /api/analytics/openapi.json': { expect: pub() },
  'GET /api/docs': { expect: pub() },
  'GET /api/docs/:file': { expect: pub(), params: () => ({ file: 'init.js' }) },
  'GET /admin': { expect: pub() },
  'GET /admin/': { expect: pub() },
  'GET /admin/:file': { expect: pub(), params: () => ({ file: 'app.js' }) },
  'GET /': { expect: pub() },
  'GET /inbox/:file': { expect: pub(), params: () => ({ file: 'inbox.css' }) },
  // The signed token is the authority (test/notifications/unsubscribe-security.test.ts).
  'GET /api/notifications/unsubscribe': { expect: pub(), query: () => `token=${unsubscribeToken}` },
  'POST /api/notifications/unsubscribe': { expect: pub(), query: () => `token=${unsubscribeToken}` },

  // Auth.
  'POST /api/auth/login': { expect: pub(), body: () => ({ email: viewerA.user.email, password: PASSWORD }) },
  'POST /api/auth/logout': { expect: signedIn(), ownSession: true },
  'GET /api/auth/me': { expect: signedIn() },
  // An empty body: past access control it is the schema's 400 (changing passwords: test/auth/sessions.test.ts).
  'POST /api/auth/password': { expect: signedIn(400), body: () => ({}) },
  'POST /api/admin/users': { expect: adminOnly(201), body: () => ({ email: `m${randomUUID().slice(0, 8)}@test.local`, password: PASSWORD, role: 'VIEWER' }) },

  // Catalog. Profiles are visible to everyone signed in: another's is 403 to change, not 404.
  'POST /api/creators': { expect: signedIn('pass', { VIEWER: 403, BRAND: 403 }), body: () => ({ stageName: 'Another' }) },
  'GET /api/creators': { expect: signedIn() },
  'GET /api/creators/:id': { resource: 'creator', expect: owned({ others: 'ok' }) },
  'PATCH /api/creators/:id': { resource: 'creator', expect: owned({ others: 403 }), body: () => ({ bio: 'Changed' }) },
  'DELETE /api/creators/:id': { resource: 'creator', fresh: true, expect: owned({ others: 403 }) },
  'POST /api/brands': { expect: signedIn('pass', { VIEWER: 403, CREATOR: 403 }), body: () => ({ companyName: 'Another' }) },
  'GET /api/brands': { expect: signedIn() },
  'GET /api/brands/:id': { resource: 'brand', expect: owned({ others: 'ok' }) },
  'PATCH /api/brands/:id': { resource: 'brand', expect: owned({ others: 403 }), body: () => ({ companyName: 'Changed' }) },
  'DELETE /api/brands/:id': { resource: 'brand', fresh: true, expect: owned({ others: 403 }) },
  // Drafts: invisible to anyone but their owner and admins.
  'POST /api/projects': { expect: signedIn('pass', { VIEWER: 403, CREATOR: 403, BRAND: 'ok' }), body: () => ({ title: 'P' }) },
  'GET /api/projects': { expect: signedIn() },
  'GET /api/projects/:id': { resource: 'project', expect: owned() },
  'PATCH /api/projects/:id': { resource: 'project', expect: owned(), body: () => ({ title: 'Changed' }) },
  'DELETE /api/projects/:id': { resource: 'project', fresh: true, expect: owned() },
  'POST /api/assets': { expect: signedIn('pass', { VIEWER: 403, BRAND: 403, CREATOR: 'ok' }), body: () => ({ title: 'A', type: 'IMAGE' }) },
  'POST /api/assets/bulk': { expect: signedIn('pass', { VIEWER: 403, BRAND: 403, CREATOR: 'ok' }), body: () => ({ assets: [{ title: 'A', type: 'IMAGE' }] }) },
  'GET /api/assets': { expect: signedIn() },
  'GET /api/assets/:id': { resource: 'asset', expect: owned() },
  'PATCH /api/assets/:id': { resource: 'asset', expect: owned(), body: () => ({ title: 'Changed' }) },
  'DELETE /api/assets/:id': { resource: 'asset', fresh: true, expect: owned() },
  // The original is the owner's and admins'; nothing generated thumbnails or previews here, so
  // those who may see the asset learn only that (File, not Asset, not found).
  'GET /api/assets/:id/file': { resource: 'asset', expect: owned() },
  'GET /api/assets/:id/thumbnail': { resource: 'asset', expect: owned({ owner: FILE_NOT_FOUND, admin: FILE_NOT_FOUND }) },
  'GET /api/assets/:id/preview': { resource: 'asset', expect: owned({ owner: FILE_NOT_FOUND, admin: FILE_NOT_FOUND }) },
  // Not multipart: past access control, the upload's own 4xx. Another's asset is 404 before the body is read.
  'POST /api/assets/:id/file': { resource: 'asset', expect: owned({ owner: 'pass', admin: 'pass' }), body: () => ({}) },
  // Only the parties and admins see a license.
  'POST /api/licenses': { expect: signedIn('pass', { VIEWER: 403, CREATOR: 403, BRAND: 'ok' }), body: () => ({ assetId: publishedAssetId, startsAt: new Date().toISOString() }) },
  'GET /api/licenses': { expect: signedIn() },
  'GET /api/licenses/:id': { resource: 'license', expect: owned() },
  'PATCH /api/licenses/:id': { resource: 'license', expect: owned(), body: () => ({ terms: 'Changed' }) },
  'DELETE /api/licenses/:id': { resource: 'license', fresh: true, expect: owned() },

  // Blog: viewers do not write; drafts are their author's (and admins').
  'POST /api/blog/posts': { expect: signedIn('ok', { VIEWER: 403 }), body: () => ({ title: 'T', content: 'C' }) },
  'GET /api/blog/posts': { expect: signedIn() },
  'GET /api/blog/posts/:id': { resource: 'post', expect: owned() },
  'PATCH /api/blog/posts/:id': { resource: 'post', expect: owned(), body: () => ({ title: 'Changed' }) },
  'DELETE /api/blog/posts/:id': { resource: 'post', fresh: true, expect: owned() },
  'POST /api/blog/posts/:id/schedule': { resource: 'post', fresh: true, expect: owned(), body: () => ({ publishAt: inFuture() }) },
  'DELETE /api/blog/posts/:id/schedule': { resource: 'scheduledPost', fresh: true, expect: owned() },
  'GET /api/admin/jobs/blog/scheduled': { expect: adminOnly() },

  // Notifications: an inbox is its user's alone, admins included.
  'GET /api/notifications': { expect: signedIn() },
  'GET /api/notifications/unread-count': { expect: signedIn() },
  'POST /api/notifications/read-all': { expect: signedIn() },
  'GET /api/notifications/preferences': { expect: signedIn() },
  'PATCH /api/notifications/preferences': { expect: signedIn(), body: () => ({ emailEnabled: true }) },
  'POST /api/notifications/:id/read': { resource: 'notification', expect: owned({ admin: 404 }) },
  'DELETE /api/notifications/:id': { resource: 'notification', fresh: true, expect: owned({ admin: 404 }) },
  'GET /api/notifications/stream': { expect: signedIn(), stream: true },
  // Issue 17: every action finds only the caller's own notifications.
  'POST /api/notifications/seen-all': { expect: signedIn() },
  'POST /api/notifications/:id/unread': { resource: 'notification', expect: owned({ admin: 404 }) },
  'POST /api/notifications/:id/archive': { resource: 'notification', fresh: true, expect: owned({ admin: 404 }) },
  'POST /api/notifications/:id/unarchive': { resource: 'notification', expect: owned({ admin: 404 }) },
  'POST /api/notifications/:id/snooze': { resource: 'notification', fresh: true, expect: owned({ admin: 404 }), body: () => ({ until: inFuture() }) },
  'POST /api/notifications/:id/unsnooze': { resource: 'notification', expect: owned({ admin: 404 }) },
  'POST /api/notifications/bulk': { expect: signedIn(), body: () => ({ ids: ['0b0b0b0b-0000-4000-8000-000000000001'], action: 'seen' }) },
  'POST /api/admin/notifications': { expect: adminOnly(202), body: () => ({ userIds: [viewerA.user.id], type: 'SYSTEM', title: 'T', message: 'M' }) },
  'GET /api/admin/notifications/batches/:id': { expect: adminOnly(), params: () => ({ id: batchId }) },
  // Issue 19's safe broadcasts: admins alone; a recall takes a batch of its own (it hides the batch's rows).
  'POST /api/admin/notifications/preview': { expect: adminOnly(), body: () => ({ all: true, type: 'SYSTEM', title: 'T', message: 'M' }) },
  'GET /api/admin/notifications/batches': { expect: adminOnly() },
  'POST /api/admin/notifications/batches/:id/recall': {
    expect: adminOnly(), params: async () => ({ id: (await t.app.services.notifications.create({ userIds: [viewerA.user.id] }, CONTENT)).batchId }),
  },
  'GET /api/admin/emails': { expect: adminOnly() },
  // The message timeline and search: any user's notification, for admins alone.
  'GET /api/admin/notifications': { expect: adminOnly(), query: () => `userId=${viewerA.user.id}` },
  'GET /api/admin/notifications/:id/timeline': { expect: adminOnly(), params: async () => ({ id: (await make.notification()).id }) },
  'GET /api/admin/emails/summary': { expect: adminOnly() },
  // The suppression list: admins alone; the admin's lift finds the address suppressed (200).
  'GET /api/admin/emails/suppressions': { expect: adminOnly(), query: () => 'q=matrix' },
  'DELETE /api/admin/emails/suppressions/:email': { expect: adminOnly(), params: suppressedAddress },
  'POST /api/admin/jobs/digests/run': { expect: adminOnly(202), body: () => ({ frequency: 'DAILY' }) },

  // Outbound webhooks: admins alone (a public documentation address: no DNS, not private).
  'POST /api/admin/webhooks': { expect: adminOnly(201), body: () => ({ url: 'https://203.0.113.10/hook', events: ['email.sent'] }) },
  'GET /api/admin/webhooks': { expect: adminOnly() },
  'GET /api/admin/webhooks/:id': { expect: adminOnly(), params: webhookEndpoint },
  'PATCH /api/admin/webhooks/:id': { expect: adminOnly(), params: webhookEndpoint, body: () => ({ description: 'matrix' }) },
  'DELETE /api/admin/webhooks/:id': { expect: adminOnly(), params: webhookEndpoint },
  'POST /api/admin/webhooks/:id/test': { expect: adminOnly(202), params: webhookEndpoint },
  'GET /api/admin/webhooks/:id/deliveries': { expect: adminOnly(), params: webhookEndpoint },
  // The test ping is still pending (this process runs no worker): a replay of it is 409.
  'POST /api/admin/webhooks/:id/deliveries/:deliveryId/replay': { expect: adminOnly(409), params: webhookDelivery },

  // Admin job monitoring and queue operations.
  'GET /api/admin/jobs/health': { expect: adminOnly('pass') },
  'GET /api/admin/jobs/workers': { expect: adminOnly('pass') },
  'GET /api/admin/jobs/notifications/stats': { expect: adminOnly() },
  'GET /api/admin/jobs/aggregation/logs': { expect: adminOnly() },
  'POST /api/admin/jobs/aggregation/run': { expect: adminOnly(400), body: () => ({}) },
  'GET /api/admin/jobs/queues': { expect: adminOnly() },
  'GET /api/admin/jobs/schedulers': { expect: adminOnly() },
  // Schedule control (issue 19, job console).
  'POST /api/admin/jobs/schedulers/:id/pause': { expect: adminOnly(), params: () => ({ id: 'media-sweep' }) },
  'POST /api/admin/jobs/schedulers/:id/resume': { expect: adminOnly(), params: () => ({ id: 'media-sweep' }) },
  'POST /api/admin/jobs/schedulers/:id/run': { expect: adminOnly(202), params: () => ({ id: 'media-sweep' }) },
  'GET /api/admin/jobs/schedulers/:id/runs': { expect: adminOnly(), params: () => ({ id: 'media-sweep' }) },
  'GET /api/admin/jobs/queues/:queue/jobs': { expect: adminOnly(), params: () => ({ queue: 'search-index-bulk' }) },
  // The job console's reads: job data and failure reasons (search), per-queue series (metrics).
  'GET /api/admin/jobs/search': { expect: adminOnly(), query: () => 'q=matrix' },
  'GET /api/admin/jobs/queues/:queue/metrics': { expect: adminOnly(), params: () => ({ queue: 'search-index-bulk' }), query: () => 'granularity=hour' },
  'POST /api/admin/jobs/queues/:queue/retry-failed': { expect: adminOnly(), params: () => ({ queue: 'search-index-bulk' }) },
  'POST /api/admin/jobs/queues/:queue/promote': { expect: adminOnly(), params: () => ({ queue: 'analytics-enrichment' }) },
  'POST /api/admin/jobs/queues/:queue/pause': { expect: adminOnly(), params: () => ({ queue: 'analytics-enrichment' }) },
  'POST /api/admin/jobs/queues/:queue/resume': { expect: adminOnly(), params: () => ({ queue: 'analytics-enrichment' }) },
  'POST /api/admin/jobs/queues/:queue/clean': { expect: adminOnly(), params: () => ({ queue: 'search-index-bulk' }), body: () => ({ state: 'completed', olderThanMs: 0 }) },
  // Bulk operations by filter (issue 19, job console): a count, and one step of a retry.
  'POST /api/admin/jobs/queues/:queue/bulk/count': { expect: adminOnly(), params: () => ({ queue: 'search-index-bulk' }), body: () => ({ action: 'retry', state: 'failed' }) },
  'POST /api/admin/jobs/queues/:queue/bulk': {
    expect: adminOnly(), params: () => ({ queue: 'search-index-bulk' }), body: () => ({ action: 'retry', state: 'failed', asOf: new Date(Date.now() - 1_000).toISOString(), expected: 1 }),
  },
  'GET /api/admin/jobs/:queueName/:jobId': { expect: adminOnly(), params: newJob },
  'DELETE /api/admin/jobs/:queueName/:jobId': { expect: adminOnly(), params: newJob },
  'POST /api/admin/jobs/:queueName/:jobId/retry': { expect: adminOnly({ status: 400, error: 'Cannot retry job' }), params: newJob },
  'GET /api/admin/jobs/audit': { expect: adminOnly() },

  // Analytics: platform figures are admins'; a brand's or creator's are its user's (profiles are
  // visible, so another's is 403).
  'POST /api/analytics/events': { expect: pub('ok', { anonymous: UNAUTHORIZED }), body: () => ({ events: [{ eventType: 'asset_viewed' }] }) },
  'GET /api/analytics/platform/overview': { expect: adminOnly() },
  'GET /api/analytics/platform/assets': { expect: adminOnly() },
  'GET /api/analytics/platform/projects': { expect: adminOnly() },
  'GET /api/analytics/brand/:brandId': { resource: 'brand', expect: owned({ others: 403 }) },
  'GET /api/analytics/creator/:creatorId': { resource: 'creator', expect: owned({ others: 403 }) },

  // Bounce/complaint intake: public, its own authentication; no session makes it answer (this app
  // has no EMAIL_WEBHOOK_SECRET, so the generic provider does not exist for anyone).
  'POST /api/webhooks/email/:provider': { expect: pub(404), params: () => ({ provider: 'generic' }), body: () => ({ type: 'bounce', email: 'a@b.test', at: new Date().toISOString() }) },

  // Search: everyone signed in, over what each may see.
  'GET /api/search/unified': { expect: signedIn(), query: () => 'q=matrix' },
  'GET /api/search/assets': { expect: signedIn(), query: () => 'q=matrix' },
  'GET /api/search/creators': { expect: signedIn(), query: () => 'q=matrix' },
  'GET /api/search/projects': { expect: signedIn(), query: () => 'q=matrix' },
  'GET /api/admin/jobs/search-index/stats': { expect: adminOnly() },
  'GET /api/admin/jobs/search-index/runs': { expect: adminOnly() },
  'POST /api/admin/jobs/search-index/reindex': { expect: adminOnly(202) },

  // Previews.
  'GET /api/admin/jobs/previews': { expect: adminOnly() },
  'POST /api/admin/jobs/previews/run': { expect: adminOnly(202), body: () => ({ missing: true }) },
};

function matches(outcome: Outcome, status: number, body: unknown): boolean {
  if (outcome === 'ok') return status >= 200 && status < 300;
  if (outcome === 'pass') return status < 500 && ![401, 403, 404].includes(status);
  if (typeof outcome === 'number') return status === outcome;
  return status === outcome.status && (body as { error?: unknown } | null)?.error === outcome.error;
}

async function send(method: string, url: string, token: string | null, rule: Rule): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const body = rule.body?.();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const res = await fetch(t.url + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal });
  if (rule.stream && res.status === 200) {
    controller.abort();
    return { status: 200, body: null };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* a page */ }
  return { status: res.status, body: parsed };
}

const fill = (template: string, params: Record<string, string>, id?: string) =>
  template.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? id ?? ''));

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'herald-matrix-'));
  // API only: nothing runs the jobs these calls enqueue.
  t = await createTestApp({ STORAGE_DIR: storageDir, MEDIA_TMP_DIR: path.join(storageDir, 'tmp') }, { roles: ['api'] });
  png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#336699' } }).png().toBuffer();
  const [viewer, creator, brand, admin, a, b, v] = await Promise.all([
    t.user('VIEWER'), ownerWithProfile('CREATOR'), ownerWithProfile('BRAND'), t.admin(), ownerWithProfile('CREATOR'), ownerWithProfile('BRAND'), t.user('VIEWER'),
  ]);
  Object.assign(actors, { VIEWER: viewer, CREATOR: creator.owner, BRAND: brand.owner, ADMIN: admin });
  [creatorA, brandA, viewerA] = [a.owner, b.owner, v];
  shared.set('creator', Promise.resolve(a));
  shared.set('brand', Promise.resolve(b));
  publishedAssetId = await post(creatorA, '/api/assets', { title: 'Published asset', type: 'IMAGE', status: 'PUBLISHED' });
  batchId = (await t.app.services.notifications.create({ userIds: [viewerA.user.id] }, CONTENT)).batchId!;
  unsubscribeToken = new URL(t.app.services.delivery.unsubscribeUrl(viewerA.user.id)).searchParams.get('token')!;
}, 60_000);
afterAll(async () => {
  await t.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe('access matrix over the route table', () => {
  it('has a rule for every route, and a route for every rule', () => {
    const routes = t.app.routes.map((r) => `${r.method} ${r.url}`);
    expect(routes.filter((r) => !(r in TABLE)), 'routes without a row in TABLE').toEqual([]);
    expect(Object.keys(TABLE).filter((k) => !routes.includes(k)), 'rows of TABLE without a route').toEqual([]);
    // The table agrees with each route's declared rule (analytics events check their session in the route).
    const declared = (e: Expectations) => (e.anonymous !== UNAUTHORIZED ? 'public' : e.VIEWER === NOT_ADMIN ? 'admin' : 'user');
    const disagree = t.app.routes.filter((r) => {
      const rule = TABLE[`${r.method} ${r.url}`];
      return rule && declared(rule.expect) !== r.access && `${r.method} ${r.url}` !== 'POST /api/analytics/events';
    });
    expect(disagree.map((r) => `${r.method} ${r.url}: ${r.access}`)).toEqual([]);
  });

  it('answers every actor on every route as the table says', async () => {
    const wrong: string[] = [];
    for (const route of t.app.routes) {
      const key = `${route.method} ${route.url}`;
      const rule = TABLE[key];
      if (!rule) continue; // reported by the test above
      const callers: Actor[] = ['anonymous', 'VIEWER', 'CREATOR', 'BRAND', 'ADMIN', ...(rule.resource ? ['owner' as const] : [])];
      const params = rule.params ? await rule.params() : {};
      for (const actor of callers) {
        const outcome = actor === 'owner' ? rule.expect.owner ?? 'ok' : rule.expect[actor];
        const mayChange = outcome === 'ok' || outcome === 'pass' || (typeof outcome === 'number' && outcome < 400);
        const target = rule.resource ? await fixture(rule.resource, Boolean(rule.fresh) && mayChange) : null;
        const freshParams = rule.params && rule.params === newJob && mayChange ? await newJob() : params;
        let session: Session | null = actor === 'anonymous' ? null : actor === 'owner' ? target!.owner : actors[actor];
        if (session && rule.ownSession) session = await t.login(session.user.email, session.user.email === ADMIN.email ? ADMIN.password : PASSWORD);
        const url = fill(route.url, freshParams, target?.id) + (rule.query ? `?${rule.query()}` : '');
        const res = await send(route.method, url, session?.token ?? null, rule);
        if (!matches(outcome, res.status, res.body)) wrong.push(`${key} as ${actor}: expected ${JSON.stringify(outcome)}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 100)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers another user\'s invisible resource exactly as a missing one', async () => {
    const wrong: string[] = [];
    for (const [key, rule] of Object.entries(TABLE)) {
      if (!rule.resource) continue;
      const [method, url] = key.split(' ') as [string, string];
      for (const actor of ['VIEWER', 'CREATOR', 'BRAND'] as const) {
        if (rule.expect[actor] !== 404) continue;
        const target = await fixture(rule.resource, false);
        const hidden = await send(method, fill(url, {}, target.id), actors[actor].token, rule);
        const missing = await send(method, fill(url, {}, randomUUID()), target.owner.token, rule);
        if (JSON.stringify(hidden) !== JSON.stringify(missing)) wrong.push(`${key} as ${actor}: ${JSON.stringify(hidden)} vs missing ${JSON.stringify(missing)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROSS_ORIGIN_REFUSED } from '../../src/platform/http/cors.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Issue 19's admin job console, from the outside: a browser-style client (JSON content type, no
 * body), repeated query parameters, a cross-origin cookie POST, non-admins and the monitoring token,
 * and thirty identical admin requests at once.
 */

const APP_ORIGIN = 'https://app.example.com';
const FOREIGN = 'https://evil.example';
const MONITORING = 'monitoring-token-review19-0123456789';
const SCHEDULE = 'notification-retention';

let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: APP_ORIGIN, MONITORING_TOKEN: MONITORING, SCHEDULE_CHECK_MS: '60000' });
  admin = await t.admin();
});
afterAll(async () => t?.close());

const db = () => t.app.database.db;
const audits = async (action: string) => db().selectFrom('admin_audit').select(['details']).where('action', '=', action).execute();
const broadcast = async (userIds: string[]) => {
  const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', title: 'Hi', message: 'Read this', userIds } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.data.batchId as string;
};

/** A browser's fetch: the Content-Type header always, a body only when there is one. */
async function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(t.url + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('a client that is not ours', () => {
  it('answers the bodiless POSTs with a JSON content type and no body as with no body', async () => {
    const viewer = await t.user('VIEWER');
    const batchId = await broadcast([viewer.user.id]);
    const auth = { authorization: `Bearer ${admin.token}` };
    for (const ct of ['application/json', 'application/json; charset=utf-8']) {
      const h = { ...auth, 'content-type': ct };
      expect(await raw('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/pause`, h)).toMatchObject({ status: 200, body: { success: true } });
      expect(await raw('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/resume`, h, '')).toMatchObject({ status: 200, body: { success: true } });
      expect(await raw('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`, h)).toMatchObject({ status: 202, body: { success: true } });
      expect(await raw('POST', `/api/admin/notifications/batches/${batchId}/recall`, h)).toMatchObject({ status: 200, body: { success: true } });
    }
  });

  it('answers a repeated single-valued query parameter with 400, never a 500; repeated lists are lists', async () => {
    const get = (path: string) => t.call('GET', path, { as: admin });
    for (const path of [
      '/api/admin/jobs/search?q=a&q=b',
      '/api/admin/jobs/search?name=a&name=b',
      '/api/admin/jobs/search?page=1&page=2',
      '/api/admin/jobs/search?from=2026-01-01&from=2026-01-02',
      '/api/admin/jobs/queues/all/metrics?granularity=hour&granularity=day',
      '/api/admin/jobs/queues/all/metrics?from=2026-01-01T00:00:00Z&from=2026-01-02T00:00:00Z',
      '/api/admin/notifications/batches?page=1&page=2',
    ]) {
      const res = await get(path);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
    }
    const lists = await get('/api/admin/jobs/search?queue=notification-inbox&queue=notification-delivery&state=failed&state=waiting');
    expect(lists.status, JSON.stringify(lists.body)).toBe(200);
  });

  it('refuses every new POST made cross-origin with a session cookie', async () => {
    const login = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: APP_ORIGIN },
      body: JSON.stringify({ email: admin.user.email, password: 'admin-password-1' }),
    });
    expect(login.status).toBe(200);
    const cookie = /herald_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    const viewer = await t.user('VIEWER');
    const batchId = await broadcast([viewer.user.id]);
    const posts: Array<[string, unknown]> = [
      [`/api/admin/jobs/schedulers/${SCHEDULE}/run`, undefined],
      [`/api/admin/jobs/schedulers/${SCHEDULE}/pause`, undefined],
      [`/api/admin/jobs/schedulers/${SCHEDULE}/resume`, undefined],
      [`/api/admin/notifications/batches/${batchId}/recall`, undefined],
      ['/api/admin/notifications/preview', { type: 'SYSTEM', title: 'x', message: 'y', userIds: [viewer.user.id] }],
      ['/api/admin/jobs/queues/notification-delivery/bulk/count', { action: 'retry', state: 'failed' }],
      ['/api/admin/jobs/queues/notification-delivery/bulk', { action: 'retry', state: 'failed', asOf: new Date().toISOString(), expected: 1 }],
    ];
    const before = (await db().selectFrom('admin_audit').select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    for (const [path, body] of posts) {
      for (const ct of ['application/json', 'text/plain']) {
        const res = await raw('POST', path, { cookie, origin: FOREIGN, 'content-type': ct }, body === undefined ? undefined : JSON.stringify(body));
        expect(res, `${path} ${ct}`).toMatchObject({ status: 403, body: { error: CROSS_ORIGIN_REFUSED } });
      }
    }
    const after = (await db().selectFrom('admin_audit').select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    expect(after).toBe(before);
    const batch = await t.call('GET', `/api/admin/notifications/batches/${batchId}`, { as: admin });
    expect(batch.body.data.status).not.toBe('recalled');
  });
});

describe('an attacker who is not an admin', () => {
  it('gets nothing from any new route: no data, no email, no job, no audit', async () => {
    const victim = await t.user('VIEWER');
    const batchId = await broadcast([victim.user.id]);
    const callers: Array<[string, Session | string | undefined]> = [
      ['anonymous', undefined], ['VIEWER', await t.user('VIEWER')], ['CREATOR', await t.user('CREATOR')], ['BRAND', await t.user('BRAND')], ['monitoring', MONITORING],
    ];
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/jobs/search?q=a'],
      ['GET', '/api/admin/jobs/queues/all/metrics'],
      ['GET', '/api/admin/jobs/queues/notification-delivery/metrics'],
      ['POST', '/api/admin/jobs/queues/notification-delivery/bulk/count', { action: 'remove', state: 'completed' }],
      ['POST', '/api/admin/jobs/queues/notification-delivery/bulk', { action: 'remove', state: 'completed', asOf: new Date().toISOString(), expected: 1 }],
      ['POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`],
      ['POST', `/api/admin/jobs/schedulers/${SCHEDULE}/pause`],
      ['POST', `/api/admin/jobs/schedulers/${SCHEDULE}/resume`],
      ['GET', `/api/admin/jobs/schedulers/${SCHEDULE}/runs`],
      ['POST', '/api/admin/notifications/preview', { type: 'SYSTEM', title: 'x', message: 'y', all: true }],
      ['POST', '/api/admin/notifications/preview', { type: 'SYSTEM', title: 'x', message: 'y', userIds: [victim.user.id] }],
      ['GET', '/api/admin/notifications/batches'],
      ['POST', `/api/admin/notifications/batches/${batchId}/recall`],
    ];
    const count = async (table: 'admin_audit' | 'notification_batches') => (await db().selectFrom(table).select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    const before = [await count('admin_audit'), await count('notification_batches')];
    for (const [name, as] of callers) {
      for (const [method, path, body] of routes) {
        const res = await t.call(method, path, { as, body });
        const want = name === 'anonymous' || name === 'monitoring' ? 401 : 403;
        expect(res.status, `${name} ${method} ${path}: ${JSON.stringify(res.body)}`).toBe(want);
        expect(res.body?.data).toBeUndefined();
      }
    }
    expect([await count('admin_audit'), await count('notification_batches')]).toEqual(before);
    const batch = await t.call('GET', `/api/admin/notifications/batches/${batchId}`, { as: admin });
    expect(batch.body.data.status).not.toBe('recalled');
  });
});

describe('thirty identical admin requests at once', () => {
  it('run-now: one waiting run', async () => {
    const queue = t.app.queues.get('notification-inbox');
    await queue.pause();
    try {
      const answers = await Promise.all(Array.from({ length: 30 }, () => t.call('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`, { as: admin })));
      for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202);
      const ids = new Set(answers.map((a) => a.body.data.jobId));
      const runs = (await queue.getJobs(['waiting', 'prioritized', 'active', 'delayed'])).filter((j) => j.id?.startsWith(`schedule-run-${SCHEDULE}-`));
      expect(runs.map((j) => j.id)).toEqual([...ids]);
      expect(ids.size).toBe(1);
    } finally {
      await queue.resume();
    }
  });

  it('recall: one recall, one audit, every answer the same', async () => {
    const users = await Promise.all([t.user('VIEWER'), t.user('CREATOR')]);
    const batchId = await broadcast(users.map((u) => u.user.id));
    const answers = await Promise.all(Array.from({ length: 30 }, () => t.call('POST', `/api/admin/notifications/batches/${batchId}/recall`, { as: admin })));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(new Set(answers.map((a) => JSON.stringify(a.body.data.recall))).size).toBe(1);
    const recalls = (await audits('notifications.recall')).filter((r) => (r.details as { batchId?: string }).batchId === batchId);
    expect(recalls).toHaveLength(1);
  });
});

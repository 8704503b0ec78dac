import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

// Review 19e of job search (GET /api/admin/jobs/search) as an outsider: a client repeating list
// values, a caller without admin, a q crafted to be expensive, and job hashes that are partial or
// vanish mid-search. No worker of the app's runs: an added job stays waiting.
let t: TestApp;
let admin: Session;
let redis: RedisClient;
const TIMEOUT_MS = 300;

beforeAll(async () => {
  t = await createTestApp({ JOB_SEARCH_TIMEOUT_MS: String(TIMEOUT_MS), JOB_SEARCH_LIVE_SCAN: '40', RATE_LIMIT_OVERRIDES: 'admin.jobs=100000' }, { roles: ['api'] });
  admin = await t.admin();
  redis = testRedis();
  // History to search: 60,000 failed jobs over six days, their reasons full of numbers and words.
  const db = t.app.database.db;
  for (let d = 0; d < 7; d++) await sql`SELECT job_history_ensure_partition((now() - ${d} * interval '1 day')::date)`.execute(db);
  await sql`INSERT INTO job_history (queue, job_id, name, state, data, failed_reason, attempts, created_at, processed_at, finished_at, wait_ms, run_ms, worker, search_text)
    SELECT 'webhook-delivery', 'seed-' || i, 'WebhookDeliver', 'failed', '{}', r, 1, f, f, f, 1, 1, 'w', lower('seed-' || i || ' webhookdeliver ' || r)
    FROM generate_series(1, 60000) i,
      LATERAL (SELECT now() - (i % 8640) * interval '1 minute' * 0.95 AS f, 'smtp ' || (100 + i % 900) || ' timeout relay ' || (i % 97) || '.' || (i % 13) || ' host-' || (i % 5000) AS r) x`.execute(db);
  await sql`ANALYZE job_history`.execute(db);
}, 120_000);
afterAll(async () => {
  await t.close();
  await redis.quit();
});

const word = () => `zq${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
const raw = (query: string, as: Session | string = admin) => t.call('GET', `/api/admin/jobs/search?${query}`, { as });

describe('list filters repeated or empty', () => {
  it('a queue named twice is read once, more names than queues are the same set, and an empty list is a 400', async () => {
    const once = await raw('queue=media-scan&state=waiting');
    const twice = await raw('queue=media-scan,media-scan&queue=media-scan&state=waiting,waiting');
    expect(once.status).toBe(200);
    expect(twice.status).toBe(200);
    expect(twice.body.live.scanned).toBe(once.body.live.scanned);
    expect((await raw('queue=,')).status).toBe(400);
    expect((await raw('state=,,')).status).toBe(400);
    expect((await raw('q=a&q=b')).status).toBe(400);
  });

  it('a browser fetch naming a JSON body it does not send is answered as without one', async () => {
    const res = await t.call('GET', '/api/admin/jobs/search?queue=media-scan&queue=media-scan', { as: admin, headers: { 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const user = await t.user();
    const inbox = await t.call('GET', '/api/notifications?types=PROJECT,PROJECT&types=PROJECT', { as: user, headers: { 'content-type': 'application/json' } });
    expect(inbox.status, JSON.stringify(inbox.body)).toBe(200);
  });
});

describe('who may search', () => {
  it('a signed-in user who is no admin, and no one, are refused', async () => {
    const user = await t.user();
    expect((await raw('q=anything', user)).status).toBe(403);
    expect((await raw('q=anything', '')).status).toBe(401);
  });
});

describe('a q crafted to be expensive', () => {
  const crafted: Record<string, string> = {
    'many or numbers': Array.from({ length: 55 }, (_, i) => String(100 + i)).join(' or '),
    'many excluded numbers': `timeout ${Array.from({ length: 65 }, (_, i) => `-${1000 + i}`).join(' ')}`,
    'many ids and words': Array.from({ length: 40 }, (_, i) => `a${i}-${900 + i}`).join(' '),
    'quotes and dashes': `"${'-'.repeat(50)}" -"" --"x" ${'" '.repeat(60)}`,
    'or only': Array.from({ length: 130 }, () => 'or').join(' '),
  };
  for (const [name, q] of Object.entries(crafted)) {
    it(`${name}: an answer (200, or 400 past the timeout), never a 500, within the timeout and a margin`, async () => {
      expect(q.length).toBeLessThanOrEqual(400);
      const started = Date.now();
      const res = await raw(new URLSearchParams({ q }).toString());
      const took = Date.now() - started;
      expect([200, 400], JSON.stringify(res.body)).toContain(res.status);
      expect(took).toBeLessThan(TIMEOUT_MS + 1_500);
    });
  }

  it('thirty identical crafted searches at once all answer', async () => {
    const q = Array.from({ length: 55 }, (_, i) => String(100 + i)).join(' or ');
    const all = await Promise.all(Array.from({ length: 30 }, () => raw(new URLSearchParams({ q }).toString())));
    expect(all.map((r) => r.status).filter((s) => s !== 200 && s !== 400)).toEqual([]);
  });
});

describe('job hashes partial, or gone mid-search', () => {
  it('a hash with only some fields is one hit (or none), never a 500', async () => {
    const queue = t.app.queues.get('media-scan');
    const job = await queue.add('MediaScan', { note: word() } as never);
    const key = queue.toKey(job.id!);
    for (const keep of [['data'], ['name'], ['timestamp'], []]) {
      const fields = await redis.hgetall(key);
      const kept = Object.fromEntries(Object.entries(fields).filter(([f]) => keep.includes(f)));
      await redis.del(key);
      if (Object.keys(kept).length > 0) await redis.hset(key, kept);
      else await redis.hset(key, 'atm', 'x');
      const res = await raw(new URLSearchParams({ q: job.id! }).toString());
      expect(res.status, JSON.stringify({ keep, body: res.body })).toBe(200);
      await redis.del(key);
      await redis.hset(key, fields);
    }
  });

  it('a job removed while thirty searches for it run is found or not, never a 500', async () => {
    const queue = t.app.queues.get('media-scan');
    const job = await queue.add('MediaScan', { note: word() } as never);
    const searches = Array.from({ length: 30 }, () => raw(new URLSearchParams({ q: job.id! }).toString()));
    await job.remove();
    const all = await Promise.all(searches);
    expect(all.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
  });
});

describe('numbers as alternatives', () => {
  it('`n1 or n2` (numbers only) finds in history what each finds alone, as the live scan does', async () => {
    const n1 = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
    const n2 = String(Number(n1) + 1);
    const reason = `relay said ${n1} mailbox unavailable`;
    const db = t.app.database.db;
    const finishedAt = new Date(Date.now() - 3_600_000);
    const id = `or-${n1}`;
    await db.insertInto('job_history').values({
      queue: 'webhook-delivery', job_id: id, name: 'WebhookDeliver', state: 'failed', data: '{}', return_summary: null, failed_reason: reason,
      stacktrace: null, attempts: 1, created_at: finishedAt, processed_at: finishedAt, finished_at: finishedAt, wait_ms: 1, run_ms: 1,
      worker: 'w', schedule_id: null, search_text: `${id} webhookdeliver ${reason}`,
    }).execute();
    const live = await t.app.queues.get('media-scan').add('MediaScan', { note: reason } as never);
    const found = async (q: string) => {
      const res = await raw(new URLSearchParams({ q, pageSize: '100' }).toString());
      expect(res.status, q).toBe(200);
      return res.body.data.map((h: { source: string; id: string }) => `${h.source}:${h.id}`).sort();
    };
    const both = [`history:${id}`, `live:${live.id}`].sort();
    expect(await found(n1)).toEqual(both);
    expect(await found(`${n1} or ${n2}`)).toEqual(both);
  });
});

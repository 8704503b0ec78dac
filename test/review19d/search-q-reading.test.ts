import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchText } from '../../src/platform/queue/job-history.rules.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';
import { word } from '../job-console/search.fixtures.js';

// Review 19d of job search (GET /api/admin/jobs/search): what a q finds in history against what the
// live scan finds for the same text, and an id looked up in Redis read as the scan reads a job.
// No worker of the app's runs: an added job stays waiting.
let t: TestApp;
let admin: Session;
let redis: RedisClient;

beforeAll(async () => {
  t = await createTestApp({ JOB_SEARCH_LIVE_SCAN: '40', RATE_LIMIT_OVERRIDES: 'admin.jobs=100000' }, { roles: ['api'] });
  admin = await t.admin();
  redis = testRedis();
});
afterAll(async () => {
  await t.close();
  await redis.quit();
});

const search = (query: Record<string, string>) => t.call('GET', `/api/admin/jobs/search?${new URLSearchParams(query)}`, { as: admin });
const found = async (q: string) => {
  const res = await search({ q, pageSize: '100' });
  expect(res.status, q).toBe(200);
  return res.body.data.map((h: { source: string; id: string }) => `${h.source}:${h.id}`).sort();
};

/** A failed webhook delivery an hour ago with this reason, as the history writer records it. */
async function failedWithReason(reason: string): Promise<string> {
  const db = t.app.database.db;
  const finishedAt = new Date(Date.now() - 3_600_000);
  await sql`SELECT job_history_ensure_partition(${finishedAt.toISOString().slice(0, 10)}::date)`.execute(db);
  const id = randomUUID();
  await db.insertInto('job_history').values({
    queue: 'webhook-delivery', job_id: id, name: 'WebhookDeliver', state: 'failed', data: '{}', return_summary: null, failed_reason: reason,
    stacktrace: null, attempts: 1, created_at: new Date(finishedAt.getTime() - 2_000), processed_at: new Date(finishedAt.getTime() - 1_000),
    finished_at: finishedAt, wait_ms: 1_000, run_ms: 1_000, worker: 'test-worker', schedule_id: null, search_text: searchText(id, 'WebhookDeliver', reason, {}),
  }).execute();
  return `history:${id}`;
}

/** A waiting job whose data holds the same text: what the live scan matches. */
async function waitingWith(note: string): Promise<string> {
  const job = await t.app.queues.get('media-scan').add('MediaScan', { note } as never);
  return `live:${job.id}`;
}

describe('q\'s numbers and ids beside its words', () => {
  it('a number joined to a word by an underscore (smtp_550) is found with other words in any order, live and history alike', async () => {
    const w = word();
    const text = `${w} relay said smtp_550 mailbox unavailable`;
    const expected = [await failedWithReason(text), await waitingWith(text)].sort();
    // Not adjacent in the text: only the words (and the number as a whole token) can find it.
    expect(await found(`mailbox smtp_550 ${w}`)).toEqual(expected);
    expect(await found(`${w} 550`)).toEqual(expected);
    // Still a whole token in history: 55 is not in 550 (live jobs are matched by substrings).
    expect((await found(`${w} 55`)).filter((hit: string) => hit.startsWith('history:'))).toEqual([]);
  });
});

describe('q\'s numbers and ids under websearch\'s - and or', () => {
  it('-550 leaves out the jobs with 550, and `a or 550` finds either, live and history alike', async () => {
    const w = word();
    const with550 = `${w} relay refused code 550 mailbox`;
    const without = `${w} relay refused code 421 later`;
    const only550 = `${word()} bounce 550 unknown`;
    const [h550, h421, hOnly] = [await failedWithReason(with550), await failedWithReason(without), await failedWithReason(only550)];
    const [l550, l421] = [await waitingWith(with550), await waitingWith(without)];
    expect(await found(`${w} 550`)).toEqual([h550, l550].sort());
    // Excluded: websearch's -word, for a number as for a word.
    expect(await found(`${w} -550`)).toEqual([h421, l421].sort());
    expect(await found(`${w} refused -v2`)).toEqual([h550, h421, l550, l421].sort());
    // Alternatives: rows with the words of one or the number of the other.
    const other = only550.split(' ')[0]!;
    expect(await found(`${other} or ${w} 421`)).toEqual([h421, hOnly, l421].sort());
  });
});

describe('q in capitals', () => {
  it('upper-case words find what lower-case ones do, Greek final sigma and Turkish dotted İ included, live and history alike', async () => {
    const w = word();
    const text = `${w} closed at İstanbul office on οδος αθηνα`;
    const expected = [await failedWithReason(text), await waitingWith(text)].sort();
    expect(await found(`αθηνα οδος ${w}`)).toEqual(expected);
    expect(await found(`ΑΘΗΝΑ ΟΔΟΣ ${w.toUpperCase()}`)).toEqual(expected);
    expect(await found(`office İSTANBUL ${w}`)).toEqual(expected);
  });
});

describe('a job id looked up in Redis', () => {
  it('a job whose data is not JSON, or whose hash lost its timestamp, is shown by its id as the scan shows it (not a 400 or 500)', async () => {
    const w = word();
    const queue = t.app.queues.get('media-thumbnail');
    const corrupt = await queue.add('MediaThumbnail', { w } as never);
    await redis.hset(queue.toKey(corrupt.id!), 'data', `not json ${w}`);
    const undated = await queue.add('MediaThumbnail', { w } as never);
    await redis.hdel(queue.toKey(undated.id!), 'timestamp');

    const browse = await search({ queue: 'media-thumbnail' });
    expect(browse.status).toBe(200);
    const scanned = Object.fromEntries(browse.body.data.map((h: { id: string }) => [h.id, h]));
    for (const id of [corrupt.id!, undated.id!]) {
      const res = await search({ q: id, queue: 'media-thumbnail' });
      expect(res.status, id).toBe(200);
      expect(res.body.data, id).toEqual([scanned[id]]);
    }
    expect(scanned[corrupt.id!]).toMatchObject({ state: 'waiting', source: 'live', dataPreview: `not json ${w}` });
    expect(scanned[undated.id!]).toMatchObject({ state: 'waiting', source: 'live', timestamp: 0 });
  });
});

describe('a queue or state named twice', () => {
  it('is read once: the live scan counts each job once and shows it once', async () => {
    const w = word();
    const queue = t.app.queues.get('media-thumbnail');
    await queue.add('MediaThumbnail', { w } as never);
    const once = await search({ q: w, queue: 'media-thumbnail' });
    for (const query of [{ queue: 'media-thumbnail,media-thumbnail' }, { queue: 'media-thumbnail', state: 'waiting,waiting' }] as Array<Record<string, string>>) {
      const twice = await t.call('GET', `/api/admin/jobs/search?${new URLSearchParams({ q: w, ...query })}&queue=media-thumbnail`, { as: admin });
      expect(twice.status).toBe(200);
      expect(twice.body.live.scanned, JSON.stringify(query)).toBe(once.body.live.scanned);
      expect(twice.body.data).toEqual(once.body.data);
      expect(twice.body.pagination.total).toBe(1);
    }
  });
});

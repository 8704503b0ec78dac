import { log, type ScratchDatabase } from './database.js';
import { load, type Built } from './scaling-load.js';
import { adminToken, call, cpuMsPer, fixed, measurement, secondsSince, sleep, storageOf, until, type Context } from './scaling-phases.js';
import type { InboxTemplate } from './scaling-seed.js';

/** bench:scaling's four measurements, each repeated for every process count. */

export interface Knobs {
  readonly workers: readonly number[];
  readonly apis: readonly number[];
  readonly users: number;
  readonly emails: number;
  readonly bareEmails: number;
  readonly fanoutUsers: number;
  readonly broadcasts: number;
  readonly digestUsers: number;
  readonly apiUsers: number;
  readonly perUser: number;
  readonly sessions: number;
  readonly seconds: number;
  readonly connections: number;
  readonly timeoutMs: number;
}

const CONTENT = { type: 'MESSAGE', title: 'New message from Ada', message: 'Ada sent you a message about project #1234: "Can we move the review to Thursday?"' } as const;

/** Each run's `key` as a ratio of the first run's (the one-process baseline of the same run). */
function withRatios<T extends Record<string, unknown>>(runs: T[], rate: (r: T) => number, name: string): Array<T & Record<string, number>> {
  const base = rate(runs[0]!);
  return runs.map((r) => ({ ...r, [name]: fixed(rate(r) / base, 3) }));
}

export async function emailRuns(ctx: Context, k: Knobs, tpl: ScratchDatabase, userIds: readonly string[], bareEmailsPerSec: number) {
  const calls: string[][] = [];
  for (let left = k.emails; left > 0;) {
    for (let i = 0; i < userIds.length && left > 0; i += 1_000) {
      const slice = userIds.slice(i, i + Math.min(1_000, left));
      calls.push(slice);
      left -= slice.length;
    }
  }
  const runs = [];
  for (const n of k.workers) {
    runs.push(await measurement(ctx, 'scaling_emails', tpl, async (m) => {
      await m.procs.startApis(1);
      await m.procs.startWorkers(n);
      const api = m.procs.apis[0]!;
      const token = await adminToken(api.url);
      const done = await m.probe();
      const started = performance.now();
      let created = 0;
      for (const ids of calls) {
        created += (await call<{ created: number }>(`${api.url}/api/admin/notifications`, { method: 'POST', token, body: { userIds: ids, ...CONTENT }, expect: 202 })).created;
      }
      const createSeconds = secondsSince(started);
      if (created !== k.emails) throw new Error(`emails: created ${created} of ${k.emails}`);
      if (!(await m.sink.waitFor(`emails, ${n} worker(s)`, k.emails, k.timeoutMs))) throw new Error(`emails: ${m.sink.count} of ${k.emails} within the timeout`);
      const seconds = secondsSince(started);
      const { usage, saturated } = await done();
      await sleep(2_000); // a late duplicate would arrive now
      const emailsPerSec = Math.round(k.emails / seconds);
      const exactlyOnce = m.sink.count === k.emails && m.sink.firstArrival.size === k.emails && m.sink.duplicates === 0 && m.sink.unmatched === 0;
      log(`emails, ${n} worker(s): ${emailsPerSec}/s, exactly once ${exactlyOnce}; ${saturated.resource}: ${saturated.detail}`);
      const storage = n === k.workers[0] ? await storageOf(m.pool, ['notifications', 'email_log', 'outbox', 'notification_batches']) : undefined;
      return {
        workers: n, emails: k.emails, seconds: fixed(seconds), emailsPerSec, createSeconds: fixed(createSeconds),
        ratioToBareSmtp: fixed(emailsPerSec / bareEmailsPerSec, 3),
        exactlyOnce, messages: m.sink.count, distinct: m.sink.firstArrival.size, duplicates: m.sink.duplicates,
        cpuMsPerEmail: cpuMsPer(usage, k.emails), saturated, usage, ...(storage ? { storage } : {}),
      };
    }));
  }
  return { runs: withRatios(runs, (r) => r.emailsPerSec, 'ratioToOneWorker') };
}

export async function fanoutRuns(ctx: Context, k: Knobs, tpl: ScratchDatabase) {
  const runs = [];
  for (const n of k.workers) {
    runs.push(await measurement(ctx, 'scaling_fanout', tpl, async (m) => {
      await m.procs.startApis(1);
      // Rows only, as bench:delivery: the delivery jobs wait in Redis.
      await m.procs.startWorkers(n, ['notification-fanout']);
      const api = m.procs.apis[0]!;
      const token = await adminToken(api.url);
      const broadcast = async () => (await call<{ batchId: string }>(`${api.url}/api/admin/notifications`, {
        method: 'POST', token, body: { role: 'VIEWER', type: 'SYSTEM', title: 'Scheduled maintenance', message: 'Herald will be unavailable for 15 minutes on Sunday at 02:00 UTC.' }, expect: 202,
      })).batchId;
      const timed = async (count: number) => {
        const done = await m.probe();
        const started = performance.now();
        const ids = await Promise.all(Array.from({ length: count }, broadcast));
        let rows = 0;
        await until('fan-out', k.timeoutMs, async () => {
          const { rows: [r] } = await m.pool.query<{ done: number; rows: number }>(
            `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, coalesce(sum(created_count), 0)::int AS rows FROM notification_batches WHERE id = ANY($1::uuid[])`, [ids]);
          rows = r!.rows;
          return r!.done === ids.length;
        });
        const seconds = secondsSince(started);
        const { usage, saturated } = await done();
        if (rows !== count * k.fanoutUsers) throw new Error(`fan-out: ${rows} rows for ${count} × ${k.fanoutUsers} users`);
        const rowsPerSec = Math.round(rows / seconds);
        log(`fan-out, ${n} worker(s), ${count} broadcast(s): ${rowsPerSec} rows/s; ${saturated.resource}: ${saturated.detail}`);
        return { broadcasts: count, rows, seconds: fixed(seconds), rowsPerSec, cpuMsPerRow: cpuMsPer(usage, rows), saturated, usage };
      };
      const single = await timed(1);
      const concurrent = await timed(k.broadcasts);
      return { workers: n, single, concurrent };
    }));
  }
  const base = runs[0]!;
  return {
    runs: runs.map((r) => ({
      ...r,
      ratioToOneWorker: { single: fixed(r.single.rowsPerSec / base.single.rowsPerSec, 3), concurrent: fixed(r.concurrent.rowsPerSec / base.concurrent.rowsPerSec, 3) },
    })),
  };
}

export async function digestRuns(ctx: Context, k: Knobs, tpl: ScratchDatabase, runAt: Date) {
  const runs = [];
  for (const n of k.workers) {
    runs.push(await measurement(ctx, 'scaling_digests', tpl, async (m) => {
      await m.procs.startApis(1);
      await m.procs.startWorkers(n);
      const api = m.procs.apis[0]!;
      const token = await adminToken(api.url);
      const done = await m.probe();
      const started = performance.now();
      await call(`${api.url}/api/admin/jobs/digests/run`, { method: 'POST', token, body: { frequency: 'DAILY', at: runAt.toISOString() }, expect: 202 });
      if (!(await m.sink.waitFor(`digests, ${n} worker(s)`, k.digestUsers, k.timeoutMs))) throw new Error(`digests: ${m.sink.count} of ${k.digestUsers} within the timeout`);
      const seconds = secondsSince(started);
      const { usage, saturated } = await done();
      await sleep(2_000);
      const { rows: [logged] } = await m.pool.query<{ sent: number; keys: number }>(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(DISTINCT key)::int AS keys FROM email_log WHERE key LIKE 'digest:%'`);
      const exactlyOnce = m.sink.count === k.digestUsers && logged!.sent === k.digestUsers && logged!.keys === k.digestUsers;
      const digestsPerSec = Math.round(k.digestUsers / seconds);
      log(`digests, ${n} worker(s): ${digestsPerSec}/s, exactly once ${exactlyOnce}; ${saturated.resource}: ${saturated.detail}`);
      return {
        workers: n, digests: k.digestUsers, seconds: fixed(seconds), digestsPerSec, exactlyOnce, messages: m.sink.count, sentInLog: logged!.sent,
        cpuMsPerDigest: cpuMsPer(usage, k.digestUsers), saturated, usage,
      };
    }));
  }
  return { runs: withRatios(runs, (r) => r.digestsPerSec, 'ratioToOneWorker') };
}

export async function apiRuns(ctx: Context, k: Knobs, tpl: ScratchDatabase, inbox: InboxTemplate) {
  const runs = [];
  for (const a of k.apis) {
    runs.push(await measurement(ctx, 'scaling_api', tpl, async (m) => {
      await m.procs.startApis(a);
      const urls = m.procs.apis.map((p) => p.url);
      const admin = await adminToken(urls[0]!);
      await call(`${urls[0]}/api/notifications`, { token: inbox.tokens[0]! }); // the written sessions work
      let i = 0;
      const list = (): Built => ({ method: 'GET', path: '/api/notifications', headers: { authorization: `Bearer ${inbox.tokens[i++ % inbox.tokens.length]}` } });
      // Each request changes its row: read, and unread on the next pass over the pairs.
      const state = new Uint8Array(inbox.pairs.length);
      let j = 0;
      const markRead = (): Built => {
        const n = j++ % inbox.pairs.length;
        const pair = inbox.pairs[n]!;
        const action = state[n] ? 'unread' : 'read';
        state[n] = state[n] ? 0 : 1;
        return { method: 'POST', path: `/api/notifications/${pair.id}/${action}`, headers: { authorization: `Bearer ${pair.token}` } };
      };
      let u = 0;
      const create = (): Built => ({
        method: 'POST', path: '/api/admin/notifications', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userIds: [inbox.userIds[u++ % inbox.userIds.length]], ...CONTENT }),
      });
      const out: Record<string, unknown> = { apis: a };
      // The seeded inbox (every state, every index) before any load: bytes per notification.
      if (a === k.apis[0]) out.storage = await storageOf(m.pool, ['notifications']);
      for (const [name, next] of [['list', list], ['markRead', markRead], ['create', create]] as const) {
        await load(urls, k.connections, 2, next);
        const done = await m.probe();
        const r = await load(urls, k.connections, k.seconds, next);
        const { usage, saturated } = await done();
        log(`api ×${a} ${name}: ${r.reqPerSec} req/s, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}; ${saturated.resource}: ${saturated.detail}`);
        out[name] = { ...r, cpuMsPerRequest: cpuMsPer(usage, r.requests), saturated, usage };
      }
      return out as { apis: number } & Record<'list' | 'markRead' | 'create', { reqPerSec: number }>;
    }));
  }
  const base = runs[0]!;
  return {
    connections: k.connections, seconds: k.seconds, users: k.apiUsers, perUser: k.perUser, sessions: inbox.tokens.length, markReadPairs: inbox.pairs.length,
    runs: runs.map((r) => ({
      ...r,
      ratioToOneApi: Object.fromEntries((['list', 'markRead', 'create'] as const).map((key) => [key, fixed(r[key].reqPerSec / base[key].reqPerSec, 3)])),
    })),
  };
}

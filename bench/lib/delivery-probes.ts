import { readFile, readdir } from 'node:fs/promises';
import type pg from 'pg';
import type { App } from '../../src/app.js';
import { log } from './database.js';

/** bench:delivery's measurements through the HTTP API and of where delivery time goes. */

async function json(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary JSON
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: res.status, body: await res.json() };
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await json(`${baseUrl}/api/auth/login`, { method: 'POST', body: { email, password } });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token as string;
}

/**
 * Create → visible: `sample` notifications, one at a time, through POST /api/admin/notifications
 * (one recipient each, users spread over the seeded ones: userN@bench.local is userIds[N-1]);
 * each timed from just before the POST until the recipient's GET /api/notifications lists it.
 * Returns the latencies in ms.
 */
export async function probeVisibility(app: App, userIds: readonly string[], sample: number, accounts: { admin: { email: string; password: string }; password: string }): Promise<number[]> {
  const baseUrl = app.url!;
  const adminToken = await login(baseUrl, accounts.admin.email, accounts.admin.password);
  const picks = Array.from({ length: sample }, (_, k) => Math.floor((k * userIds.length) / sample));
  const tokens: string[] = new Array(sample);
  const started = performance.now();
  let next = 0;
  // Each login verifies an argon2 hash (~80 ms of CPU); two at a time on two cores.
  await Promise.all([0, 1].map(async () => {
    for (let k = next++; k < sample; k = next++) tokens[k] = await login(baseUrl, `user${picks[k]! + 1}@bench.local`, accounts.password);
  }));
  log(`inbox probes: ${sample} users signed in in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const latencies: number[] = [];
  for (let k = 0; k < sample; k++) {
    const title = `Visibility probe ${k}`;
    const t0 = performance.now();
    const created = await json(`${baseUrl}/api/admin/notifications`, {
      method: 'POST', token: adminToken,
      body: { userIds: [userIds[picks[k]!]], type: 'SYSTEM', title, message: 'Measuring how soon a notification is visible.' },
    });
    if (created.status !== 202) throw new Error(`POST /api/admin/notifications: ${created.status} ${JSON.stringify(created.body)}`);
    for (;;) {
      const inbox = await json(`${baseUrl}/api/notifications`, { token: tokens[k] });
      if (inbox.status !== 200) throw new Error(`GET /api/notifications: ${inbox.status} ${JSON.stringify(inbox.body)}`);
      if ((inbox.body.data as Array<{ title: string }>).some((n) => n.title === title)) break;
      if (performance.now() - t0 > 10_000) throw new Error(`${title} not visible after 10 s`);
    }
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

const PERCENTILES = (expr: string, name: string) =>
  `round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr})::numeric, 1)::float8 AS ${name}_p50, ` +
  `round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ${expr})::numeric, 1)::float8 AS ${name}_p95`;
const MS = (later: string, earlier: string) => `extract(epoch FROM ${later} - ${earlier}) * 1000`;

/**
 * Where the create → SMTP time goes, from the service's own timestamps (ms, p50/p95): commit →
 * outbox row relayed to BullMQ; relayed → delivery job finished; create → email claimed (the
 * email_log row inserted right before the hand-off); claimed → marked sent.
 */
export async function breakdown(pool: pg.Pool) {
  const outbox = await pool.query(`SELECT count(*)::int AS jobs, ${PERCENTILES(MS('relayed_at', 'created_at'), 'relay')},
      ${PERCENTILES(MS('completed_at', 'relayed_at'), 'job')}
    FROM outbox WHERE queue = 'notification-delivery'`);
  const email = await pool.query(`SELECT count(*)::int AS emails, ${PERCENTILES(MS('e.created_at', 'n.created_at'), 'claim')},
      ${PERCENTILES(MS('e.sent_at', 'e.created_at'), 'send')}
    FROM email_log e JOIN notifications n ON n.id = e.notification_id`);
  // email_log's completion UPDATE changes `status`, which an index covers: never a HOT update.
  const updates = await pool.query(`SELECT n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'email_log'`);
  const o = outbox.rows[0];
  const e = email.rows[0];
  return {
    deliveryJobs: o.jobs as number,
    createToRelayedMs: { p50: o.relay_p50, p95: o.relay_p95 },
    relayedToJobDoneMs: { p50: o.job_p50, p95: o.job_p95 },
    createToEmailClaimMs: { p50: e.claim_p50, p95: e.claim_p95 },
    claimToSentMs: { p50: e.send_p50, p95: e.send_p95 },
    emailLogUpdates: { total: updates.rows[0]?.updates ?? null, hot: updates.rows[0]?.hot ?? null },
  };
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

async function processTicks(pid: string): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/**
 * CPU use on Linux between two snapshots: the whole machine (busy share of all cores), this
 * process, the PostgreSQL backends of `database`, and redis-server (shared with anything else
 * using it). Backends that exit in between are missed, so that figure is a lower bound.
 */
export async function cpuSnapshot(database?: string) {
  const machine = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const idle = machine[3]! + machine[4]!;
  const total = machine.reduce((a, b) => a + b, 0);
  const backends = new Map<string, number>();
  let redis = 0;
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (database && cmdline.startsWith('postgres:') && cmdline.includes(` ${database} `)) backends.set(pid, await processTicks(pid).catch(() => 0));
    else if (cmdline.startsWith('redis-server')) redis += await processTicks(pid).catch(() => 0);
  }
  const usage = process.cpuUsage();
  return { idle, total, backends, redis, node: (usage.user + usage.system) / 1e6, at: performance.now() };
}

/** Percent of one core each used between two snapshots (machine: percent of all cores busy). */
export function cpuBetween(a: Awaited<ReturnType<typeof cpuSnapshot>>, b: Awaited<ReturnType<typeof cpuSnapshot>>) {
  const seconds = (b.at - a.at) / 1000;
  let pg = 0;
  for (const [pid, ticks] of b.backends) pg += ticks - (a.backends.get(pid) ?? 0);
  const pct = (cpuSeconds: number) => Math.round((cpuSeconds / seconds) * 100);
  return {
    machineBusyPercent: Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 100),
    nodePercentOfOneCore: pct(b.node - a.node),
    postgresBackendsPercentOfOneCore: pct(pg / TICKS_PER_SEC),
    redisPercentOfOneCore: pct((b.redis - a.redis) / TICKS_PER_SEC),
  };
}

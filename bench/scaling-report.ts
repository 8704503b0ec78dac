/**
 * The tables of docs/SCALING.md, from a bench:scaling JSON: what was measured (growth with
 * processes, the saturated resource, CPU per unit, storage per row) and the capacity arithmetic
 * for 1M, 10M and 100M users (bench/lib/scaling-model.ts). Prints Markdown; with --write it
 * replaces the part of docs/SCALING.md between its report markers instead.
 *
 *   npm run --silent bench:scaling > scaling.json
 *   npx tsx bench/scaling-report.ts scaling.json --redis-eval 95000 --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ASSUMPTIONS, OTHER_BENCHES, capacity, type Capacity, type MeasuredCosts, type UnitCost } from './lib/scaling-model.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the bench's JSON, read as it was printed */
type Json = any;

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: tsx bench/scaling-report.ts <bench-scaling.json> [--redis-eval <EVAL/s>] [--write]');
const redisEval = Number(args[args.indexOf('--redis-eval') + 1] ?? 0) || 0;
const json: Json = JSON.parse(readFileSync(file, 'utf8'));

const n0 = (x: number) => Math.round(x).toLocaleString('en');
const n1 = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const n2 = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const ms = (u: UnitCost) => `${n2(u.herald)} / ${n2(u.postgres)}`;
const perCore = (u: UnitCost) => n0(1000 / u.service);
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const pctCpu = (usage: Json) => {
  const p = usage.percentOfOneCore;
  return `${p['herald-worker'] ?? 0} + ${p['herald-api'] ?? 0} / ${p['postgres-backends'] + p['postgres-server']} / ${p.redis} / ${p.bench} / ${p['postgres-other-databases'] + p.otherProcesses}`;
};
const wall = (s: Json) => (s.resource === 'cpu' ? 'CPU (both cores)' : s.resource);

function costs(): MeasuredCosts {
  const e = json.emails.runs[0];
  const storage = e.storage;
  const api = json.api.runs[0];
  return {
    email: e.cpuMsPerEmail, fanoutRow: json.fanout.runs[0].concurrent.cpuMsPerRow, digest: json.digests.runs[0].cpuMsPerDigest,
    list: api.list.cpuMsPerRequest, markRead: api.markRead.cpuMsPerRequest, create: api.create.cpuMsPerRequest,
    bytesPerRow: { notifications: api.storage.notifications.bytesPerRow, emailLog: storage.email_log.bytesPerRow, outbox: storage.outbox.bytesPerRow },
    outboxRowsPerNotification: storage.outbox.rows / Math.max(1, storage.notifications.rows),
  };
}

function measured(): string[] {
  const out: string[] = [];
  out.push(`Measured ${json.date.slice(0, 16).replace('T', ' ')} UTC, commit ${json.code.commit.slice(0, 8)}, load average at start ${json.machine.loadAverageAtStart.join(' ')}; disk ${n0(json.baselines.fsyncPerSec)} fdatasync/s; bare SMTP hand-off ${n0(json.baselines.bareSmtp.emailsPerSec)} emails/s in one process.`, '');
  out.push('CPU columns: percent of one core (200 = both cores) for herald workers + API / PostgreSQL (this database\'s backends and the server\'s own processes) / redis-server / the benchmark (SMTP sink, HTTP load) / everything else.', '');
  out.push(row(['workers', 'emails/s', '× 1 worker', 'exactly once', 'wall', 'CPU worker+api / pg / redis / bench / other']), row(['---', '---', '---', '---', '---', '---']));
  for (const r of json.emails.runs) out.push(row([r.workers, n0(r.emailsPerSec), n2(r.ratioToOneWorker), r.exactlyOnce ? 'yes' : '**no**', wall(r.saturated), pctCpu(r.usage)]));
  out.push('', row(['workers', 'fan-out rows/s, 1 broadcast', `rows/s, ${json.fanout.runs[0].concurrent.broadcasts} at once`, '× 1 worker (at once)', 'wall', 'CPU worker+api / pg / redis / bench / other']), row(['---', '---', '---', '---', '---', '---']));
  for (const r of json.fanout.runs) out.push(row([r.workers, n0(r.single.rowsPerSec), n0(r.concurrent.rowsPerSec), n2(r.ratioToOneWorker.concurrent), wall(r.concurrent.saturated), pctCpu(r.concurrent.usage)]));
  out.push('', row(['workers', 'digests/s', '× 1 worker', 'exactly once', 'wall', 'CPU worker+api / pg / redis / bench / other']), row(['---', '---', '---', '---', '---', '---']));
  for (const r of json.digests.runs) out.push(row([r.workers, n0(r.digestsPerSec), n2(r.ratioToOneWorker), r.exactlyOnce ? 'yes' : '**no**', wall(r.saturated), pctCpu(r.usage)]));
  out.push('', `API: ${json.api.connections} connections, ${json.api.seconds} s per figure, ${n0(json.api.users)} users × ${json.api.perUser} notifications, ${json.api.sessions} sessions.`, '');
  out.push(row(['API processes', 'endpoint', 'req/s', '× 1 process', 'p50 / p99 ms', 'non-2xx', 'wall', 'CPU api / pg / redis / bench / other']), row(['---', '---', '---', '---', '---', '---', '---', '---']));
  const names = { list: 'GET /api/notifications', markRead: 'POST …/:id/read, …/unread', create: 'POST /api/admin/notifications (1 user)' } as const;
  for (const r of json.api.runs) {
    for (const key of ['list', 'markRead', 'create'] as const) {
      const x = r[key];
      const p = x.usage.percentOfOneCore;
      out.push(row([r.apis, names[key], n0(x.reqPerSec), n2(r.ratioToOneApi[key]), `${n1(x.p50Ms)} / ${n1(x.p99Ms)}`, x.non2xx, wall(x.saturated),
        `${p['herald-api']} / ${p['postgres-backends'] + p['postgres-server']} / ${p.redis} / ${p.bench} / ${p['postgres-other-databases'] + p.otherProcesses}`]));
    }
  }
  return out;
}

function perCoreTable(c: MeasuredCosts): string[] {
  const date = json.date.slice(0, 10);
  const o = OTHER_BENCHES;
  return [
    row(['work', 'one process', 'per core of service CPU', 'CPU ms per unit: herald / PostgreSQL', 'source']), row(['---', '---', '---', '---', '---']),
    row(['emails (end to end, exactly once)', `${n0(json.emails.runs[0].emailsPerSec)}/s`, `${perCore(c.email)}/s`, ms(c.email), `bench:scaling ${date}, 1 worker`]),
    row(['fan-out rows', `${n0(json.fanout.runs[0].concurrent.rowsPerSec)}/s`, `${perCore(c.fanoutRow)}/s`, ms(c.fanoutRow), `bench:scaling ${date}, 1 worker, broadcasts at once`]),
    row(['digests', `${n0(json.digests.runs[0].digestsPerSec)}/s`, `${perCore(c.digest)}/s`, ms(c.digest), `bench:scaling ${date}, 1 worker (bench:digest 2026-12-06: 696/s, all roles in one process, 100,000 users)`]),
    row(['API reads (inbox page)', `${n0(json.api.runs[0].list.reqPerSec)} req/s`, `${perCore(c.list)} req/s`, ms(c.list), `bench:scaling ${date}, 1 API process`]),
    row(['API writes (mark read/unread)', `${n0(json.api.runs[0].markRead.reqPerSec)} req/s`, `${perCore(c.markRead)} req/s`, ms(c.markRead), `bench:scaling ${date}, 1 API process`]),
    row(['API writes (create, 1 recipient)', `${n0(json.api.runs[0].create.reqPerSec)} req/s`, `${perCore(c.create)} req/s`, ms(c.create), `bench:scaling ${date}, 1 API process`]),
    row(['analytics events (HTTP ingestion)', `${n0(o.analyticsEventsPerSecMachine.value)}/s (whole machine)`, `${n0(o.analyticsEventsPerSecMachine.value / o.analyticsEventsPerSecMachine.cores)}/s (assumes both cores used)`, '—', o.analyticsEventsPerSecMachine.source]),
    row(['search queries', `${n0(1000 / o.searchP50Ms.value)}/s sequential`, `${n0(1000 / o.searchP50Ms.value)}/s (a query holds one core for its p50)`, '—', o.searchP50Ms.source]),
    row(['video previews (1 min 1080p)', `${n0(3600 / o.videoPreviewSeconds.value)}/h (both cores)`, `${n0(3600 / o.videoPreviewSeconds.value / o.videoPreviewSeconds.cores)}/h`, '—', o.videoPreviewSeconds.source]),
    row(['audio previews (5 min)', `${n0(3600 / o.audioPreviewSeconds.value)}/h`, `${n0(3600 / o.audioPreviewSeconds.value / o.audioPreviewSeconds.cores)}/h`, '—', o.audioPreviewSeconds.source]),
  ];
}

function capacityTables(caps: Capacity[]): string[] {
  const head = row(['', ...caps.map((c) => `${c.users / 1e6}M users`)]);
  const sep = row(['---', ...caps.map(() => '---:')]);
  const line = (label: string, f: (c: Capacity) => string) => row([label, ...caps.map(f)]);
  return [
    '**Peak rates** (per second unless said)', '', head, sep,
    line('daily active users', (c) => n0(c.dau)),
    line('API reads (inbox pages, counts)', (c) => n0(c.rates.apiReads)),
    line('API user writes', (c) => n0(c.rates.apiWrites)),
    line('notification create calls', (c) => n0(c.rates.creates)),
    line('emails', (c) => n0(c.rates.emails)),
    line('fan-out rows (a broadcast to all within 1 h)', (c) => n0(c.rates.fanoutRows)),
    line('digests (busiest hour)', (c) => n0(c.rates.digests)),
    line('analytics events', (c) => n0(c.rates.analyticsEvents)),
    line('search queries', (c) => n1(c.rates.searchQueries)),
    line('uploads per hour', (c) => n0(c.rates.uploadsPerHour)),
    '', '**Cores needed at peak** (before headroom) and **processes** (each event loop kept under 60 % of a core)', '', head, sep,
    line('herald API (inbox + writes + analytics ingestion)', (c) => n2(c.cores.apiNode + c.cores.analytics)),
    line('herald workers (emails, fan-out, digests)', (c) => n2(c.cores.workerNode)),
    line('preview encoders (ffmpeg)', (c) => n2(c.cores.previews)),
    line('PostgreSQL primary (inbox / jobs / analytics)', (c) => `${n2(c.cores.pgPrimary)} (${n2(c.cores.pgInbox)} / ${n2(c.cores.pgJobs)} / ${n2(c.cores.analytics)})`),
    line('PostgreSQL read replicas (search)', (c) => n2(c.cores.pgReplica)),
    line('Redis (jobs / rate limiter)', (c) => `${n2(c.cores.redisJobs + c.cores.redisLimiter)} (${n2(c.cores.redisJobs)} / ${n2(c.cores.redisLimiter)})`),
    line('**API processes**', (c) => `**${c.processes.api}**`),
    line('**worker processes**', (c) => `**${c.processes.worker}**`),
    line('**preview worker processes** (`--queues file-preview-generation,media-thumbnail`)', (c) => `**${c.processes.preview}**`),
    line('scheduler processes', (c) => String(c.processes.scheduler)),
    line('PostgreSQL connections if direct (api 20, others 10 each)', (c) => n0(c.connections)),
    line('**PostgreSQL primary cores** (at 60 %)', (c) => `**${n0(Math.ceil(c.postgres.primaryCores))}**`),
    line('**replica cores** (search, at 60 %)', (c) => `**${n0(Math.ceil(c.postgres.replicaCores))}**`),
    line('**Redis cores** (at 60 %)', (c) => `**${n2(c.redis.cores)}**`),
    '', '**Storage** (measured bytes per row × assumed volume)', '', head, sep,
    line('notifications/day', (c) => n0(c.users * ASSUMPTIONS.notificationsPerUserPerDay)),
    line('notifications kept 365 days (NOTIFICATION_RETENTION_DAYS default): rows', (c) => `${n1(c.storage.notificationsRows365 / 1e9)} B`),
    line('… GB (heap + indexes)', (c) => n0(c.storage.notificationsGb365)),
    line('… GB if 90 days', (c) => n0(c.storage.notificationsGb90)),
    line('email_log per year (never deleted today): rows / GB', (c) => `${n1(c.storage.emailLogRowsPerYear / 1e6)} M / ${n0(c.storage.emailLogGbPerYear)}`),
    line('outbox per year (never deleted today): rows / GB', (c) => `${n1(c.storage.outboxRowsPerYear / 1e6)} M / ${n1(c.storage.outboxGbPerYear)}`),
    line('digest_contents (35 days kept): rows', (c) => `${n1(c.storage.digestContentsRows / 1e6)} M`),
    line('Redis: completed jobs kept (100,000 a queue × 14 queues), GB', (c) => n1(c.storage.redisCompletedJobsGb)),
  ];
}

const c = costs();
const caps = [1e6, 1e7, 1e8].map((users) => capacity(users, c, redisEval));
const lines = [
  '<!-- scaling-report:start (generated by `npx tsx bench/scaling-report.ts <json> --write`; edit the generator, not this block) -->',
  '', '#### Growth with processes', '', ...measured(),
  '', '#### Per-core figures', '', ...perCoreTable(c),
  '', `Storage per row (measured after the runs, VACUUMed, indexes included): notifications ${n0(c.bytesPerRow.notifications)} B (bench:api's inbox, every state), email_log ${n0(c.bytesPerRow.emailLog)} B, outbox ${n0(c.bytesPerRow.outbox)} B, ${n2(c.outboxRowsPerNotification)} outbox rows per notification delivered. Redis rate limiter: ${redisEval ? `${n0(redisEval)} EVAL/s on one core (redis-benchmark)` : 'not given (--redis-eval)'}.`,
  '', '#### The arithmetic', '', ...capacityTables(caps),
  '', '<!-- scaling-report:end -->',
];
const text = `${lines.join('\n')}\n`;
if (args.includes('--write')) {
  const doc = path.resolve(import.meta.dirname, '..', 'docs', 'SCALING.md');
  const current = readFileSync(doc, 'utf8');
  const start = current.indexOf('<!-- scaling-report:start');
  const end = current.indexOf('<!-- scaling-report:end -->');
  if (start < 0 || end < 0) throw new Error('docs/SCALING.md has no scaling-report markers');
  writeFileSync(doc, current.slice(0, start) + text + current.slice(end + '<!-- scaling-report:end -->\n'.length));
} else {
  process.stdout.write(text);
}

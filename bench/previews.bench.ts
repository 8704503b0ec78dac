import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { waitFor } from '../src/platform/net.js';
import { audioPreviewArgs, previewPlan, videoPreviewArgs } from '../src/previews/ffmpeg.args.js';
import { probe, resolveFfmpeg, runFfmpeg, type FfmpegBinaries } from '../src/previews/ffmpeg.runner.js';
import { ENCODE_NICENESS } from '../src/previews/preview.render.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';
import { intEnv } from './lib/env.js';
import { makeBenchAudio, makeBenchVideo, summarize } from './lib/media-sources.js';

/**
 * bench:previews: BENCH_VIDEOS (10) BENCH_VIDEO_SECONDS (60) s BENCH_VIDEO_SIZE (1920x1080) videos
 * and BENCH_AUDIOS (10) BENCH_AUDIO_SECONDS (300) s WAV files, uploaded through the API and taken
 * through the whole pipeline. Then, asset by asset, the preview's ffmpeg command run directly and
 * the same preview as a job (job start to finish: read, probe, encode, store, record), in pairs so
 * both see the same machine load; target ≤ 1.2×. Last, the throughput of another queue
 * (BENCH_OTHER_JOBS search-index updates) and the event loop's delay while previews encode, against idle.
 */
const VIDEOS = intEnv('BENCH_VIDEOS', 10);
const VIDEO_SECONDS = intEnv('BENCH_VIDEO_SECONDS', 60);
const VIDEO_SIZE = process.env.BENCH_VIDEO_SIZE || '1920x1080';
const AUDIOS = intEnv('BENCH_AUDIOS', 10);
const AUDIO_SECONDS = intEnv('BENCH_AUDIO_SECONDS', 300);
const OTHER_JOBS = intEnv('BENCH_OTHER_JOBS', 10_000);
const TARGET_RATIO = 1.2;

type Kind = 'VIDEO' | 'AUDIO';
const seconds = (ms: number) => Number((ms / 1000).toFixed(3));

/** The exact ffmpeg command a preview job runs for this file (same plan, arguments and priority). */
async function directCommand(bins: FfmpegBinaries, input: string, dir: string): Promise<() => Promise<number>> {
  const result = previewPlan(await probe(bins, input));
  if (!result.ok) throw new Error(result.error);
  const plan = result.plan;
  const out = path.join(dir, plan.kind === 'video' ? 'direct.mp4' : 'direct.mp3');
  const args = plan.kind === 'video' ? videoPreviewArgs(input, out, plan) : audioPreviewArgs(input, out, plan);
  return async () => {
    const started = performance.now();
    await runFfmpeg(bins, args, { timeoutMs: 600_000, niceness: ENCODE_NICENESS });
    return seconds(performance.now() - started);
  };
}

/** One preview through the job system (an admin re-run: queue, worker, handler), start to finish of the job. */
async function jobRun(app: App, token: string, assetId: string): Promise<number> {
  const res = await fetch(`${app.url}/api/admin/jobs/previews/run`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ assetId }),
  });
  if (res.status !== 202) throw new Error(`re-run: ${res.status} ${await res.text()}`);
  const { jobId } = ((await res.json()) as { data: { jobId: string } }).data;
  const queue = app.queues.get('file-preview-generation');
  let took = 0;
  const done = await waitFor(async () => {
    const job = await queue.getJob(jobId);
    if (job?.failedReason) throw new Error(`preview job failed: ${job.failedReason}`);
    if (!job?.finishedOn || !job.processedOn) return false;
    took = seconds(job.finishedOn - job.processedOn);
    return true;
  }, 600_000, 25);
  if (!done) throw new Error('preview job did not finish');
  return took;
}

async function createAssets(app: App, token: string, kinds: readonly Kind[]): Promise<Array<{ id: string; kind: Kind }>> {
  const res = await fetch(`${app.url}/api/assets/bulk`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ assets: kinds.map((type, i) => ({ title: `Bench ${type.toLowerCase()} ${i}`, type })) }),
  });
  if (res.status !== 201) throw new Error(`bulk create: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: Array<{ id: string; type: Kind }> }).data.map((a) => ({ id: a.id, kind: a.type }));
}

async function uploadAll(app: App, token: string, assets: ReadonlyArray<{ id: string; kind: Kind }>, files: Record<Kind, Buffer>): Promise<void> {
  for (const a of assets) {
    const form = new FormData();
    form.append('file', new Blob([files[a.kind]]), a.kind === 'VIDEO' ? 'source.mp4' : 'source.wav');
    const res = await fetch(`${app.url}/api/assets/${a.id}/file`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
  }
}

async function previewsDone(app: App, ids: readonly string[], timeoutMs: number): Promise<void> {
  const done = await waitFor(async () => {
    const { rows } = await sql<{ n: number; failed: number }>`
      SELECT count(*) FILTER (WHERE preview_url IS NOT NULL)::int AS n, count(*) FILTER (WHERE metadata ? 'previewError')::int AS failed
      FROM ip_assets WHERE id = ANY(${ids}::uuid[])`.execute(app.database.db);
    if (rows[0]!.failed > 0) throw new Error(`${rows[0]!.failed} previews failed`);
    return rows[0]!.n === ids.length;
  }, timeoutMs, 250);
  if (!done) throw new Error('previews did not finish in time');
}

/** Jobs per second of OTHER_JOBS search-index updates, and the event loop's delay meanwhile. */
async function otherQueue(app: App, previewsActive: () => Promise<number>) {
  const queue = app.queues.get('search-index-update');
  const before = (await queue.getJobCounts('completed')).completed ?? 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const activeSamples: number[] = [];
  loop.enable();
  const started = performance.now();
  for (let i = 0; i < OTHER_JOBS; i += 1_000) {
    await queue.addBulk(Array.from({ length: Math.min(1_000, OTHER_JOBS - i) }, () => ({ name: 'SearchIndexUpdate', data: { entityType: 'asset' as const, entityId: randomUUID() } })));
  }
  const drained = await waitFor(async () => {
    activeSamples.push(await previewsActive());
    return ((await queue.getJobCounts('completed')).completed ?? 0) - before >= OTHER_JOBS;
  }, 300_000, 100);
  const elapsed = (performance.now() - started) / 1000;
  loop.disable();
  if (!drained) throw new Error('other queue did not drain');
  return {
    jobsPerSec: Math.round(OTHER_JOBS / elapsed),
    eventLoopDelayMs: { p99: Number((loop.percentile(99) / 1e6).toFixed(1)), max: Number((loop.max / 1e6).toFixed(1)) },
    previewsActiveWhileMeasuring: activeSamples.length ? Number((activeSamples.filter((n) => n > 0).length / activeSamples.length).toFixed(2)) : 0,
  };
}

async function main() {
  const prefix = `bprev${randomBytes(4).toString('hex')}`;
  const work = await mkdtemp(path.join(os.tmpdir(), 'herald-bench-previews-'));
  // Other processes' load skews every figure; it is printed with them.
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  try {
    log(`making sources: a ${VIDEO_SECONDS} s ${VIDEO_SIZE} video and a ${AUDIO_SECONDS} s WAV`);
    const videoFile = await makeBenchVideo(path.join(work, 'source.mp4'), VIDEO_SIZE, VIDEO_SECONDS);
    const audioFile = await makeBenchAudio(path.join(work, 'source.wav'), AUDIO_SECONDS);
    const files: Record<Kind, Buffer> = { VIDEO: await readFile(videoFile), AUDIO: await readFile(audioFile) };
    const bins = await resolveFfmpeg();
    const direct = { VIDEO: await directCommand(bins, videoFile, work), AUDIO: await directCommand(bins, audioFile, work) };

    database = await createScratchDatabase(uniqueName('previews'));
    await migrate(database.url);
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password', STORAGE_DIR: path.join(work, 'storage'), MEDIA_TMP_DIR: path.join(work, 'tmp'),
    }), { logger: createLogger('warn', process.stderr) });
    await app.start();
    const { token } = await app.services.auth.login('admin@bench.local', 'bench-password', { ip: '127.0.0.1', userAgent: null });
    await fetch(`${app.url}/api/creators`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ stageName: 'Bench' }) });

    log(`round 1: ${VIDEOS} video and ${AUDIOS} audio uploads through the whole pipeline (scan, thumbnail, preview)`);
    const round1 = await createAssets(app, token, [...Array<Kind>(VIDEOS).fill('VIDEO'), ...Array<Kind>(AUDIOS).fill('AUDIO')]);
    const started = performance.now();
    await uploadAll(app, token, round1, files);
    await previewsDone(app, round1.map((a) => a.id), 3_600_000);
    const wall = (performance.now() - started) / 1000;

    // Pairs under the same load (this may be a shared machine): the command directly, then the job.
    log('paired runs: the ffmpeg command directly, then the same preview as a job');
    const times: Record<Kind, { direct: number[]; job: number[] }> = { VIDEO: { direct: [], job: [] }, AUDIO: { direct: [], job: [] } };
    for (const a of round1) {
      times[a.kind].direct.push(await direct[a.kind]());
      times[a.kind].job.push(await jobRun(app, token, a.id));
    }

    const previews = app.queues.get('file-preview-generation');
    const active = async () => (await previews.getJobCounts('active')).active ?? 0;
    log(`other queue idle: ${OTHER_JOBS} search-index updates`);
    const idle = await otherQueue(app, active);
    log('round 2: the same videos again, with the other queue measured while they encode');
    const round2 = await createAssets(app, token, Array<Kind>(VIDEOS).fill('VIDEO'));
    await uploadAll(app, token, round2, files);
    if (!(await waitFor(async () => (await active()) > 0, 120_000, 50))) throw new Error('no preview started');
    const busy = await otherQueue(app, active);
    await previewsDone(app, round2.map((a) => a.id), 3_600_000);

    const kindReport = (kind: Kind) => {
      const d = summarize(times[kind].direct);
      const j = summarize(times[kind].job);
      const ratio = d.mean > 0 ? Number((j.mean / d.mean).toFixed(3)) : null;
      return { directSeconds: d, jobSeconds: j, overheadSeconds: Number((j.mean - d.mean).toFixed(3)), ratio, pass: ratio !== null && ratio <= TARGET_RATIO };
    };
    const video = kindReport('VIDEO');
    const audio = kindReport('AUDIO');
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const totalDirect = sum(times.VIDEO.direct) + sum(times.AUDIO.direct);
    const totalJobs = sum(times.VIDEO.job) + sum(times.AUDIO.job);
    process.stdout.write(`${JSON.stringify({
      benchmark: 'previews', date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version, ffmpeg: bins.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
      sources: { videos: VIDEOS, videoSeconds: VIDEO_SECONDS, videoSize: VIDEO_SIZE, videoBytes: files.VIDEO.length, audios: AUDIOS, audioSeconds: AUDIO_SECONDS, audioBytes: files.AUDIO.length },
      previewConcurrency: app.config.media.previewConcurrency, encodeNiceness: ENCODE_NICENESS,
      video, audio,
      overall: { ratio: Number((totalJobs / totalDirect).toFixed(3)), uploadToPreviewWallSecondsPerAsset: Number((wall / round1.length).toFixed(3)) },
      otherQueues: { queue: 'search-index-update', jobs: OTHER_JOBS, idle, whilePreviewsRun: busy, throughputRatio: Number((busy.jobsPerSec / idle.jobsPerSec).toFixed(3)) },
      targets: { previewRatio: TARGET_RATIO },
      pass: { video: video.pass, audio: audio.pass, otherQueuesKeepRunning: busy.jobsPerSec > 0 && busy.previewsActiveWhileMeasuring > 0.5 },
    }, null, 2)}\n`);
  } finally {
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Job } from 'bullmq';
import type { AssetMedia, OwnedAsset } from '../catalog/index.js';
import type { Logger } from '../platform/logger.js';
import type { Storage } from '../platform/storage/storage.js';
import { resolveFfmpeg, withTempDir, type FfmpegBinaries, type ProcessLimits } from '../previews/index.js';

/** The folders media jobs make under MEDIA_TMP_DIR; the sweep touches nothing else there. */
export const JOB_TEMP_PREFIXES = ['herald-preview-', 'herald-thumbnail-'] as const;
export type JobTempPrefix = (typeof JOB_TEMP_PREFIXES)[number];

// Each process sweeps its own MEDIA_TMP_DIR when its jobs start, at most this often (worker hosts
// do not share temp dirs, so the scheduled sweep alone would clean only the host it runs on).
const TEMP_SWEEP_EVERY_MS = 3_600_000;

// A failed look-up is remembered this long: health checks and a burst of jobs do not each spawn one.
const RETRY_LOOKUP_MS = 30_000;

export interface JobTempDirsDeps {
  readonly log: Logger;
  /** Parent of the jobs' temporary folders (each removed when its job ends, whatever happens). */
  readonly tmpDir: string;
  /** Stale job temp folders older than this are swept. */
  readonly sweepGraceMs: number;
}

/** The jobs' temporary folders under MEDIA_TMP_DIR, and the sweep of those a killed worker left. */
export class JobTempDirs {
  private readonly inUse = new Set<string>();
  private lastSweep = 0;

  constructor(private readonly deps: JobTempDirsDeps) {}

  /** fn in a fresh folder under tmpDir, removed afterwards whatever happens. */
  async run<T>(prefix: JobTempPrefix, fn: (dir: string) => Promise<T>): Promise<T> {
    await mkdir(this.deps.tmpDir, { recursive: true });
    if (Date.now() - this.lastSweep >= TEMP_SWEEP_EVERY_MS) {
      this.lastSweep = Date.now();
      await this.sweep().catch((err: Error) => this.deps.log.warn({ err: err.message }, 'temp folder sweep failed'));
    }
    return withTempDir(async (dir) => {
      this.inUse.add(dir);
      try {
        return await fn(dir);
      } finally {
        this.inUse.delete(dir);
      }
    }, { parent: this.deps.tmpDir, prefix });
  }

  /**
   * Removes job folders under tmpDir that a killed worker left behind: older than sweepGraceMs
   * (nothing in them changed since) and not in use by this process. Returns how many went.
   */
  async sweep(now = Date.now()): Promise<number> {
    const entries = await readdir(this.deps.tmpDir, { withFileTypes: true }).catch(() => []);
    let removed = 0;
    for (const entry of entries) {
      if (!entry.isDirectory() || !JOB_TEMP_PREFIXES.some((p) => entry.name.startsWith(p))) continue;
      const dir = path.join(this.deps.tmpDir, entry.name);
      if (this.inUse.has(dir) || (await lastChange(dir)) > now - this.deps.sweepGraceMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }
}

export interface FfmpegLocatorDeps {
  readonly log: Logger;
  /** FFMPEG_PATH; the PATH otherwise. */
  readonly ffmpegPath: string | undefined;
  readonly limits: ProcessLimits;
}

/** ffmpeg and ffprobe, found on first use and kept; a failure is looked up again after a while. */
export class FfmpegLocator {
  private bins: Promise<FfmpegBinaries> | null = null;
  private unavailable: { error: Error; at: number } | null = null;

  constructor(private readonly deps: FfmpegLocatorDeps) {}

  get(): Promise<FfmpegBinaries> {
    // A failure is looked up again after RETRY_LOOKUP_MS (ffmpeg installed since).
    if (this.unavailable && Date.now() - this.unavailable.at < RETRY_LOOKUP_MS) return Promise.reject(this.unavailable.error);
    this.bins ??= resolveFfmpeg({ ffmpegPath: this.deps.ffmpegPath, limits: this.deps.limits }).then((found) => {
      this.unavailable = null;
      this.deps.log.info({ ffmpeg: found.ffmpeg, ffprobe: found.ffprobe, version: found.version, limiter: found.limiter.kind, limits: found.limits }, 'ffmpeg found');
      return found;
    }, (err: Error) => {
      this.bins = null;
      this.unavailable = { error: err, at: Date.now() };
      this.deps.log.warn({ err: err.message }, 'previews are off: no usable ffmpeg');
      throw err;
    });
    return this.bins;
  }
}

/** The newest modification of a folder or of anything directly in it (a running encode keeps touching its output). */
async function lastChange(dir: string): Promise<number> {
  const times = [(await stat(dir)).mtimeMs];
  for (const name of await readdir(dir).catch(() => [])) {
    const s = await stat(path.join(dir, name)).catch(() => null);
    if (s) times.push(s.mtimeMs);
  }
  return Math.max(...times);
}

/** The asset while it still holds the upload `storageKey`; undefined when it was replaced or deleted. */
export async function currentUpload(assets: AssetMedia, assetId: string, storageKey: string): Promise<OwnedAsset | undefined> {
  const asset = await assets.find(assetId);
  return asset?.storage_key === storageKey ? asset : undefined;
}

/**
 * A local path of a stored file for ffmpeg or sharp: the file itself when the store has one (ffmpeg
 * then reads only the part it seeks to), else a copy downloaded into dir.
 */
export async function localInput(storage: Storage, key: string, dir: string): Promise<string> {
  const local = await storage.localPath(key);
  if (local) return local;
  const file = path.join(dir, 'input');
  await mkdir(dir, { recursive: true });
  await pipeline(await storage.get(key), createWriteStream(file));
  return file;
}

export async function putFile(storage: Storage, key: string, file: string, contentType: string): Promise<number> {
  return (await storage.put(key, createReadStream(file), { contentType })).size;
}

/** The job's last try: what it failed on is recorded for the uploader before the error is thrown. */
export function isLastAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** What the uploader reads when this server cannot make previews (the admin's health page says why). */
export const PREVIEWS_OFF = 'Previews are off on this server; they are made once an administrator enables them and re-runs previews.';

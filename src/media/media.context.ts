import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Job } from 'bullmq';
import { AssetMedia } from '../catalog/asset-media.js';
import type { OwnedAsset } from '../catalog/assets.repository.js';
import type { Config } from '../config.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { LocalStorage } from '../platform/storage/local.storage.js';
import type { Storage } from '../platform/storage/storage.js';
import { FfmpegUnavailableError, resolveFfmpeg, withTempDir, type FfmpegBinaries } from '../previews/ffmpeg.runner.js';
import { createClamav, type Scanner } from './clamav.js';

/** What every media job needs: the database, storage, ffmpeg (found once), the scanner, limits. */
export interface MediaContext {
  readonly db: Db;
  readonly storage: Storage;
  readonly log: Logger;
  readonly scanner: Scanner | null;
  readonly maxDurationSeconds: number;
  /** Parent of the jobs' temporary folders (each removed when its job ends, whatever happens). */
  readonly tmpDir: string;
  /** Unreferenced stored files and stale job temp folders older than this are swept. */
  readonly sweepGraceMs: number;
  ffmpeg(): Promise<FfmpegBinaries>;
  /** fn in a fresh folder under tmpDir, removed afterwards whatever happens. */
  inTempDir<T>(prefix: JobTempPrefix, fn: (dir: string) => Promise<T>): Promise<T>;
  /**
   * Removes job folders under tmpDir that a killed worker left behind: older than sweepGraceMs
   * (nothing in them changed since) and not in use by this process. Returns how many went.
   */
  sweepTempDirs(now?: number): Promise<number>;
}

/** The folders media jobs make under MEDIA_TMP_DIR; the sweep touches nothing else there. */
export const JOB_TEMP_PREFIXES = ['herald-preview-', 'herald-thumbnail-'] as const;
export type JobTempPrefix = (typeof JOB_TEMP_PREFIXES)[number];

// Each process sweeps its own MEDIA_TMP_DIR when its jobs start, at most this often (worker hosts
// do not share temp dirs, so the scheduled sweep alone would clean only the host it runs on).
const TEMP_SWEEP_EVERY_MS = 3_600_000;

// A failed look-up is remembered this long: health checks and a burst of jobs do not each spawn one.
const RETRY_LOOKUP_MS = 30_000;

export function createMediaContext(deps: { db: Db; storage: Storage; log: Logger; config: Pick<Config, 'media'> }): MediaContext {
  const { media } = deps.config;
  let bins: Promise<FfmpegBinaries> | null = null;
  let unavailable: { error: Error; at: number } | null = null;
  const inUse = new Set<string>();
  let lastTempSweep = 0;
  return {
    db: deps.db,
    storage: deps.storage,
    log: deps.log,
    scanner: media.clamavUrl ? createClamav(media.clamavUrl) : null,
    maxDurationSeconds: media.previewMaxDurationSeconds,
    tmpDir: media.tmpDir,
    sweepGraceMs: media.sweepGraceMs,
    async inTempDir(prefix, fn) {
      await mkdir(media.tmpDir, { recursive: true });
      if (Date.now() - lastTempSweep >= TEMP_SWEEP_EVERY_MS) {
        lastTempSweep = Date.now();
        await this.sweepTempDirs().catch((err: Error) => deps.log.warn({ err: err.message }, 'temp folder sweep failed'));
      }
      return withTempDir(async (dir) => {
        inUse.add(dir);
        try {
          return await fn(dir);
        } finally {
          inUse.delete(dir);
        }
      }, { parent: media.tmpDir, prefix });
    },
    async sweepTempDirs(now = Date.now()) {
      const entries = await readdir(media.tmpDir, { withFileTypes: true }).catch(() => []);
      let removed = 0;
      for (const entry of entries) {
        if (!entry.isDirectory() || !JOB_TEMP_PREFIXES.some((p) => entry.name.startsWith(p))) continue;
        const dir = path.join(media.tmpDir, entry.name);
        if (inUse.has(dir) || (await lastChange(dir)) > now - media.sweepGraceMs) continue;
        await rm(dir, { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
    ffmpeg() {
      // Found on first use; a failure is looked up again after RETRY_LOOKUP_MS (ffmpeg installed since).
      if (unavailable && Date.now() - unavailable.at < RETRY_LOOKUP_MS) return Promise.reject(unavailable.error);
      bins ??= resolveFfmpeg({ ffmpegPath: media.ffmpegPath, limits: media.processLimits }).then((found) => {
        unavailable = null;
        deps.log.info({ ffmpeg: found.ffmpeg, ffprobe: found.ffprobe, version: found.version, limiter: found.limiter.kind, limits: found.limits }, 'ffmpeg found');
        return found;
      }, (err: Error) => {
        bins = null;
        unavailable = { error: err, at: Date.now() };
        deps.log.warn({ err: err.message }, 'previews are off: no usable ffmpeg');
        throw err;
      });
      return bins;
    },
  };
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
export async function currentUpload(db: Db, assetId: string, storageKey: string): Promise<OwnedAsset | undefined> {
  const asset = await new AssetMedia(db).find(assetId);
  return asset?.storage_key === storageKey ? asset : undefined;
}

/**
 * A local path of a stored file for ffmpeg or sharp: the file itself on local storage (ffmpeg then
 * reads only the part it seeks to), else a copy downloaded into dir.
 */
export async function localInput(storage: Storage, key: string, dir: string): Promise<string> {
  if (storage instanceof LocalStorage) {
    const file = path.join(storage.root, ...key.split('/'));
    // The key was validated when it was written; a stat through the interface keeps missing files a NotFound.
    if (await storage.stat(key)) return file;
  }
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

export const NO_SCANNER_WARNING = 'No virus scanner is configured (CLAMAV_URL unset): uploads are marked CLEAN without a scan.';

/** The previews health group's own facts: a warning without a scanner, a problem when clamd does not answer. */
export async function scannerHealth(scanner: Scanner | null): Promise<{ warnings?: string[]; problems?: string[] }> {
  if (!scanner) return { warnings: [NO_SCANNER_WARNING] };
  return (await scanner.ping()) ? {} : { problems: [`media-scan: clamd at ${scanner.address} does not answer`] };
}

/**
 * The scanner's facts, and previews off (a problem, with the fix) without a usable ffmpeg and
 * ffprobe. Checked in this process: API and worker processes share FFMPEG_PATH and their image.
 */
export async function previewsHealth(ctx: Pick<MediaContext, 'scanner' | 'ffmpeg'>): Promise<{ warnings?: string[]; problems?: string[] }> {
  const [scanner, missing] = await Promise.all([scannerHealth(ctx.scanner), ctx.ffmpeg().then(() => null, (err: Error) => err)]);
  if (!missing) return scanner;
  const problem = missing instanceof FfmpegUnavailableError ? missing.message : `Previews are off: ${missing.message}`;
  return { ...scanner, problems: [...(scanner.problems ?? []), problem] };
}

/** What the uploader reads when this server cannot make previews (the admin's health page says why). */
export const PREVIEWS_OFF = 'Previews are off on this server; they are made once an administrator enables them and re-runs previews.';

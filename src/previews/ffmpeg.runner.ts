import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ffmpegInfoArgs, ffprobeArgs } from './ffmpeg.args.js';
import { describeFfmpegFailure, parseFfmpegInfo, parseFfprobeJson, progressFraction, progressSeconds, type MediaProbe } from './ffmpeg.parse.js';

/** Thin wrapper around the ffmpeg and ffprobe processes; every argument comes from ffmpeg.args.ts. */

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  /** null when only ffmpeg exists (@ffmpeg-installer ships no ffprobe): probes parse `ffmpeg -i`. */
  readonly ffprobe: string | null;
  /** First line of `ffmpeg -version`, for logs. */
  readonly version: string;
}

/** Input that can never be previewed; the message is for the uploader. Retrying will not help. */
export class MediaError extends Error {
  constructor(message: string, readonly details?: string) {
    super(message);
    this.name = 'MediaError';
  }
}

export type FfmpegFailure = 'exit' | 'timeout' | 'aborted' | 'spawn';

export class FfmpegError extends Error {
  constructor(
    readonly reason: FfmpegFailure,
    message: string,
    readonly exitCode: number | null = null,
    readonly stderr: readonly string[] = [],
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/**
 * FFMPEG_PATH when given, else `ffmpeg` on the PATH, else @ffmpeg-installer's static build. ffprobe
 * is looked for next to the chosen ffmpeg (or on the PATH); each candidate is run once to check it.
 */
export async function resolveFfmpeg(options: { ffmpegPath?: string; ffprobePath?: string } = {}): Promise<FfmpegBinaries> {
  let ffmpeg: string;
  let version: string | null;
  if (options.ffmpegPath) {
    ffmpeg = options.ffmpegPath;
    version = await versionOf(ffmpeg);
    if (!version) throw new Error(`FFMPEG_PATH ${ffmpeg} is not a working ffmpeg`);
  } else {
    ffmpeg = 'ffmpeg';
    version = await versionOf(ffmpeg);
    if (!version) {
      ffmpeg = await installerFfmpeg();
      version = await versionOf(ffmpeg);
      if (!version) throw new Error(`No working ffmpeg: none on the PATH and ${ffmpeg} does not run`);
    }
  }
  // ffprobe from the same place as ffmpeg: a bare name from the PATH, a path from its directory.
  const sibling = ffmpeg === path.basename(ffmpeg) ? 'ffprobe' : path.join(path.dirname(ffmpeg), 'ffprobe');
  const candidate = options.ffprobePath ?? sibling;
  const ffprobe = (await versionOf(candidate)) ? candidate : null;
  return { ffmpeg, ffprobe, version };
}

async function installerFfmpeg(): Promise<string> {
  const mod = (await import('@ffmpeg-installer/ffmpeg')) as { default: { path: string } };
  await access(mod.default.path, constants.X_OK);
  return mod.default.path;
}

async function versionOf(binary: string): Promise<string | null> {
  if (binary !== path.basename(binary)) {
    // A path that does not exist is not worth a process.
    if (!(await access(binary, constants.X_OK).then(() => true, () => false))) return null;
  }
  try {
    const { stdout } = await runProcess(binary, ['-version'], { timeoutMs: 10_000 });
    return stdout.split('\n')[0]?.trim() || null;
  } catch {
    return null;
  }
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called with 0..1 of expectedSeconds of output written; ends with 1 on success. */
  readonly onProgress?: (fraction: number) => void;
  readonly expectedSeconds?: number;
  /**
   * Scheduling priority of the ffmpeg process (0..19, higher yields more): a long encode then takes
   * only the CPU the service's own event loop and other jobs leave.
   */
  readonly niceness?: number;
}

export interface RunResult {
  /** The last lines ffmpeg logged (errors only), for messages and truncation checks. */
  readonly stderr: readonly string[];
  /** Seconds of output written, from ffmpeg's last progress report; null without onProgress. */
  readonly outSeconds: number | null;
}

/** Runs ffmpeg with args from ffmpeg.args.ts; rejects with FfmpegError on a non-zero exit, timeout or abort. */
export async function runFfmpeg(bins: FfmpegBinaries, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  let last = 0;
  let outSeconds: number | null = null;
  const onLine = options.onProgress
    ? (line: string) => {
        const s = progressSeconds(line);
        if (s !== null) outSeconds = s;
        const fraction = s === null ? (line === 'progress=end' ? 1 : null) : progressFraction(s, options.expectedSeconds ?? 0);
        if (fraction !== null && fraction > last) {
          last = fraction;
          options.onProgress!(fraction);
        }
      }
    : undefined;
  const full = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y', ...(onLine ? ['-progress', 'pipe:1'] : []), ...args];
  const { stderr } = await runProcess(bins.ffmpeg, full, { ...options, onStdoutLine: onLine });
  if (options.onProgress && last < 1) options.onProgress(1);
  return { stderr, outSeconds };
}

/** Streams, duration and format of a file; MediaError when it is not readable media. */
export async function probe(bins: FfmpegBinaries, file: string, options: Pick<RunOptions, 'timeoutMs' | 'signal'> = {}): Promise<MediaProbe> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (bins.ffprobe) {
    try {
      const { stdout } = await runProcess(bins.ffprobe, ffprobeArgs(file), { ...options, timeoutMs });
      const result = parseFfprobeJson(stdout);
      if (result.streams.length > 0 || result.durationSeconds !== null) return result;
      throw new MediaError('The file is not a readable audio or video file.');
    } catch (err) {
      if (isInputFailure(err)) throw unreadable(err.stderr, file);
      throw err;
    }
  }
  try {
    await runProcess(bins.ffmpeg, ['-hide_banner', '-nostdin', ...ffmpegInfoArgs(file)], { ...options, timeoutMs, keepStderr: 5000 });
    throw new Error('ffmpeg -i unexpectedly succeeded without an output');
  } catch (err) {
    if (!isInputFailure(err)) throw err;
    const result = parseFfmpegInfo(err.stderr.join('\n'));
    if (result) return result;
    throw unreadable(err.stderr, file);
  }
}

// An exit code is the program's verdict on the input; a kill signal (the OOM killer, say) is not.
function isInputFailure(err: unknown): err is FfmpegError {
  return err instanceof FfmpegError && err.reason === 'exit' && err.exitCode !== null;
}

function unreadable(stderr: readonly string[], file: string): MediaError {
  const why = describeFfmpegFailure(stderr, file);
  return new MediaError(`The file is not a readable audio or video file${why ? ` (${why})` : ''}.`, stderr.join('\n'));
}

/** A fresh directory for one job's files, removed afterwards whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, options: { parent?: string; prefix?: string } = {}): Promise<T> {
  const dir = await mkdtemp(path.join(options.parent ?? tmpdir(), options.prefix ?? 'herald-preview-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ProcessOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onStdoutLine?: (line: string) => void;
  /** How many stderr lines to keep (the last ones). */
  readonly keepStderr?: number;
  readonly niceness?: number;
}

const MAX_STDOUT = 16 * 1024 * 1024;

/**
 * Spawns binary without a shell; resolves with stdout (unless streamed line by line) and the last
 * stderr lines. The process is killed on timeout or abort; nothing outlives the promise.
 */
function runProcess(binary: string, args: readonly string[], options: ProcessOptions): Promise<{ stdout: string; stderr: string[] }> {
  const { signal, timeoutMs, onStdoutLine, keepStderr = 30 } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FfmpegError('aborted', `${path.basename(binary)} aborted before it started`));
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (options.niceness && child.pid) {
      try {
        setPriority(child.pid, options.niceness);
      } catch { /* not permitted here: run at normal priority */ }
    }
    const stderr: string[] = [];
    let stdout = '';
    let stopped: FfmpegFailure | null = null;
    const stop = (why: FfmpegFailure) => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = timeoutMs ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
    const onAbort = () => stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });

    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line);
      if (stderr.length > keepStderr) stderr.shift();
    });
    if (onStdoutLine) createInterface({ input: child.stdout! }).on('line', onStdoutLine);
    else child.stdout!.on('data', (d: Buffer) => {
      if (stdout.length < MAX_STDOUT) stdout += d.toString('utf8');
    });

    let spawnError: Error | null = null;
    child.once('error', (err) => { spawnError = err; });
    // 'close' comes after the exit and after stdout/stderr are drained, so every line is in.
    child.once('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const name = path.basename(binary);
      if (spawnError) reject(new FfmpegError('spawn', `${name} could not be started: ${spawnError.message}`));
      else if (stopped === 'timeout') reject(new FfmpegError('timeout', `${name} took longer than ${timeoutMs} ms`, null, stderr));
      else if (stopped === 'aborted') reject(new FfmpegError('aborted', `${name} was aborted`, null, stderr));
      else if (code !== 0) reject(new FfmpegError('exit', `${name} failed (${code === null ? 'killed' : `exit ${code}`}): ${describeFfmpegFailure(stderr)}`, code, stderr));
      else resolve({ stdout, stderr });
    });
  });
}

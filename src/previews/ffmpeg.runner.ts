import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ffprobeArgs } from './ffmpeg.args.js';
import { describeFfmpegFailure, parseFfprobeJson, progressFraction, progressSeconds, type MediaProbe } from './ffmpeg.parse.js';
import { breachMessage, DEFAULT_PROCESS_LIMITS, limitBreach, limitedCommand, type LimitBreach, type Limiter, type ProcessLimits } from './process.limits.js';

/**
 * Thin wrapper around the ffmpeg and ffprobe processes; every argument comes from ffmpeg.args.ts,
 * and every process that reads an upload runs under the limits of process.limits.ts.
 */

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** First line of `ffmpeg -version`, for logs. */
  readonly version: string;
  readonly limiter: Limiter;
  readonly limits: ProcessLimits;
}

/** Input that can never be previewed; the message is for the uploader. Retrying will not help. */
export class MediaError extends Error {
  constructor(message: string, readonly details?: string) {
    super(message);
    this.name = 'MediaError';
  }
}

/** No usable ffmpeg and ffprobe: previews are off. The message says what to do (for admins). */
export class FfmpegUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegUnavailableError';
  }
}

export type FfmpegFailure = 'exit' | 'timeout' | 'aborted' | 'spawn' | 'limit';

export class FfmpegError extends Error {
  constructor(
    readonly reason: FfmpegFailure,
    message: string,
    readonly exitCode: number | null = null,
    readonly stderr: readonly string[] = [],
    readonly breach: LimitBreach | null = null,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

const FIX = 'apt-get install ffmpeg or set FFMPEG_PATH';

/**
 * FFMPEG_PATH when given, else `ffmpeg` on the PATH; ffprobe next to it (or on the PATH). Only a
 * maintained system build is used: both must run, under the limits they will run with, or
 * FfmpegUnavailableError says why and how to fix it.
 */
export async function resolveFfmpeg(options: { ffmpegPath?: string; ffprobePath?: string; limits?: ProcessLimits } = {}): Promise<FfmpegBinaries> {
  const limits = options.limits ?? DEFAULT_PROCESS_LIMITS;
  const limiter = await findLimiter();
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const where = options.ffmpegPath ? `FFMPEG_PATH ${ffmpeg} is not a working ffmpeg` : 'no ffmpeg on the PATH';
  if (!(await versionOf(ffmpeg))) throw new FfmpegUnavailableError(`Previews are off: ${where} (${FIX}).`);
  const version = await versionOf(ffmpeg, { limiter, limits });
  if (!version) throw new FfmpegUnavailableError(`Previews are off: ffmpeg does not start within PREVIEW_MEMORY_MB=${limits.memoryMb} (raise it).`);
  // ffprobe from the same place as ffmpeg: a bare name from the PATH, a path from its directory.
  const sibling = ffmpeg === path.basename(ffmpeg) ? 'ffprobe' : path.join(path.dirname(ffmpeg), 'ffprobe');
  const ffprobe = options.ffprobePath ?? sibling;
  if (!(await versionOf(ffprobe, { limiter, limits }))) throw new FfmpegUnavailableError(`Previews are off: no working ffprobe at ${ffprobe} (${FIX}).`);
  return { ffmpeg, ffprobe, version, limiter, limits };
}

async function findLimiter(): Promise<Limiter> {
  const prlimit = await runProcess('prlimit', ['--version'], { timeoutMs: 10_000 }).then(() => true, () => false);
  return prlimit ? { kind: 'prlimit', path: 'prlimit' } : { kind: 'ulimit', shell: '/bin/sh' };
}

async function versionOf(binary: string, limited?: { limiter: Limiter; limits: ProcessLimits }): Promise<string | null> {
  if (binary !== path.basename(binary)) {
    // A path that does not exist is not worth a process.
    if (!(await access(binary, constants.X_OK).then(() => true, () => false))) return null;
  }
  try {
    const { stdout } = await runProcess(binary, ['-version'], { timeoutMs: 10_000, limited });
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
  /** `info` adds ffmpeg's input and output dumps to stderr (see parseInputDump); default `error`. */
  readonly logLevel?: 'error' | 'info';
  /** Every stderr line as it comes (RunResult keeps only the last ones). */
  readonly onStderrLine?: (line: string) => void;
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
  const full = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', options.logLevel ?? 'error', '-y', ...(onLine ? ['-progress', 'pipe:1'] : []), ...args];
  const { stderr } = await runProcess(bins.ffmpeg, full, { ...options, onStdoutLine: onLine, limited: bins });
  if (options.onProgress && last < 1) options.onProgress(1);
  return { stderr, outSeconds };
}

/** Streams, duration and format of a file; MediaError when it is not readable media. */
export async function probe(bins: FfmpegBinaries, file: string, options: Pick<RunOptions, 'timeoutMs' | 'signal'> = {}): Promise<MediaProbe> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const { stdout } = await runProcess(bins.ffprobe, ffprobeArgs(file), { ...options, timeoutMs, limited: bins });
    const result = parseFfprobeJson(stdout);
    if (result.streams.length > 0 || result.durationSeconds !== null) return result;
    throw new MediaError('The file is not a readable audio or video file.');
  } catch (err) {
    if (err instanceof FfmpegError && err.breach) throw new MediaError(breachMessage(err.breach, bins.limits), err.stderr.join('\n'));
    if (isInputFailure(err)) throw unreadable(err.stderr, file);
    throw err;
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
  readonly onStderrLine?: (line: string) => void;
  /** How many stderr lines to keep (the last ones). */
  readonly keepStderr?: number;
  readonly niceness?: number;
  /** Run under these limits (every run that reads an upload); a breach rejects with reason 'limit'. */
  readonly limited?: { readonly limiter: Limiter; readonly limits: ProcessLimits };
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
    const command = options.limited ? limitedCommand(options.limited.limiter, options.limited.limits, binary, args) : { command: binary, args: [...args] };
    const started = Date.now();
    const child = spawn(command.command, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      options.onStderrLine?.(line);
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
    child.once('close', (code, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const name = path.basename(binary);
      const breach = options.limited && code !== 0
        ? limitBreach({ code, signal: killedBy, stderr, elapsedMs: Date.now() - started, cores: availableParallelism(), cpuSeconds: options.limited.limits.cpuSeconds })
        : null;
      if (spawnError) reject(new FfmpegError('spawn', `${name} could not be started: ${spawnError.message}`));
      else if (stopped === 'timeout') reject(new FfmpegError('timeout', `${name} took longer than ${timeoutMs} ms`, null, stderr));
      else if (stopped === 'aborted') reject(new FfmpegError('aborted', `${name} was aborted`, null, stderr));
      // The limiter's exec failing (no such binary, libraries that do not fit the limits) is the shell's 126/127.
      else if (options.limited && (code === 126 || code === 127)) reject(new FfmpegError('spawn', `${name} could not be started: ${describeFfmpegFailure(stderr)}`, code, stderr));
      else if (breach) reject(new FfmpegError('limit', `${name} hit its ${breach} limit (${killedBy ?? `exit ${code}`})`, code, stderr, breach));
      else if (code !== 0) reject(new FfmpegError('exit', `${name} failed (${code === null ? `killed by ${killedBy}` : `exit ${code}`}): ${describeFfmpegFailure(stderr)}`, code, stderr));
      else resolve({ stdout, stderr });
    });
  });
}

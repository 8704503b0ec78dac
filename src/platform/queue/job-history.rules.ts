import { scheduleIdOf } from './schedules.js';

/**
 * What job history keeps of a finished job (migrations/0020_job_history.sql): pure, so the
 * WorkerPool's event handlers can call it synchronously and tests can check every field without
 * BullMQ. Every text is bounded, so a job with a huge payload, stack or return value still makes
 * a small row, and every string is made acceptable to PostgreSQL: `text` and `jsonb` refuse NUL
 * (U+0000), and `jsonb` refuses a lone UTF-16 surrogate, which JSON.stringify writes as `\udXXX`.
 */

/** The return value's JSON is cut to this many bytes (a summary, not an archive). */
export const RETURN_MAX_BYTES = 1_024;
/** The last attempt's stack is cut to this many bytes (its top: the message and innermost frames). */
export const STACK_MAX_BYTES = 8_192;
/** The failure reason (an error message may carry a whole payload) is cut to this many bytes. */
export const REASON_MAX_BYTES = 4_096;
/** search_text is cut to this many characters, the job's id and name always whole. */
export const SEARCH_MAX_CHARS = 2_048;
/** The job's due-to-start and run durations are integers of ms (PostgreSQL integer). */
const MAX_MS = 2_147_483_647;

/** The fields of a BullMQ Job the row is made of (a Job fits it). */
export interface FinishedJob {
  readonly id?: string | null;
  readonly name: string;
  readonly data: unknown;
  /** When the job was added (ms); a scheduler iteration's is when it was made, its delay runs to the run time. */
  readonly timestamp: number;
  readonly opts: { readonly delay?: number };
  readonly processedOn?: number | null;
  readonly finishedOn?: number | null;
  readonly attemptsMade: number;
  readonly failedReason?: string | null;
  readonly stacktrace?: readonly string[] | null;
  readonly repeatJobKey?: string | null;
}

export interface JobOutcome {
  readonly queue: string;
  readonly job: FinishedJob;
  readonly state: 'completed' | 'failed';
  /** The handler's return value (completed). */
  readonly result?: unknown;
  /** The error it failed with (failed; the job's failedReason and stacktrace are preferred). */
  readonly error?: { readonly message?: string; readonly stack?: string } | null;
  /** The heartbeat id of the worker process that finished it. */
  readonly worker: string | null;
}

/** One job_history row as the writer sends it; `data` is JSON text (or null), timestamps ISO strings. */
export interface JobHistoryRow {
  readonly queue: string;
  readonly job_id: string;
  readonly name: string;
  readonly state: 'completed' | 'failed';
  readonly data: string | null;
  readonly return_summary: string | null;
  readonly failed_reason: string | null;
  readonly stacktrace: string | null;
  readonly attempts: number;
  readonly created_at: string;
  readonly processed_at: string | null;
  readonly finished_at: string;
  readonly wait_ms: number | null;
  readonly run_ms: number | null;
  readonly worker: string | null;
  readonly schedule_id: string | null;
  readonly search_text: string;
}

// A NUL or any surrogate half: the only characters that need a closer look (one test per string).
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` without NUL and with each lone surrogate replaced by U+FFFD: storable as text and in jsonb. */
export function cleanText(s: string): string {
  // On clean text (nearly always) both scan once and return `s` itself, nothing copied.
  return s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

/** JSON.stringify's replacer that cleans every string value and every object key on the way. */
function cleanJson(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value instanceof Object && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => SUSPECT.test(k))) return Object.fromEntries(keys.map((k) => [cleanText(k), (value as Record<string, unknown>)[k]]));
  }
  return value;
}

/** The cleaned JSON text of a value, or null for one without any (undefined, a function, a cycle, a BigInt). */
export function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value, cleanJson) ?? null;
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();

/** The longest start of `s` that fits in `max` UTF-8 bytes, never splitting a character. */
export function cutBytes(s: string, max: number): string {
  // encodeInto writes whole characters only: `read` is the UTF-16 length of what fits.
  const { read } = encoder.encodeInto(s, new Uint8Array(Math.max(0, max)));
  return s.slice(0, read);
}

/** The start of `s` of at most `max` UTF-16 units, never ending on the first half of a pair. */
export function cutChars(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = Math.max(0, max);
  const code = s.charCodeAt(end - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/**
 * The job's data as stored: its JSON when it fits `maxBytes`, else
 * `{"truncated":true,"bytes":<its size>,"preview":"<its first maxBytes bytes>"}`.
 */
export function dataJson(json: string | null, maxBytes: number): string | null {
  if (json === null) return null;
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return json;
  return JSON.stringify({ truncated: true, bytes, preview: cutBytes(json, maxBytes) });
}

/**
 * The searchable text of a value: its leaf values (strings, numbers, booleans) in order, separated
 * by spaces, until about `budget` characters are gathered. Keys are left out: a search looks for
 * an address, an id or a word, not for a field's name.
 */
export function leafText(value: unknown, budget: number): string {
  const parts: string[] = [];
  let size = 0;
  const visit = (v: unknown, depth: number): void => {
    if (size >= budget || depth > 32) return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      const text = typeof v === 'string' ? cutChars(cleanText(v), budget - size) : String(v);
      if (text === '') return;
      parts.push(text);
      size += text.length + 1;
      return;
    }
    // An object's values (null, undefined, a function, a symbol, a BigInt: none). Past the budget each
    // remaining item returns at once.
    for (const item of Array.isArray(v) ? v : Object.values(v ?? {})) visit(item, depth + 1);
  };
  visit(value, 0);
  return parts.join(' ');
}

/** What search reads: `job-id name failed-reason data-text`, lowercased; id and name always whole. */
export function searchText(jobId: string, name: string, failedReason: string | null, data: unknown): string {
  const head = `${jobId} ${name}`.toLowerCase();
  // What is left after the head and a space (nothing when the head fills it: then the cuts are empty).
  const room = SEARCH_MAX_CHARS - head.length - 1;
  const reason = failedReason ? cutChars(failedReason, room).toLowerCase() : '';
  const tail = cutChars([reason, leafText(data, room).toLowerCase()].filter((part) => part !== '').join(' '), room);
  return cleanText(tail === '' ? head : `${head} ${tail}`);
}

const iso = (ms: number) => new Date(ms).toISOString();
const duration = (from: number, to: number) => Math.min(MAX_MS, Math.max(0, Math.round(to - from)));
const finite = (ms: number | null | undefined): ms is number => Number.isFinite(ms) && (ms as number) > 0;

/**
 * The row of a job that finished for good. `now` stands in for a finish time BullMQ did not set.
 * created_at is when the job was due (its timestamp + its delay: a scheduler iteration's run time,
 * a delayed job's time), so wait_ms is due-to-start (0 for a job promoted early) and run_ms
 * start-to-finish of its last attempt.
 */
export function jobHistoryRow(outcome: JobOutcome, dataMaxBytes: number, now: number): JobHistoryRow {
  const { job, state } = outcome;
  const jobId = cleanText(job.id ?? '');
  const name = cleanText(job.name);
  const failed = state === 'failed';
  const reasonText = failed ? job.failedReason || outcome.error?.message || null : null;
  const failedReason = reasonText === null ? null : cutBytes(cleanText(reasonText), REASON_MAX_BYTES);
  const stack = failed ? job.stacktrace?.at(-1) ?? outcome.error?.stack ?? null : null;
  const returned = failed ? null : jsonText(outcome.result);
  const due = job.timestamp + (job.opts.delay ?? 0);
  const processed = finite(job.processedOn) ? job.processedOn : null;
  const finished = finite(job.finishedOn) ? job.finishedOn : now;
  return {
    queue: outcome.queue,
    job_id: jobId,
    name,
    state,
    data: dataJson(jsonText(job.data), dataMaxBytes),
    return_summary: returned === null ? null : cutBytes(returned, RETURN_MAX_BYTES),
    failed_reason: failedReason,
    stacktrace: stack === null ? null : cutBytes(cleanText(stack), STACK_MAX_BYTES),
    attempts: job.attemptsMade,
    created_at: iso(due),
    processed_at: processed === null ? null : iso(processed),
    finished_at: iso(finished),
    wait_ms: processed === null ? null : duration(due, processed),
    run_ms: processed === null ? null : duration(processed, finished),
    worker: outcome.worker,
    schedule_id: scheduleIdOf(job),
    search_text: searchText(jobId, name, failedReason, job.data),
  };
}

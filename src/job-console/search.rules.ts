/**
 * Job search's pure rules (unit-tested without the app): the LIKE pattern of a query, how a live
 * job is matched in memory, a live job as a hit, which live hits replace which history rows, and
 * the merged order of live hits and history rows.
 */

/** The states a search may filter on: BullMQ's, as the queue pages name them. */
export const SEARCH_STATES = ['completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
export type SearchState = (typeof SEARCH_STATES)[number];
/** Terminal states come from job history; the live scan reads only the others. */
export const HISTORY_STATES = ['completed', 'failed'] as const satisfies readonly SearchState[];
export const LIVE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const satisfies readonly SearchState[];
export type LiveScanState = (typeof LIVE_STATES)[number];

/** `q` longer than this is refused (400): the trigram and text conditions cost with its length. */
export const Q_MAX_CHARS = 400;
/** Characters of a hit's data shown in the list (the detail has all of it). */
export const PREVIEW_CHARS = 160;

export const isTerminal = (state: string): boolean => state === 'completed' || state === 'failed';

/**
 * `%q%` for `search_text LIKE`: lower-cased as search_text is, with LIKE's own characters (`%`,
 * `_` and the escape `\`) escaped, so every character of q is matched literally.
 */
export function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A token the full-text configuration leaves out (a number, a version, an id, a path: 0024) as a
 * PostgreSQL regular expression for `search_text ~`: the token lower-cased, literally, as a whole
 * token where it starts or ends with a letter or digit (100 is not found in 1000, 10.0.3.1 not in
 * 10.0.3.12). A whole token is bounded by a character that is no letter or digit, `_` included:
 * the text search parser splits `smtp_550` into `smtp` and the number `550`, which `\m550` (for
 * which `_` is a word character) never found there.
 */
export function tokenPattern(token: string): string {
  const t = token.toLowerCase();
  const edge = /[\p{L}\p{N}]/u;
  const body = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `${edge.test(t.at(0) ?? '') ? '(^|[^[:alnum:]])' : ''}${body}${edge.test(t.at(-1) ?? '') ? '($|[^[:alnum:]])' : ''}`;
}

/** Characters of q the trigram index is asked for (the rest is checked on the rows it finds). */
export const INDEX_PIECE_CHARS = 12;

/**
 * The substring match of q, split in two: `index`, a LIKE pattern of q's longest run of letters
 * or digits (at most INDEX_PIECE_CHARS of it) for the trigram index to find candidates with, and
 * `whole`, q lower-cased, which each candidate must contain (strpos). A uuid has ~34 trigrams,
 * each common among hex ids, and the index read all their posting lists in every partition;
 * 12 characters of it are as rare and read a third as much. Null when q has no run of 3.
 */
export function substringMatch(q: string): { index: string; whole: string } | null {
  const runs = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const longest = runs.reduce((best, run) => (run.length > best.length ? run : best), '');
  if (longest.length < 3) return null;
  const whole = q.toLowerCase();
  return { index: likePattern(longest.slice(-INDEX_PIECE_CHARS)), whole };
}

interface Term {
  readonly text: string;
  readonly negated: boolean;
}

/**
 * websearch_to_tsquery's syntax, read for the live jobs matched in memory: words (all of them),
 * "quoted phrases" (as written), `-word` (must be absent) and `or` between alternatives. Each term
 * is lower-cased; a word is a run of letters and digits. Returns the alternatives, each a list of terms.
 */
export function websearchTerms(q: string): Term[][] {
  const groups: Term[][] = [[]];
  const tokens = q.toLowerCase().matchAll(/(-?)"([^"]*)"?|(-?)([^\s"]+)/gu);
  for (const m of tokens) {
    const negated = (m[1] ?? m[3]) === '-';
    const raw = m[2] ?? m[4] ?? '';
    if (m[2] === undefined && !negated && raw === 'or') {
      if (groups.at(-1)!.length > 0) groups.push([]);
      continue;
    }
    // A quoted phrase is matched as written (spaces squeezed); a bare token by its words.
    const words = m[2] !== undefined ? [raw.replace(/\s+/g, ' ').trim()] : raw.split(/[^\p{L}\p{N}]+/u);
    for (const text of words) if (text !== '') groups.at(-1)!.push({ text, negated });
  }
  return groups.filter((g) => g.some((t) => !t.negated));
}

/** A term of q as websearch_to_tsquery reads it: its text (without `-` and quotes), whether excluded, whether a phrase. */
export interface QueryChunk {
  readonly text: string;
  readonly negated: boolean;
  readonly quoted: boolean;
}

/**
 * q's alternatives (`or`) as websearch_to_tsquery reads them, each a list of its terms as written:
 * where q's numbers and ids (which the words leave out) belong. `-550` excludes 550, and in
 * `timeout or 550` 550 is an alternative to timeout, not a term beside it.
 */
export function websearchChunks(q: string): QueryChunk[][] {
  const groups: QueryChunk[][] = [[]];
  for (const m of q.matchAll(/(-?)"([^"]*)"?|(-?)([^\s"]+)/gu)) {
    const quoted = m[2] !== undefined;
    const negated = (m[1] ?? m[3]) === '-';
    const text = m[2] ?? m[4] ?? '';
    if (!quoted && !negated && text.toLowerCase() === 'or') {
      if (groups.at(-1)!.length > 0) groups.push([]);
      continue;
    }
    if (text.trim() !== '') groups.at(-1)!.push({ text, negated, quoted });
  }
  return groups.filter((g) => g.length > 0);
}

/** A group of chunks written back as websearch syntax (one alternative of q). */
export const chunksText = (chunks: readonly QueryChunk[]): string =>
  chunks.map((c) => `${c.negated ? '-' : ''}${c.quoted ? `"${c.text}"` : c.text}`).join(' ');

/**
 * Whether a live job's search text (as job history builds it: id, name, reason, data values,
 * lower-cased) matches q: it contains q (as `search_text LIKE '%q%'` does), or one alternative of
 * q's words is all there and none of its excluded words (as the full-text match does, with
 * substrings for words: a live job is matched a little more generously than a history row).
 */
export function liveMatcher(q: string): (text: string) => boolean {
  const whole = q.toLowerCase();
  const groups = websearchTerms(q);
  return (text) => text.includes(whole)
    || groups.some((g) => g.every((t) => text.includes(t.text) !== t.negated));
}

/** One search result, live (Redis) or from history; times in ms since the epoch, as JobSummary's. */
export interface JobSearchHit {
  queue: string;
  id: string;
  name: string;
  state: SearchState;
  source: 'live' | 'history';
  timestamp: number;
  processedOn: number | null;
  finishedOn: number | null;
  attemptsMade: number;
  failedReason: string | null;
  durationMs: number | null;
  worker: string | null;
  scheduleId: string | null;
  dataPreview: string | null;
}

/** The first PREVIEW_CHARS characters of a JSON text (… when cut), never ending on half a pair. */
export function preview(json: string | null | undefined): string | null {
  if (json === null || json === undefined) return null;
  if (json.length <= PREVIEW_CHARS) return json;
  const end = /[\ud800-\udbff]/.test(json[PREVIEW_CHARS - 1]!) ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
  return `${json.slice(0, end)}…`;
}

/** The fields of a BullMQ Job a live hit is made of (a Job fits it). */
export interface LiveJob {
  readonly id?: string | null;
  readonly name: string;
  readonly data?: unknown;
  /** The data as JSON text when it was read as such (a scanned job): previewed as it is. */
  readonly dataJson?: string;
  readonly timestamp: number;
  readonly processedOn?: number | null;
  readonly finishedOn?: number | null;
  readonly attemptsMade: number;
  readonly failedReason?: string | null;
  readonly processedBy?: string | null;
  readonly repeatJobKey?: string | null;
}

const positive = (ms: number | null | undefined): number | null => (typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : null);

export function liveHit(queue: string, state: SearchState, job: LiveJob, scheduleId: string | null): JobSearchHit {
  const processedOn = positive(job.processedOn);
  const finishedOn = positive(job.finishedOn);
  let json: string | null;
  try {
    json = job.dataJson ?? JSON.stringify(job.data) ?? null;
  } catch {
    json = null;
  }
  return {
    queue, id: job.id ?? '', name: job.name, state, source: 'live', timestamp: job.timestamp, processedOn, finishedOn,
    attemptsMade: job.attemptsMade, failedReason: job.failedReason || null,
    durationMs: processedOn !== null && finishedOn !== null ? Math.max(0, finishedOn - processedOn) : null,
    worker: job.processedBy ?? null, scheduleId, dataPreview: preview(json),
  };
}

/** The same job in two places: `queue` and `id` joined by a separator neither can hold. */
export const jobKey = (queue: string, id: string): string => `${queue}\u001f${id}`;

/** A history row of a job that a live lookup also found: enough to tell whether it is the same outcome. */
export interface HistoryOutcome {
  readonly queue: string;
  readonly jobId: string;
  readonly state: string;
  readonly finishedOn: number;
}

/**
 * Live hits against the history rows of the same jobs: one result per job outcome.
 * - A live job in a state history does not hold (waiting, active, delayed…) is the job's current
 *   state: a failed job retried since. Its history rows are left out (`exclude`).
 * - A live completed or failed job whose outcome history holds (same state, same finish, to the
 *   ms) is that row: the live hit goes and the history row (with its duration and worker) stays.
 * - A live completed or failed job history does not hold yet (the writer flushes every second;
 *   JOB_HISTORY=off) is shown, and any older history rows of it are left out (it ran again since).
 */
export function resolveLive(hits: readonly JobSearchHit[], history: readonly HistoryOutcome[]): { keep: JobSearchHit[]; exclude: string[] } {
  const recorded = new Set(history.map((h) => `${jobKey(h.queue, h.jobId)}\u001f${h.state}\u001f${h.finishedOn}`));
  const keep: JobSearchHit[] = [];
  const exclude = new Set<string>();
  for (const hit of hits) {
    const key = jobKey(hit.queue, hit.id);
    if (isTerminal(hit.state) && hit.finishedOn !== null && recorded.has(`${key}\u001f${hit.state}\u001f${hit.finishedOn}`)) continue;
    keep.push(hit);
    exclude.add(key);
  }
  return { keep, exclude: [...exclude] };
}

/**
 * Newest first, the order history rows are read in too (search.repository.ts): by time (a live
 * job's timestamp, a history row's finish) descending, a live hit before a history row at the same
 * ms, then by queue and id. Every page is cut from this one order.
 */
export function compareLive(a: JobSearchHit, b: JobSearchHit): number {
  return b.timestamp - a.timestamp || (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const DAY_MS = 86_400_000;

/**
 * `from` and `to` (ISO instants or dates, validated) as ms, both inclusive; a date `to` is the end
 * of that UTC day, so `from=2025-10-18&to=2025-10-18` is that whole day.
 */
export function timeRange(from: string | undefined, to: string | undefined): { from: number | null; to: number | null } {
  return {
    from: from === undefined ? null : Date.parse(from),
    to: to === undefined ? null : Date.parse(to) + (/^\d{4}-\d{2}-\d{2}$/.test(to) ? DAY_MS - 1 : 0),
  };
}

/** Whether a live hit passes the filters that are not its queue and state (those pick what is read). */
export function passesFilters(hit: JobSearchHit, f: { readonly name?: string; readonly from: number | null; readonly to: number | null }): boolean {
  return (f.name === undefined || hit.name === f.name) && (f.from === null || hit.timestamp >= f.from) && (f.to === null || hit.timestamp <= f.to);
}

/** A slice of history by finished_at: `lo` inclusive, `hi` exclusive (`hiInclusive`: a `to` bound); null: unbounded. */
export interface TimeWindow {
  readonly lo: number | null;
  readonly hi: number | null;
  readonly hiInclusive: boolean;
}

/** The newest slice: four hours (then 4, 8, 16… hours before it). */
const FIRST_SLICE_MS = 4 * 3_600_000;

/** The UTC midnight at or before `ms`: where a job_history partition begins (0020). */
const midnight = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);

/**
 * The slices a search reads history in, newest first: the four hours before the anchor (`to`, or
 * now; the first slice also takes anything after it), then 4, 8, 16… hours before that, the last one
 * open-ended (or ending at `from`), so every instant in [from, to] is in exactly one and
 * JOB_HISTORY_DAYS take about a dozen slices. The statement sorts one slice at a time and stops
 * once it has enough (search.repository.ts): the slice it stops in is at most about as large as all
 * before it, so a common word costs about twice the rows it needs, and a rare one the index
 * reads of every slice.
 *
 * Slices before the anchor's UTC day (before the day of the anchor less four hours: the first
 * slice is always four hours) begin and end on UTC midnights, where job_history's daily
 * partitions do: a partition's indexes know nothing of time within it, so a rare word's index read
 * (and the heap pages it visits) is the whole partition's for every slice that touches it. Cut at
 * hours, 30 days cost about 44 partition reads (and their planning) for 31 partitions; cut at
 * midnights, each older day is read once and only the anchor's day more than once. Over 1,000,000
 * rows (bench:admin's mix, EXPLAIN ANALYZE alternated): planning -7 %, execution -12 %; a browse of
 * a common state reads a little more (its first older slice is a whole day).
 */
export function historyWindows(now: number, range: { from: number | null; to: number | null }, keepDays: number): TimeWindow[] {
  const anchor = range.to === null ? now : Math.min(range.to, now);
  const oldest = anchor - (keepDays + 1) * DAY_MS;
  // The day the sub-day slices end in: the anchor's, or the one before while the anchor is in the
  // first four hours of its day, so the first slice is always four hours (at 00:30 a first slice of
  // 30 minutes and then the whole day before made a common word read a day for what 4 hours held).
  const today = midnight(anchor - FIRST_SLICE_MS);
  const windows: TimeWindow[] = [];
  const push = (lo: number | null, hi: number | null) => windows.push({ lo, hi, hiInclusive: windows.length === 0 && hi !== null });
  let hi: number | null = range.to;
  // The newer end of the slice being cut: the anchor, then each slice's start.
  let end = anchor;
  let raw = anchor - FIRST_SLICE_MS;
  let span = FIRST_SLICE_MS;
  for (;;) {
    // Within the anchor's day as counted; the first start before it is that midnight, later ones
    // the midnight before them. Two starts in one day (spans under a day) make one slice.
    const lo = raw >= today ? raw : end > today ? today : midnight(raw);
    if (lo < end) {
      if ((range.from !== null && lo <= range.from) || lo <= oldest) {
        push(range.from, hi);
        return windows;
      }
      push(lo, hi);
      hi = lo;
      end = lo;
    }
    raw -= span;
    span *= 2;
  }
}

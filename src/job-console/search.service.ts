import type { Platform } from '../platform/module.js';
import { searchText } from '../platform/queue/job-history.rules.js';
import type { StoredJob } from '../platform/queue/queues.js';
import { QUEUE_NAMES, type QueueName } from '../platform/queue/registry.js';
import { scheduleIdOf } from '../platform/queue/schedules.js';
import type { SearchRepository, HistoryHitRow } from './search.repository.js';
import {
  HISTORY_STATES, LIVE_STATES, PREVIEW_CHARS, chunksText, compareLive, isTerminal, jobKey, likePattern, liveHit, liveMatcher, passesFilters, preview, resolveLive, substringMatch, timeRange, tokenPattern, historyWindows, websearchChunks,
  type JobSearchHit, type QueryChunk, type LiveScanState, type SearchState,
} from './search.rules.js';


export interface JobSearchRequest {
  /** Trimmed; absent or empty: every job (the filters still apply). */
  readonly q?: string;
  readonly queues?: readonly QueueName[];
  readonly states?: readonly SearchState[];
  readonly name?: string;
  readonly from?: string;
  readonly to?: string;
  readonly page: number;
  readonly pageSize: number;
}

export interface JobSearchResult {
  data: JobSearchHit[];
  pagination: { page: number; pageSize: number; total: number; totalPages: number };
  facets: { queue: Record<string, number>; state: Record<string, number> };
  live: { scanned: number; truncated: boolean };
  totalExact: boolean;
}

export interface JobSearchServiceDeps extends Pick<Platform, 'queues'> {
  readonly history: SearchRepository;
  /** JOB_SEARCH_LIVE_SCAN: jobs read per queue and live state for a text search. */
  readonly liveScan: number;
  /** JOB_HISTORY_DAYS: how far back history's slices reach before the last, open-ended one. */
  readonly historyDays: number;
  /** JOB_SEARCH_COUNT_CAP: history matches counted exactly; past it the total (and the facets) cover the newest that many. */
  readonly countCap: number;
  /** JOB_SEARCH_TIMEOUT_MS: the history statement's statement_timeout; past it the search is a 400. */
  readonly timeoutMs: number;
}

/** A run of three letters or digits: what the trigram index needs to narrow a LIKE (else it reads every entry). */
const TRIGRAM_WORTHY = /[\p{L}\p{N}]{3}/u;
/**
 * Whitespace or a quote: q is several terms (or a phrase), read as words too. One token (an id, a
 * uuid, a word) is found by its substring, which holds every row its words would find, without
 * reading the posting lists of its common parts (`outbox` in `outbox-2900019`).
 */
const SEVERAL_TERMS = /[\s"]/u;

/** A scanned job's data; a text BullMQ would fail to read too is matched as no data. */
function dataOf(job: StoredJob): unknown {
  try {
    return JSON.parse(job.dataJson);
  } catch {
    return null;
  }
}

/**
 * The full-text branch's alternatives: each `or` group of q with its words (q itself when it has
 * one group), the numbers and ids of its terms required and those of its excluded terms (`-550`)
 * refused. An excluded phrase's numbers are not refused alone (the phrase is, by its words). An
 * alternative with no words and no number the trigram index can narrow is left to the id and
 * substring branches: tested alone, its regular expression would read every row.
 */
function fullTextGroups(q: string, chunks: readonly QueryChunk[][], reading: { words: boolean; groupWords: boolean[]; dropped: string[][] }) {
  const required = (t: string) => ({ token: tokenPattern(t), like: TRIGRAM_WORTHY.test(t) ? likePattern(t) : null });
  // Words alone: q as one branch, as websearch_to_tsquery reads its alternatives itself.
  if (reading.dropped.every((tokens) => tokens.length === 0)) return reading.words ? [{ words: q, also: [], not: [] }] : [];
  let at = 0;
  return chunks.map((group, g) => {
    const also = new Set<string>();
    const not = new Set<string>();
    for (const chunk of group) {
      const dropped = reading.dropped[at++] ?? [];
      if (!chunk.negated) dropped.forEach((t) => also.add(t));
      else if (!chunk.quoted) dropped.forEach((t) => not.add(t));
    }
    const words = reading.groupWords[g] ? (chunks.length === 1 ? q : chunksText(group)) : null;
    return { words, also: [...also].map(required), not: [...not].map(tokenPattern) };
  }).filter((g) => g.words !== null || g.also.some((a) => a.like !== null));
}

function historyHit(row: HistoryHitRow): JobSearchHit {
  return {
    queue: row.queue!, id: row.job_id!, name: row.name!, state: row.state!, source: 'history',
    timestamp: row.created_ms!, processedOn: row.processed_ms, finishedOn: row.finished_ms, attemptsMade: row.attempts!,
    failedReason: row.failed_reason, durationMs: row.run_ms, worker: row.worker, scheduleId: row.schedule_id, dataPreview: preview(row.data_head),
  };
}

/**
 * GET /api/admin/jobs/search: live jobs (Redis) and job history (PostgreSQL) in one list, newest
 * first, with facets by queue and state. Redis has no index: a job id is looked up in every queue
 * (one read each), and text is matched in memory over at most `liveScan` newest jobs per queue and
 * live state (said in `live`). Completed and failed jobs come from history, which is indexed.
 */
export class JobSearchService {
  private readonly cap: number;

  constructor(private readonly deps: JobSearchServiceDeps) {
    this.cap = deps.countCap;
  }

  private async lookUp(queues: readonly QueueName[], id: string): Promise<JobSearchHit[]> {
    const found = await Promise.all(queues.map(async (queue) => {
      if (this.deps.queues.namesQueueKey(queue, id)) return null;
      const job = await this.deps.queues.storedJobById(queue, id);
      if (!job) return null;
      const state = await this.deps.queues.get(queue).getJobState(id);
      // 'unknown': removed between the two reads.
      return state === 'unknown' ? null : liveHit(queue, state as SearchState, job, scheduleIdOf(job));
    }));
    return found.filter((hit): hit is JobSearchHit => hit !== null);
  }

  /** The newest `liveScan` jobs of each queue and live state, matched in memory (read whole only when matched: their text). */
  private async scan(queues: readonly QueueName[], states: readonly LiveScanState[], match: ((job: StoredJob) => boolean) | null) {
    let scanned = 0;
    let truncated = false;
    const hits: JobSearchHit[] = [];
    await Promise.all(queues.map(async (queue) => {
      const q = this.deps.queues.get(queue);
      const counts = await q.getJobCounts(...states);
      await Promise.all(states.map(async (state) => {
        const count = counts[state] ?? 0;
        if (count === 0 || this.deps.liveScan === 0) {
          if (count > 0) truncated = true;
          return;
        }
        if (count > this.deps.liveScan) truncated = true;
        const jobs = await this.deps.queues.newestJobs(queue, state, this.deps.liveScan);
        scanned += jobs.length;
        for (const job of jobs) if (match === null || match(job)) hits.push(liveHit(queue, state, job, scheduleIdOf(job)));
      }));
    }));
    return { hits, scanned, truncated };
  }

  async search(request: JobSearchRequest): Promise<JobSearchResult> {
    const q = request.q?.trim() || null;
    const queues = request.queues ?? QUEUE_NAMES;
    const states = request.states ?? null;
    const range = timeRange(request.from, request.to);
    const filters = { name: request.name, ...range };
    const liveStates = LIVE_STATES.filter((s) => states === null || states.includes(s));
    const historyStates = states === null ? null : HISTORY_STATES.filter((s) => states.includes(s));

    // How q reads as full text: asked while Redis is read (awaited below, so a failure is not lost).
    const chunks = q === null ? [] : websearchChunks(q);
    const text = q === null ? Promise.resolve(null) : this.deps.history.textQuery(q, chunks.map(chunksText), chunks.flat().map((c) => c.text));
    text.catch(() => undefined);
    // Live: the id in every queue, and the scan (text, or everything when there is no q).
    const matches = q === null ? null : liveMatcher(q);
    const [exact, scanned] = await Promise.all([
      q === null ? [] : this.lookUp(queues, q),
      liveStates.length === 0 ? { hits: [], scanned: 0, truncated: false }
        : this.scan(queues, liveStates, matches === null ? null : (job) => matches(searchText(job.id, job.name, job.failedReason, dataOf(job)))),
    ]);
    const byKey = new Map<string, JobSearchHit>();
    for (const hit of [...exact, ...scanned.hits]) {
      const key = jobKey(hit.queue, hit.id);
      if (!byKey.has(key) && (states === null || states.includes(hit.state)) && passesFilters(hit, filters)) byKey.set(key, hit);
    }
    const candidates = [...byKey.values()];
    // A completed or failed job found live may be the very outcome history holds: one result.
    const outcomes = q !== null && candidates.some((h) => isTerminal(h.state)) ? await this.deps.history.outcomes(q, queues) : [];
    const { keep, exclude } = resolveLive(candidates, outcomes);
    keep.sort(compareLive);

    const { page, pageSize } = request;
    const reading = await text;
    const substring = q === null ? null : substringMatch(q);
    // Several terms, or one too short for the substring, are read as words too.
    // Numbers only (`4471 or 2610`) make alternatives too: each its numbers, as the live scan reads them.
    const groups = reading === null ? [] : fullTextGroups(q!, chunks, reading);
    const asWords = groups.length > 0 && (SEVERAL_TERMS.test(q!) || substring === null);
    const rows = await this.deps.history.search(
      {
        q, substring,
        fullText: asWords ? { groups } : null,
        queues: request.queues ?? null, states: historyStates, name: request.name ?? null,
        from: range.from === null ? null : new Date(range.from), to: range.to === null ? null : new Date(range.to), exclude,
        windows: historyWindows(Date.now(), range, this.deps.historyDays),
      },
      { queue: keep.map((h) => h.queue), state: keep.map((h) => h.state), at: keep.map((h) => h.timestamp) },
      { cap: this.cap, offset: (page - 1) * pageSize, limit: pageSize, previewChars: PREVIEW_CHARS, timeoutMs: this.deps.timeoutMs },
    );
    const historyExact = rows.historyCount <= this.cap;
    const total = Math.min(rows.historyCount, this.cap) + keep.length;
    return {
      data: rows.page.map((row) => (row.live !== null ? keep[row.live - 1]! : historyHit(row))),
      pagination: { page, pageSize, total, totalPages: Math.ceil(total / pageSize) },
      facets: { queue: rows.queues, state: rows.states },
      live: { scanned: scanned.scanned, truncated: scanned.truncated },
      totalExact: historyExact && !scanned.truncated,
    };
  }
}

import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../platform/db/client.js';
import { Repository } from '../platform/db/repository.js';
import { InvalidError } from '../platform/errors.js';
import type { HistoryOutcome, TimeWindow } from './search.rules.js';

/** What the history part of a search matches (every field optional but the cap). */
export interface HistoryFilter {
  /** The trimmed query: a job id, a name, words or any text; null matches every row. */
  readonly q: string | null;
  /** q as a substring (search.rules.ts substringMatch); null when q has no run of 3 letters or digits. */
  readonly substring: { readonly index: string; readonly whole: string } | null;
  /**
   * q's full-text reading (textQuery), null when q has no word the job_search configuration keeps:
   * its alternatives (`or`), any one of which matches. Each: `words` for websearch_to_tsquery (null:
   * the alternative has none), `also` its numbers and ids, each as a regular expression
   * (search.rules.ts tokenPattern) and, when the trigram index can narrow it, a LIKE pattern; `not`
   * those excluded (`-550`), as regular expressions.
   */
  readonly fullText: {
    readonly groups: ReadonlyArray<{
      readonly words: string | null;
      readonly also: ReadonlyArray<{ readonly token: string; readonly like: string | null }>;
      readonly not: readonly string[];
    }>;
  } | null;
  readonly queues: readonly string[] | null;
  /** completed and/or failed; an empty list reads no history (the filter names live states only). */
  readonly states: readonly string[] | null;
  readonly name: string | null;
  /** On finished_at, inclusive. */
  readonly from: Date | null;
  readonly to: Date | null;
  /** jobKey()s of jobs a live hit stands for (search.rules.ts resolveLive). */
  readonly exclude: readonly string[];
  /** The slices history is read in, newest first (search.rules.ts historyWindows). */
  readonly windows: readonly TimeWindow[];
}

/** Live hits as the statement merges them: their order (1-based, already sorted), queue, state and time. */
export interface LiveRefs {
  readonly queue: readonly string[];
  readonly state: readonly string[];
  readonly at: readonly number[];
}

export interface HistoryHitRow {
  /** Set for a live hit: its 1-based position in LiveRefs. */
  live: number | null;
  queue: string | null;
  job_id: string | null;
  name: string | null;
  state: 'completed' | 'failed' | null;
  created_ms: number | null;
  processed_ms: number | null;
  finished_ms: number | null;
  attempts: number | null;
  failed_reason: string | null;
  run_ms: number | null;
  worker: string | null;
  schedule_id: string | null;
  data_head: string | null;
}

export interface SearchPageRows {
  /** History matches counted, at most cap + 1 (more than cap: the count is not exact). */
  historyCount: number;
  /** Facets of the counted matches (the newest cap history rows and every live hit). */
  queues: Record<string, number>;
  states: Record<string, number>;
  page: HistoryHitRow[];
}

/** PostgreSQL's query_canceled: statement_timeout (or an operator's pg_cancel_backend). */
const QUERY_CANCELED = '57014';

/**
 * q as the full-text match reads it: lower-cased as search_text is (by JavaScript), so a word's
 * lexeme is the one search_doc holds. PostgreSQL's lower() differs where JavaScript's follows
 * context or decomposes: `ΟΔΟΣ` is `οδοσ` there and `οδος` in the text (final sigma), `İSTANBUL`
 * is `istanbul` there and `i̇stanbul` in the text; upper-case, such words found nothing.
 */
const wordsOf = (q: string) => q.toLowerCase();

const ms = (column: string) => sql.raw(`round(extract(epoch FROM ${column}) * 1000)::float8`);

/** Job search's statements over job_history (migrations/0020, 0024). */
export class SearchRepository extends Repository {
  private where(f: HistoryFilter): RawBuilder<unknown> {
    const conditions: RawBuilder<unknown>[] = [];
    if (f.states !== null && f.states.length === 0) return sql`false`;
    if (f.q !== null) {
      // A job id, the words (websearch syntax; ids and numbers are not words in job_search, see
      // 0024), or the text as a substring. Each has its index; PostgreSQL ORs their bitmaps, or
      // walks finished_at and tests each row when the match is common (the newest come first).
      const branches = [sql`h.job_id = ${f.q}`];
      if (f.fullText !== null) {
        // The numbers and ids of q, which the words cannot hold, as whole tokens beside them; a
        // token of 3+ letters or digits also as a substring, which the trigram index can narrow
        // (`outbox-2900019`: the word `outbox` is in most rows, `2900019` in one).
        // The regular expression is tested on `search_text || ''`, which no index holds: on the
        // column itself the planner prices the trigram index for it in every partition of every
        // slice, turning the expression into a trigram graph each time (half the planning of
        // `econnrefused 587`, ~5 ms), for trigrams the LIKE beside it (or the words) already narrow.
        const tested = (token: string) => sql`(h.search_text || '') ~ ${token}`;
        for (const group of f.fullText.groups) {
          const all = [
            ...(group.words === null ? [] : [sql`h.search_doc @@ websearch_to_tsquery('job_search', ${wordsOf(group.words)})`]),
            ...group.also.map(({ like, token }) => (like === null ? tested(token) : sql`h.search_text LIKE ${like} AND ${tested(token)}`)),
            ...group.not.map((token) => sql`NOT ${tested(token)}`),
          ];
          branches.push(sql`(${sql.join(all, sql` AND `)})`);
        }
      }
      // Tested after the stored words (cheaper per row) when PostgreSQL walks rows in time order.
      if (f.substring !== null) branches.push(sql`(h.search_text LIKE ${f.substring.index} AND strpos(h.search_text, ${f.substring.whole}) > 0)`);
      conditions.push(sql`(${sql.join(branches, sql` OR `)})`);
    }
    if (f.queues !== null) conditions.push(sql`h.queue = ANY(${[...f.queues]}::text[])`);
    if (f.states !== null) conditions.push(f.states.length === 1 ? sql`h.state = ${f.states[0]}` : sql`h.state = ANY(${[...f.states]}::text[])`);
    if (f.name !== null) conditions.push(sql`h.name = ${f.name}`);
    if (f.from !== null) conditions.push(sql`h.finished_at >= ${f.from}`);
    if (f.to !== null) conditions.push(sql`h.finished_at <= ${f.to}`);
    // A constant array: PostgreSQL hashes it, so thousands of live hits cost one probe per row.
    if (f.exclude.length) conditions.push(sql`NOT (h.queue || chr(31) || h.job_id = ANY(${[...f.exclude]}::text[]))`);
    return conditions.length ? sql.join(conditions, sql` AND `) : sql`true`;
  }

  /**
   * One slice of the matches in time order. OFFSET 0 keeps PostgreSQL from planning the slice for
   * the LIMIT outside: it reads the slice the way that is cheapest for all of its matches (the
   * words' or substring's index for a rare term, the slice's rows for a common one), then sorts
   * them. Asked for the newest rows under a LIMIT instead, it walks the time index and tests each
   * row, which for a term in one row of a hundred read a month of rows for 10,000 matches.
   */
  private slice(f: HistoryFilter, w: TimeWindow): RawBuilder<unknown> {
    const bounds: RawBuilder<unknown>[] = [];
    if (w.lo !== null) bounds.push(sql`h.finished_at >= ${new Date(w.lo)}`);
    if (w.hi !== null) bounds.push(w.hiInclusive ? sql`h.finished_at <= ${new Date(w.hi)}` : sql`h.finished_at < ${new Date(w.hi)}`);
    const where = bounds.length ? sql`${this.where(f)} AND ${sql.join(bounds, sql` AND `)}` : this.where(f);
    return sql`(SELECT * FROM (SELECT h.id, h.finished_at, h.queue, h.state FROM job_history h WHERE ${where} OFFSET 0) s ORDER BY s.finished_at DESC, s.id DESC)`;
  }

  /**
   * One statement: the newest `cap` + 1 history matches (narrow: id, time, queue, state), read in
   * slices newest first (search.rules.ts historyWindows; a UNION ALL under a LIMIT runs its
   * branches in order and stops once it has enough), so counting stops at cap + 1 however many
   * rows match; merged with the live hits in one order (time descending; a live hit first at the
   * same ms; then history by id, live by their given order), facets over both, and the page with
   * its history rows read whole. On readDb: history tolerates a replica's lag.
   *
   * Bounded by `timeoutMs` (statement_timeout, local to its transaction): q's numbers and ids are a
   * regular expression each on every row its words find, and ninety of them over a common word cost
   * ~2 ms a row (half an hour on 1,000,000 rows, a backend and a pool connection held all along).
   * Cut, the search is a 400 asking to narrow it.
   */
  async search(f: HistoryFilter, live: LiveRefs, options: { cap: number; offset: number; limit: number; previewChars: number; timeoutMs: number }): Promise<SearchPageRows> {
    const bounded = async (ex: Executor) => {
      await sql`SELECT set_config('statement_timeout', ${`${Math.max(1, Math.round(options.timeoutMs))}ms`}, true)`.execute(ex);
      return this.statement(ex, f, live, options);
    };
    try {
      // Over a transaction already (in(tx)): set_config's local value lasts until it ends.
      return this.readDb.isTransaction ? await bounded(this.readDb) : await this.readDb.transaction().execute(bounded);
    } catch (error) {
      if ((error as { code?: unknown }).code === QUERY_CANCELED) {
        throw new InvalidError(`The search took longer than ${options.timeoutMs} ms (JOB_SEARCH_TIMEOUT_MS): narrow it (a queue, a state, from/to, fewer numbers or ids in q)`);
      }
      throw error;
    }
  }

  private async statement(ex: Executor, f: HistoryFilter, live: LiveRefs, options: { cap: number; offset: number; limit: number; previewChars: number }): Promise<SearchPageRows> {
    const slices = sql.join(f.windows.map((w) => this.slice(f, w)), sql` UNION ALL `);
    const { rows: [row] } = await sql<{ history_count: number; facets: Array<{ queue: string; state: string; n: number }>; page: HistoryHitRow[] }>`
      WITH m AS MATERIALIZED (
        SELECT t.*, row_number() OVER () AS rn FROM (${slices} LIMIT ${options.cap + 1}) t
      ),
      l AS (
        SELECT * FROM unnest(${[...live.queue]}::text[], ${[...live.state]}::text[], ${[...live.at]}::float8[]) WITH ORDINALITY AS l(queue, state, at_ms, ord)
      ),
      a AS MATERIALIZED (
        SELECT m.id, m.finished_at, NULL::bigint AS ord, m.finished_at AS at, m.queue, m.state FROM m WHERE m.rn <= ${options.cap}
        UNION ALL
        SELECT NULL, NULL, l.ord, to_timestamp(l.at_ms / 1000.0), l.queue, l.state FROM l
      ),
      p AS (SELECT * FROM a ORDER BY at DESC, ord NULLS LAST, id DESC LIMIT ${options.limit} OFFSET ${options.offset})
      SELECT
        (SELECT count(*)::int FROM m) AS history_count,
        (SELECT coalesce(json_agg(x), '[]') FROM (SELECT queue, state, count(*)::int AS n FROM a GROUP BY 1, 2) x) AS facets,
        (SELECT coalesce(json_agg(json_build_object(
            'live', p.ord, 'queue', h.queue, 'job_id', h.job_id, 'name', h.name, 'state', h.state,
            'created_ms', ${ms('h.created_at')}, 'processed_ms', ${ms('h.processed_at')}, 'finished_ms', ${ms('h.finished_at')},
            'attempts', h.attempts, 'failed_reason', h.failed_reason, 'run_ms', h.run_ms, 'worker', h.worker, 'schedule_id', h.schedule_id,
            'data_head', left(h.data::text, ${options.previewChars + 1})
          ) ORDER BY p.at DESC, p.ord NULLS LAST, p.id DESC), '[]')
          FROM p LEFT JOIN job_history h ON h.id = p.id AND h.finished_at = p.finished_at) AS page
    `.execute(ex);
    const queues: Record<string, number> = {};
    const states: Record<string, number> = {};
    for (const { queue, state, n } of row!.facets) {
      queues[queue] = (queues[queue] ?? 0) + n;
      states[state] = (states[state] ?? 0) + n;
    }
    return { historyCount: row!.history_count, queues, states, page: row!.page };
  }

  /**
   * How q reads as full text (websearch_to_tsquery in job_search): whether it holds a word at all,
   * whether each of its alternatives (`groups`, websearch syntax) does, and, for each of its terms
   * (`chunks`, without `-` and quotes), the tokens the configuration leaves out (numbers, versions,
   * ids, paths: 0024), lower-cased and without a sign, which the full-text branch then requires (or,
   * for an excluded term, refuses) as tokens of the text. Without them, `outbox-2900019` read as the
   * word `outbox` would match every outbox job.
   */
  async textQuery(q: string, groups: readonly string[], chunks: readonly string[]): Promise<{ words: boolean; groupWords: boolean[]; dropped: string[][] }> {
    const { rows: [row] } = await sql<{ words: boolean; group_words: boolean[]; dropped: string[][] }>`
      SELECT numnode(websearch_to_tsquery('job_search', ${wordsOf(q)})) > 0 AS words,
        ARRAY(SELECT numnode(websearch_to_tsquery('job_search', g)) > 0 FROM unnest(${groups.map(wordsOf)}::text[]) WITH ORDINALITY u(g, o) ORDER BY o) AS group_words,
        (SELECT coalesce(json_agg(ARRAY(SELECT DISTINCT lower(ltrim(token, '-')) FROM ts_debug('job_search', c) WHERE alias <> 'blank' AND lexemes IS NULL) ORDER BY o), '[]')
          FROM unnest(${chunks.map(wordsOf)}::text[]) WITH ORDINALITY u(c, o)) AS dropped`.execute(this.readDb);
    return { words: row!.words, groupWords: row!.group_words, dropped: row!.dropped.map((tokens) => tokens.filter((t) => t !== '')) };
  }

  /** The recorded outcomes of jobs a live lookup found completed or failed (one id, a few queues). */
  async outcomes(jobId: string, queues: readonly string[]): Promise<HistoryOutcome[]> {
    const { rows } = await sql<HistoryOutcome>`
      SELECT queue, job_id AS "jobId", state, ${ms('finished_at')} AS "finishedOn"
      FROM job_history WHERE job_id = ${jobId} AND queue = ANY(${[...queues]}::text[])`.execute(this.readDb);
    return rows;
  }
}

import { describe, expect, it } from 'vitest';
import {
  chunksText, compareLive, historyWindows, isTerminal, substringMatch, jobKey, likePattern, liveHit, liveMatcher, passesFilters, preview, PREVIEW_CHARS, resolveLive, timeRange, tokenPattern, websearchChunks, websearchTerms,
  type JobSearchHit,
} from '../../src/job-console/search.rules.js';

const hit = (over: Partial<JobSearchHit>): JobSearchHit => ({
  queue: 'q', id: '1', name: 'N', state: 'waiting', source: 'live', timestamp: 1_000, processedOn: null, finishedOn: null, attemptsMade: 0,
  failedReason: null, durationMs: null, worker: null, scheduleId: null, dataPreview: null, ...over,
});

describe('likePattern', () => {
  it('lower-cases and escapes LIKE\'s own characters, so each is matched as written', () => {
    expect(likePattern('Disk 100%')).toBe('%disk 100\\%%');
    expect(likePattern('a_b')).toBe('%a\\_b%');
    expect(likePattern('c:\\temp')).toBe('%c:\\\\temp%');
    expect(likePattern('%_\\')).toBe('%\\%\\_\\\\%');
    expect(likePattern('plain')).toBe('%plain%');
  });
});

describe('substringMatch', () => {
  it('asks the index for the longest run of letters or digits (its last 12) and checks the whole of q on what it finds', () => {
    expect(substringMatch('51AA289B-c5a5-4471-b8d2-2610bb8696e0')).toEqual({ index: '%2610bb8696e0%', whole: '51aa289b-c5a5-4471-b8d2-2610bb8696e0' });
    expect(substringMatch('outbox-2900019')).toEqual({ index: '%2900019%', whole: 'outbox-2900019' });
    expect(substringMatch('ECONNREFUSED 10.0.3.12:587')).toEqual({ index: '%econnrefused%', whole: 'econnrefused 10.0.3.12:587' });
    expect(substringMatch('notificationsdeliver')).toEqual({ index: '%tionsdeliver%', whole: 'notificationsdeliver' });
    // The first of equally long runs; LIKE's characters never reach the index pattern (runs hold none).
    expect(substringMatch('abc_def')).toEqual({ index: '%abc%', whole: 'abc_def' });
    expect(substringMatch('100% done')).toEqual({ index: '%done%', whole: '100% done' });
  });
  it('is null without three letters or digits in a row', () => {
    for (const q of ['', '%%%', 'ab', 'a.b.c', '12 34', '"" -']) expect(substringMatch(q), q).toBeNull();
    expect(substringMatch('été')).toEqual({ index: '%été%', whole: 'été' });
  });
});

describe('tokenPattern', () => {
  // A whole token's bounds: a character that is no letter or digit (`_` included), or an end.
  const B = '(^|[^[:alnum:]])';
  const E = '($|[^[:alnum:]])';
  it('matches a left-out token literally, as a whole token where it begins or ends with a letter or digit', () => {
    expect(tokenPattern('587')).toBe(`${B}587${E}`);
    expect(tokenPattern('10.0.3.12')).toBe(`${B}10\\.0\\.3\\.12${E}`);
    expect(tokenPattern('A1B2')).toBe(`${B}a1b2${E}`);
    expect(tokenPattern('/etc/x.conf')).toBe(`/etc/x\\.conf${E}`);
    expect(tokenPattern('a+b*(c)?[d]{e}|^$\\')).toBe(`${B}a\\+b\\*\\(c\\)\\?\\[d\\]\\{e\\}\\|\\^\\$\\\\`);
    expect(tokenPattern('x_')).toBe(`${B}x_`);
    // Bounded at the end by its last character, not its second.
    expect(tokenPattern('v2.')).toBe(`${B}v2\\.`);
    expect(tokenPattern('.v2')).toBe(`\\.v2${E}`);
    expect(tokenPattern('')).toBe('');
  });
  it('behaves as PostgreSQL reads it, [:alnum:] read as JavaScript\'s letters and digits', () => {
    const js = (token: string) => new RegExp(tokenPattern(token).replaceAll('[^[:alnum:]]', '[^\\p{L}\\p{N}]'), 'u');
    expect(js('100').test('100% done')).toBe(true);
    expect(js('100').test('1000 done')).toBe(false);
    expect(js('10.0.3.1').test('at 10.0.3.12:587')).toBe(false);
    expect(js('10.0.3.12').test('at 10.0.3.12:587')).toBe(true);
    expect(js('10.0.3.12').test('at 10x0x3x12')).toBe(false);
    // The text search parser splits smtp_550 into a word and a number: the number is a whole token.
    expect(js('550').test('relay said smtp_550')).toBe(true);
    expect(js('550').test('relay said smtp5500')).toBe(false);
  });
});

describe('websearchChunks', () => {
  it('reads q as websearch_to_tsquery does: or-alternatives of terms, each as written, excluded (-) or quoted', () => {
    expect(websearchChunks('timeout 550')).toEqual([[{ text: 'timeout', negated: false, quoted: false }, { text: '550', negated: false, quoted: false }]]);
    expect(websearchChunks('timeout -550 "try  again" -"size limit"')).toEqual([[
      { text: 'timeout', negated: false, quoted: false }, { text: '550', negated: true, quoted: false },
      { text: 'try  again', negated: false, quoted: true }, { text: 'size limit', negated: true, quoted: true },
    ]]);
    expect(websearchChunks('timeout OR 550 or v2')).toEqual([
      [{ text: 'timeout', negated: false, quoted: false }], [{ text: '550', negated: false, quoted: false }], [{ text: 'v2', negated: false, quoted: false }],
    ]);
  });
  it('an or leading, trailing or doubled makes no empty alternative; a quoted or and -or are terms', () => {
    expect(websearchChunks('or timeout or or 550 or')).toEqual([[{ text: 'timeout', negated: false, quoted: false }], [{ text: '550', negated: false, quoted: false }]]);
    expect(websearchChunks('"or" -or')).toEqual([[{ text: 'or', negated: false, quoted: true }, { text: 'or', negated: true, quoted: false }]]);
    // An unclosed quote reads to the end; an empty phrase or a bare - is no term.
    expect(websearchChunks('a "b c')).toEqual([[{ text: 'a', negated: false, quoted: false }, { text: 'b c', negated: false, quoted: true }]]);
    expect(websearchChunks('"" - "  "')).toEqual([[{ text: '-', negated: false, quoted: false }]]);
    expect(websearchChunks('')).toEqual([]);
    expect(websearchChunks('or')).toEqual([]);
  });
  it('chunksText writes an alternative back as websearch syntax', () => {
    for (const q of ['timeout -550 "try again" -"size limit"', 'a', '-b']) expect(chunksText(websearchChunks(q)[0]!)).toBe(q);
    expect(websearchChunks('x or -y "z w"').map(chunksText)).toEqual(['x', '-y "z w"']);
  });
});

describe('websearchTerms', () => {
  it('reads words, quoted phrases, -exclusions and or-alternatives', () => {
    expect(websearchTerms('SMTP timeout')).toEqual([[{ text: 'smtp', negated: false }, { text: 'timeout', negated: false }]]);
    expect(websearchTerms('"try  again" -later')).toEqual([[{ text: 'try again', negated: false }, { text: 'later', negated: true }]]);
    expect(websearchTerms('a or b')).toEqual([[{ text: 'a', negated: false }], [{ text: 'b', negated: false }]]);
    // A token splits into its words (as the parser does): ids and numbers by their parts.
    expect(websearchTerms('ECONNREFUSED 10.0.3.12:587')).toEqual([[
      { text: 'econnrefused', negated: false }, { text: '10', negated: false }, { text: '0', negated: false }, { text: '3', negated: false },
      { text: '12', negated: false }, { text: '587', negated: false },
    ]]);
  });

  it('drops alternatives without a wanted term, a leading or trailing or, and an unclosed quote reads to the end', () => {
    expect(websearchTerms('-only')).toEqual([]);
    expect(websearchTerms('or a or')).toEqual([[{ text: 'a', negated: false }]]);
    expect(websearchTerms('"open phrase')).toEqual([[{ text: 'open phrase', negated: false }]]);
    expect(websearchTerms('"" -""')).toEqual([]);
    // A quoted "or" is a phrase, not the operator.
    expect(websearchTerms('"or"')).toEqual([[{ text: 'or', negated: false }]]);
  });
});

describe('liveMatcher', () => {
  const text = 'outbox-42 notificationsdeliver smtp 421 4.7.0 try again later 7f3c9a2e-1b4d-4c8e-9a11-0e5b2f6d8c31';
  it('matches q as a substring, case-insensitively', () => {
    expect(liveMatcher('OUTBOX-42')(text)).toBe(true);
    expect(liveMatcher('7f3c9a2e-1b4d')(text)).toBe(true);
    expect(liveMatcher('again later')(text)).toBe(true);
  });
  it('matches every word of q anywhere, in any order', () => {
    expect(liveMatcher('later smtp')(text)).toBe(true);
    expect(liveMatcher('later imap')(text)).toBe(false);
  });
  it('honours exclusions, phrases and or', () => {
    expect(liveMatcher('smtp -later')(text)).toBe(false);
    expect(liveMatcher('smtp -imap')(text)).toBe(true);
    expect(liveMatcher('"later try"')(text)).toBe(false);
    expect(liveMatcher('imap or smtp')(text)).toBe(true);
    expect(liveMatcher('imap or pop3')(text)).toBe(false);
  });
  it('treats LIKE and tsquery syntax as plain text', () => {
    expect(liveMatcher('%')(text)).toBe(false);
    // websearch ignores & ! | ( ): the words left must all be there.
    expect(liveMatcher("'smtp' & !zz")(text)).toBe(false);
    expect(liveMatcher("('smtp' & !later)")(text)).toBe(true);
    expect(liveMatcher('4.7.0')(text)).toBe(true);
  });
});

describe('preview', () => {
  it('keeps short JSON whole and cuts long JSON with an ellipsis, never halving a surrogate pair', () => {
    expect(preview(null)).toBeNull();
    expect(preview(undefined)).toBeNull();
    expect(preview('{"a":1}')).toBe('{"a":1}');
    const exact = 'x'.repeat(PREVIEW_CHARS);
    expect(preview(exact)).toBe(exact);
    expect(preview(`${exact}y`)).toBe(`${exact}…`);
    const pair = `${'x'.repeat(PREVIEW_CHARS - 1)}😀tail`;
    expect(preview(pair)).toBe(`${'x'.repeat(PREVIEW_CHARS - 1)}…`);
  });
});

describe('liveHit', () => {
  it('takes the job\'s fields, its duration from processedOn to finishedOn and its data\'s JSON', () => {
    const h = liveHit('webhook-delivery', 'failed', {
      id: 'j1', name: 'WebhookDeliver', data: { id: 'x' }, timestamp: 100, processedOn: 200, finishedOn: 450, attemptsMade: 3,
      failedReason: 'boom', processedBy: 'w-1',
    }, 'sched');
    expect(h).toEqual({
      queue: 'webhook-delivery', id: 'j1', name: 'WebhookDeliver', state: 'failed', source: 'live', timestamp: 100, processedOn: 200, finishedOn: 450,
      attemptsMade: 3, failedReason: 'boom', durationMs: 250, worker: 'w-1', scheduleId: 'sched', dataPreview: '{"id":"x"}',
    });
  });
  it('leaves what the job does not have as null (0 and empty are BullMQ\'s "not yet"), and survives data JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const h = liveHit('q', 'waiting', { id: null, name: 'N', data: cyclic, timestamp: 5, processedOn: 0, finishedOn: undefined, attemptsMade: 0, failedReason: '' }, null);
    expect(h).toMatchObject({ id: '', processedOn: null, finishedOn: null, durationMs: null, failedReason: null, worker: null, dataPreview: null });
    expect(liveHit('q', 'waiting', { name: 'N', data: undefined, timestamp: 5, attemptsMade: 0 }, null).dataPreview).toBeNull();
    expect(liveHit('q', 'active', { name: 'N', data: 1, timestamp: 5, processedOn: 9, attemptsMade: 0 }, null)).toMatchObject({ processedOn: 9, durationMs: null });
  });
});

describe('resolveLive', () => {
  it('a live job in a live state stands for its job: its history rows are left out', () => {
    const live = hit({ queue: 'a', id: '7', state: 'waiting' });
    expect(resolveLive([live], [{ queue: 'a', jobId: '7', state: 'failed', finishedOn: 500 }])).toEqual({ keep: [live], exclude: [jobKey('a', '7')] });
  });
  it('a live completed or failed job that history holds (same state and finish) is that row: the live hit goes', () => {
    const live = hit({ queue: 'a', id: '7', state: 'failed', finishedOn: 500 });
    expect(resolveLive([live], [{ queue: 'a', jobId: '7', state: 'failed', finishedOn: 500 }])).toEqual({ keep: [], exclude: [] });
  });
  it('a live outcome history does not hold yet (or a later run of it) is kept, and older rows of it left out', () => {
    const live = hit({ queue: 'a', id: '7', state: 'completed', finishedOn: 900 });
    const history = [{ queue: 'a', jobId: '7', state: 'failed', finishedOn: 500 }, { queue: 'b', jobId: '7', state: 'completed', finishedOn: 900 }];
    expect(resolveLive([live], history)).toEqual({ keep: [live], exclude: [jobKey('a', '7')] });
    // Another state at the same finish is another outcome too.
    expect(resolveLive([live], [{ queue: 'a', jobId: '7', state: 'failed', finishedOn: 900 }]).keep).toEqual([live]);
    expect(resolveLive([hit({ state: 'completed', finishedOn: null })], []).keep).toHaveLength(1);
  });
  it('keys do not collide across queue and id (queue names hold no control character)', () => {
    expect(jobKey('a-b', 'c')).not.toBe(jobKey('a', 'b-c'));
  });
});

describe('compareLive', () => {
  it('orders newest first, then by queue, then by id', () => {
    const hits = [hit({ timestamp: 1, queue: 'a', id: '1' }), hit({ timestamp: 3, queue: 'b', id: '2' }), hit({ timestamp: 3, queue: 'a', id: '9' }), hit({ timestamp: 3, queue: 'a', id: '3' })];
    expect(hits.sort(compareLive).map((h) => `${h.timestamp}${h.queue}${h.id}`)).toEqual(['3a3', '3a9', '3b2', '1a1']);
    expect(compareLive(hit({}), hit({}))).toBe(0);
  });
});

describe('timeRange and passesFilters', () => {
  it('reads instants as they are and a date `to` as the end of that UTC day', () => {
    expect(timeRange(undefined, undefined)).toEqual({ from: null, to: null });
    expect(timeRange('2025-10-18', '2025-10-18')).toEqual({ from: Date.UTC(2025, 9, 18), to: Date.UTC(2025, 9, 19) - 1 });
    expect(timeRange('2025-10-18T09:00:00+02:00', '2025-10-18T09:30:00.000Z')).toEqual({ from: Date.UTC(2025, 9, 18, 7), to: Date.UTC(2025, 9, 18, 9, 30) });
  });
  it('keeps a live hit by name (exact) and timestamp (inclusive bounds)', () => {
    const h = hit({ name: 'Deliver', timestamp: 100 });
    expect(passesFilters(h, { from: null, to: null })).toBe(true);
    expect(passesFilters(h, { name: 'Deliver', from: 100, to: 100 })).toBe(true);
    expect(passesFilters(h, { name: 'deliver', from: null, to: null })).toBe(false);
    expect(passesFilters(h, { from: 101, to: null })).toBe(false);
    expect(passesFilters(h, { from: null, to: 99 })).toBe(false);
  });
  it('knows the terminal states', () => {
    expect(isTerminal('completed') && isTerminal('failed')).toBe(true);
    expect(isTerminal('waiting') || isTerminal('active') || isTerminal('delayed')).toBe(false);
  });
});

describe('historyWindows', () => {
  const H = 3_600_000;
  const now = Date.UTC(2025, 9, 18, 12);
  const midnightOf = (t: number) => t - (t % (24 * H));
  const covers = (ws: ReturnType<typeof historyWindows>, t: number) => ws.filter((w) => (w.lo === null || t >= w.lo) && (w.hi === null || (w.hiInclusive ? t <= w.hi : t < w.hi))).length;

  it('slices newest first: 4 hours (and anything later), then 4, 8… hours back to UTC midnight, then whole UTC days, the last one open-ended', () => {
    const D = 24 * H;
    const today = now - 12 * H; // now is 12:00 UTC
    const ws = historyWindows(now, { from: null, to: null }, 30);
    expect(ws.slice(0, 5)).toEqual([
      { lo: now - 4 * H, hi: null, hiInclusive: false }, { lo: now - 8 * H, hi: now - 4 * H, hiInclusive: false },
      // 16 hours before now is yesterday: the slice stops at midnight.
      { lo: today, hi: now - 8 * H, hiInclusive: false }, { lo: today - D, hi: today, hiInclusive: false },
      { lo: today - 3 * D, hi: today - D, hiInclusive: false },
    ]);
    // Before today every slice begins and ends on a UTC midnight, where partitions do: one slice a day.
    for (const w of ws.slice(3)) for (const edge of [w.lo, w.hi]) if (edge !== null) expect(edge % D).toBe(0);
    expect(ws.at(-1)).toMatchObject({ lo: null });
    expect(ws.at(-2)!.lo!).toBeGreaterThan(now - 31 * D);
    // 30 days in about a dozen slices; every instant, even far past and future, in exactly one.
    expect(ws.length).toBeLessThanOrEqual(10);
    for (const t of [now + D, now, now - 4 * H, now - 4 * H - 1, today, today - 1, now - 40 * D, 0]) expect(covers(ws, t), String(t)).toBe(1);
    for (let i = 1; i < ws.length; i++) expect(ws[i]!.hi).toBe(ws[i - 1]!.lo);
    // The partitions read: 31 days plus today's twice more (the three slices of today), not ~44.
    const reads = ws.reduce((n, w) => n + Math.ceil(((w.hi ?? now + 1) - Math.max(w.lo ?? now - 31 * D, midnightOf(now - 31 * D))) / D - 1e-9), 0);
    expect(reads).toBeLessThanOrEqual(31 + 3);
  });

  it('early in the day: the first slice is still four hours, the sub-day slices end in the day before, then whole days', () => {
    const D = 24 * H;
    const at = Date.UTC(2025, 9, 18, 1, 30);
    const yesterday = Date.UTC(2025, 9, 17);
    const ws = historyWindows(at, { from: null, to: null }, 30);
    expect(ws.slice(0, 4)).toEqual([
      { lo: at - 4 * H, hi: null, hiInclusive: false }, { lo: at - 8 * H, hi: at - 4 * H, hiInclusive: false },
      { lo: at - 16 * H, hi: at - 8 * H, hiInclusive: false },
      // 32 hours back is the day before yesterday: the slice stops at yesterday's midnight.
      { lo: yesterday, hi: at - 16 * H, hiInclusive: false },
    ]);
    for (const w of ws.slice(4)) for (const edge of [w.lo, w.hi]) if (edge !== null) expect(edge % D).toBe(0);
    for (const w of ws) if (w.lo !== null && w.hi !== null) expect(w.hi).toBeGreaterThan(w.lo);
    for (let i = 1; i < ws.length; i++) expect(ws[i]!.hi).toBe(ws[i - 1]!.lo);
    // At midnight exactly, and four hours later, the first slice is the four hours before.
    for (const anchor of [Date.UTC(2025, 9, 18), Date.UTC(2025, 9, 18, 4)]) {
      expect(historyWindows(anchor, { from: null, to: null }, 30)[0]).toEqual({ lo: anchor - 4 * H, hi: null, hiInclusive: false });
    }
    // At 04:30 the second slice stops at midnight, and the day before is read whole.
    const late = Date.UTC(2025, 9, 18, 4, 30);
    expect(historyWindows(late, { from: null, to: null }, 30).slice(1, 3)).toEqual([
      { lo: Date.UTC(2025, 9, 18), hi: late - 4 * H, hiInclusive: false }, { lo: Date.UTC(2025, 9, 17), hi: Date.UTC(2025, 9, 18), hiInclusive: false },
    ]);
  });

  it('an anchor at 08:00 (a slice start on midnight) and a from on a slice start make no empty slice', () => {
    const D = 24 * H;
    const today = Date.UTC(2025, 9, 18);
    const at = today + 8 * H;
    expect(historyWindows(at, { from: null, to: null }, 30).slice(0, 4)).toEqual([
      { lo: at - 4 * H, hi: null, hiInclusive: false }, { lo: today, hi: at - 4 * H, hiInclusive: false },
      { lo: today - D, hi: today, hiInclusive: false }, { lo: today - 3 * D, hi: today - D, hiInclusive: false },
    ]);
    // from exactly where a slice would start: that slice is the last.
    expect(historyWindows(now, { from: now - 12 * H, to: null }, 30)).toEqual([
      { lo: now - 4 * H, hi: null, hiInclusive: false }, { lo: now - 8 * H, hi: now - 4 * H, hiInclusive: false },
      { lo: now - 12 * H, hi: now - 8 * H, hiInclusive: false },
    ]);
  });

  it('keeps to [from, to]: the first slice ends at to (inclusive), the last starts at from', () => {
    const from = now - 50 * H;
    const to = now - 10 * H; // 02:00 UTC
    const ws = historyWindows(now, { from, to }, 30);
    expect(ws[0]).toEqual({ lo: to - 4 * H, hi: to, hiInclusive: true });
    expect(ws.at(-1)!.lo).toBe(from);
    for (const t of [to, to - 1, from, from + 1, to - 4 * H]) expect(covers(ws, t), String(t)).toBe(1);
    expect(covers(ws, to + 1)).toBe(0);
    expect(covers(ws, from - 1)).toBe(0);
    // A to in the future anchors at now; a narrow range is one slice.
    expect(historyWindows(now, { from: null, to: now + H }, 30)[0]).toEqual({ lo: now - 4 * H, hi: now + H, hiInclusive: true });
    expect(historyWindows(now, { from: now - H, to: now }, 30)).toEqual([{ lo: now - H, hi: now, hiInclusive: true }]);
    expect(historyWindows(now, { from: now - H, to: null }, 30)).toEqual([{ lo: now - H, hi: null, hiInclusive: false }]);
  });

  it('reaches JOB_HISTORY_DAYS and a day more before the open-ended slice, in few slices', () => {
    for (const days of [1, 7, 30, 3650]) {
      const oldest = now - (days + 1) * 24 * H;
      const ws = historyWindows(now, { from: null, to: null }, days);
      const last = ws.at(-1)!;
      const before = ws.at(-2)!;
      expect(last.lo).toBeNull();
      expect(last.hi!).toBeGreaterThan(oldest);
      // The next slice, twice the one before, would have passed the horizon.
      expect(last.hi! - 2 * (before.hi! - before.lo!)).toBeLessThanOrEqual(oldest);
      expect(ws.length).toBeLessThanOrEqual(Math.ceil(Math.log2((days + 1) * 6)) + 2);
    }
  });
});

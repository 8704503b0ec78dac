import { describe, expect, it } from 'vitest';
import {
  cleanText, cutBytes, cutChars, dataJson, jobHistoryRow, jsonText, leafText, searchText,
  REASON_MAX_BYTES, RETURN_MAX_BYTES, SEARCH_MAX_CHARS, STACK_MAX_BYTES, type FinishedJob,
} from '../../src/platform/queue/job-history.rules.js';
import { catchUpJobId, manualRunJobId } from '../../src/platform/queue/schedules.js';

const T = Date.UTC(2026, 2, 14, 9, 30, 0);
const bytes = (s: string) => Buffer.byteLength(s);

const job = (over: Partial<FinishedJob> = {}): FinishedJob => ({
  id: 'outbox-42', name: 'NotificationsDeliver', data: { notificationIds: ['a1'] }, timestamp: T, opts: {},
  processedOn: T + 250, finishedOn: T + 1_250, attemptsMade: 1, failedReason: null, stacktrace: [], repeatJobKey: null, ...over,
});

describe('jobHistoryRow: a completed job', () => {
  it('keeps every field: ids, data, return value, timestamps, durations, worker, no failure', () => {
    const row = jobHistoryRow({ queue: 'notification-delivery', job: job(), state: 'completed', result: { sent: 1 }, worker: 'host-1-abc' }, 8_192, T + 9_999);
    expect(row).toEqual({
      queue: 'notification-delivery', job_id: 'outbox-42', name: 'NotificationsDeliver', state: 'completed',
      data: '{"notificationIds":["a1"]}', return_summary: '{"sent":1}', failed_reason: null, stacktrace: null, attempts: 1,
      created_at: new Date(T).toISOString(), processed_at: new Date(T + 250).toISOString(), finished_at: new Date(T + 1_250).toISOString(),
      wait_ms: 250, run_ms: 1_000, worker: 'host-1-abc', schedule_id: null,
      search_text: 'outbox-42 notificationsdeliver a1',
    });
  });

  it('is due at timestamp + delay: a delayed job waits from its time, not from when it was added', () => {
    const row = jobHistoryRow({ queue: 'q', job: job({ opts: { delay: 200 } }), state: 'completed', worker: null }, 100, T);
    expect(row.created_at).toBe(new Date(T + 200).toISOString());
    expect(row.wait_ms).toBe(50);
    expect(row.run_ms).toBe(1_000);
  });

  it('never has a negative wait (a job promoted before its time) and bounds durations to an integer', () => {
    const early = jobHistoryRow({ queue: 'q', job: job({ opts: { delay: 60_000 } }), state: 'completed', worker: null }, 100, T);
    expect(early.wait_ms).toBe(0);
    const long = jobHistoryRow({ queue: 'q', job: job({ processedOn: T + 1, finishedOn: T + 1 + 3e9 }), state: 'completed', worker: null }, 100, T);
    expect(long.run_ms).toBe(2_147_483_647);
    const fractional = jobHistoryRow({ queue: 'q', job: job({ processedOn: T + 0.6, finishedOn: T + 2.2 }), state: 'completed', worker: null }, 100, T);
    expect([fractional.wait_ms, fractional.run_ms]).toEqual([1, 2]);
  });

  it('uses now when BullMQ set no finish time, and no durations when the job never started', () => {
    const row = jobHistoryRow({ queue: 'q', job: job({ processedOn: null, finishedOn: undefined }), state: 'completed', worker: null }, 100, T + 7);
    expect(row).toMatchObject({ finished_at: new Date(T + 7).toISOString(), processed_at: null, wait_ms: null, run_ms: null });
    const zero = jobHistoryRow({ queue: 'q', job: job({ processedOn: 0, finishedOn: 0 }), state: 'completed', worker: null }, 100, T + 7);
    expect(zero).toMatchObject({ finished_at: new Date(T + 7).toISOString(), processed_at: null });
    for (const processedOn of [Number.NaN, Number.POSITIVE_INFINITY, -5]) {
      const odd = jobHistoryRow({ queue: 'q', job: job({ processedOn }), state: 'completed', worker: null }, 100, T + 7);
      expect(odd.processed_at, String(processedOn)).toBeNull();
    }
  });

  it('has no return summary for undefined, and cuts a large one to 1 KiB', () => {
    expect(jobHistoryRow({ queue: 'q', job: job(), state: 'completed', worker: null }, 100, T).return_summary).toBeNull();
    expect(jobHistoryRow({ queue: 'q', job: job(), state: 'completed', result: null, worker: null }, 100, T).return_summary).toBe('null');
    const big = jobHistoryRow({ queue: 'q', job: job(), state: 'completed', result: { text: 'x'.repeat(5_000) }, worker: null }, 100, T);
    expect(big.return_summary!.startsWith('{"text":"xxx')).toBe(true);
    expect(bytes(big.return_summary!)).toBe(RETURN_MAX_BYTES);
  });

  it('keeps the reason of an earlier failed attempt out of a completed row', () => {
    const row = jobHistoryRow({ queue: 'q', job: job({ attemptsMade: 2, failedReason: 'first try failed', stacktrace: ['Error: first'] }), state: 'completed', worker: null }, 100, T);
    expect(row).toMatchObject({ attempts: 2, failed_reason: null, stacktrace: null, search_text: 'outbox-42 notificationsdeliver a1' });
  });
});

describe('jobHistoryRow: a failed job', () => {
  it('keeps the reason and the last attempt\'s stack', () => {
    const row = jobHistoryRow({
      queue: 'q', job: job({ attemptsMade: 3, failedReason: 'SMTP 421 Try Later', stacktrace: ['Error: one\n at a', 'Error: two\n at b'] }),
      state: 'failed', error: { message: 'ignored', stack: 'ignored' }, worker: 'w',
    }, 100, T);
    expect(row).toMatchObject({ state: 'failed', attempts: 3, failed_reason: 'SMTP 421 Try Later', stacktrace: 'Error: two\n at b', return_summary: null });
    expect(row.search_text).toBe('outbox-42 notificationsdeliver smtp 421 try later a1');
  });

  it('falls back to the error when the job has no reason or stack (stack traces off)', () => {
    const row = jobHistoryRow({ queue: 'q', job: job({ failedReason: '', stacktrace: null }), state: 'failed', error: { message: 'boom', stack: 'Error: boom\n at x' }, worker: null }, 100, T);
    expect(row).toMatchObject({ failed_reason: 'boom', stacktrace: 'Error: boom\n at x' });
    const none = jobHistoryRow({ queue: 'q', job: job({ failedReason: null, stacktrace: [] }), state: 'failed', worker: null }, 100, T);
    expect(none).toMatchObject({ failed_reason: null, stacktrace: null });
    const noMessage = jobHistoryRow({ queue: 'q', job: job({ failedReason: undefined, stacktrace: undefined }), state: 'failed', error: {}, worker: null }, 100, T);
    expect(noMessage).toMatchObject({ failed_reason: null, stacktrace: null });
  });

  it('ignores the return value of a failed job', () => {
    expect(jobHistoryRow({ queue: 'q', job: job(), state: 'failed', result: { a: 1 }, worker: null }, 100, T).return_summary).toBeNull();
  });

  it('cuts the stack to 8 KiB (its top) and the reason to 4 KiB', () => {
    const stack = `Error: deep\n${'    at frame (file.ts:1:1)\n'.repeat(1_000)}`;
    const row = jobHistoryRow({ queue: 'q', job: job({ failedReason: 'r'.repeat(10_000), stacktrace: [stack] }), state: 'failed', worker: null }, 100, T);
    expect(bytes(row.stacktrace!)).toBe(STACK_MAX_BYTES);
    expect(row.stacktrace!.startsWith('Error: deep\n')).toBe(true);
    expect(row.failed_reason).toBe('r'.repeat(REASON_MAX_BYTES));
  });
});

describe('jobHistoryRow: schedules', () => {
  it('has an empty job id when BullMQ gave none', () => {
    const row = jobHistoryRow({ queue: 'q', job: job({ id: undefined }), state: 'completed', worker: null }, 100, T);
    expect(row.job_id).toBe('');
    expect(row.search_text).toBe(' notificationsdeliver a1');
  });

  it('names the schedule of a scheduler iteration, a catch-up and a manual run; none for other jobs', () => {
    const of = (over: Partial<FinishedJob>) => jobHistoryRow({ queue: 'q', job: job(over), state: 'completed', worker: null }, 100, T).schedule_id;
    expect(of({ id: 'repeat:blog-reconcile:1', repeatJobKey: 'blog-reconcile' })).toBe('blog-reconcile');
    expect(of({ id: catchUpJobId('analytics-daily', T) })).toBe('analytics-daily');
    expect(of({ id: manualRunJobId('media-sweep', T) })).toBe('media-sweep');
    expect(of({ id: 'outbox-1' })).toBeNull();
  });
});

describe('data', () => {
  it('is kept as JSON up to the bound, exactly', () => {
    const data = { s: 'x'.repeat(20) };
    const json = JSON.stringify(data);
    expect(jobHistoryRow({ queue: 'q', job: job({ data }), state: 'completed', worker: null }, bytes(json), T).data).toBe(json);
    const cut = jobHistoryRow({ queue: 'q', job: job({ data }), state: 'completed', worker: null }, bytes(json) - 1, T).data;
    expect(JSON.parse(cut!)).toEqual({ truncated: true, bytes: bytes(json), preview: json.slice(0, bytes(json) - 1) });
  });

  it('larger: {truncated, bytes, preview of the first bytes}, never splitting a character', () => {
    expect(JSON.parse(dataJson('{"a":"ééé"}', 9)!)).toEqual({ truncated: true, bytes: 14, preview: '{"a":"é' });
    expect(JSON.parse(dataJson('"😀😀"', 5)!)).toEqual({ truncated: true, bytes: 10, preview: '"😀' });
    expect(JSON.parse(dataJson('[1,2]', 0)!)).toEqual({ truncated: true, bytes: 5, preview: '' });
    expect(dataJson(null, 10)).toBeNull();
  });

  it('keeps nulls and nested objects as they are', () => {
    const data = { a: null, b: { c: [1, null, { d: 'e' }] }, f: false };
    expect(jobHistoryRow({ queue: 'q', job: job({ data }), state: 'completed', worker: null }, 8_192, T).data).toBe(JSON.stringify(data));
  });

  it('is null for a job without data', () => {
    expect(jobHistoryRow({ queue: 'q', job: job({ data: undefined }), state: 'completed', worker: null }, 100, T).data).toBeNull();
  });

  it('has no NUL anywhere (PostgreSQL text and jsonb refuse it): values, keys, ids, reasons, stacks, results', () => {
    const row = jobHistoryRow({
      queue: 'q', job: job({ id: 'id\u0000x', name: 'N\u0000', data: { 'k\u0000ey': 'va\u0000lue', list: ['\u0000'] }, failedReason: 'bad\u0000reason', stacktrace: ['Error\u0000: at'] }),
      state: 'failed', worker: null,
    }, 8_192, T);
    expect(JSON.stringify(row)).not.toContain('\\u0000');
    expect(Object.values(row).filter((v) => typeof v === 'string' && v.includes('\u0000'))).toEqual([]);
    expect(JSON.parse(row.data!)).toEqual({ key: 'value', list: [''] });
    expect(row).toMatchObject({ job_id: 'idx', name: 'N', failed_reason: 'badreason', stacktrace: 'Error: at', search_text: 'idx n badreason value' });
    const done = jobHistoryRow({ queue: 'q', job: job(), state: 'completed', result: 'r\u0000', worker: null }, 100, T);
    expect(done.return_summary).toBe('"r"');
  });

  it('replaces lone surrogates (jsonb refuses \\ud800) and keeps real pairs', () => {
    const row = jobHistoryRow({ queue: 'q', job: job({ data: { a: 'x\ud800y', b: '\udc00', ok: '😀', ['\ud83d']: 1 } }), state: 'completed', worker: null }, 8_192, T);
    expect(row.data).not.toMatch(/\\ud[89a-f]/i);
    expect(JSON.parse(row.data!)).toEqual({ a: 'x\ufffdy', b: '\ufffd', ok: '😀', '\ufffd': 1 });
  });
});

describe('search_text', () => {
  it('is the id, name, reason and data values, lowercased, keys left out', () => {
    expect(searchText('Job-1', 'DigestSend', 'Timeout X', { userId: 'ABC', n: 5, ok: true, nested: [{ deep: 'Value' }], nil: null })).toBe('job-1 digestsend timeout x abc 5 true value');
    expect(searchText('1', 'N', null, undefined)).toBe('1 n');
    expect(searchText('1', 'N', '', { a: '' })).toBe('1 n');
  });

  it('is cut to 2 KiB with the id and name always whole', () => {
    const text = searchText('id-1', 'Name', 'reason', { a: 'w'.repeat(10_000), b: 'never' });
    expect(text.length).toBe(SEARCH_MAX_CHARS);
    expect(text.startsWith('id-1 name reason www')).toBe(true);
    expect(text).not.toContain('never');
    const longReason = searchText('id-1', 'Name', 'r'.repeat(5_000), { a: 'data' });
    expect(longReason.length).toBeLessThanOrEqual(SEARCH_MAX_CHARS);
    expect(longReason.startsWith('id-1 name rrr')).toBe(true);
    const longId = 'i'.repeat(3_000);
    expect(searchText(longId, 'Name', 'reason', { a: 'x' })).toBe(`${longId} name`);
  });

  it('never ends on half a surrogate pair', () => {
    const text = searchText('id', 'n', null, { a: '😀'.repeat(2_000) });
    expect(text.length).toBeLessThanOrEqual(SEARCH_MAX_CHARS);
    expect(text).not.toMatch(/[\ud800-\udbff]$/);
    expect(text.endsWith('😀')).toBe(true);
  });
});

describe('helpers', () => {
  it('cleanText leaves clean text alone', () => {
    const s = 'plain ascii and é and 😀';
    expect(cleanText(s)).toBe(s);
    expect(cleanText('\u0000\u0000')).toBe('');
    expect(cleanText('a\udfffb\ud800')).toBe('a\ufffdb\ufffd');
  });

  it('jsonText: null for what has no JSON, cleaned text for the rest', () => {
    expect(jsonText(undefined)).toBeNull();
    expect(jsonText(() => 1)).toBeNull();
    expect(jsonText(10n)).toBeNull();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonText(cycle)).toBeNull();
    expect(jsonText({ a: [1, 'b\u0000'] })).toBe('{"a":[1,"b"]}');
    expect(jsonText(['k\u0000'])).toBe('["k"]');
  });

  it('cutBytes fits UTF-8 bytes without splitting a character', () => {
    expect(cutBytes('abc', 3)).toBe('abc');
    expect(cutBytes('abcd', 3)).toBe('abc');
    expect(cutBytes('ééé', 3)).toBe('é');
    expect(cutBytes('ééé', 4)).toBe('éé');
    expect(cutBytes('a😀', 4)).toBe('a');
    expect(cutBytes('a😀', 5)).toBe('a😀');
    expect(cutBytes('abc', 0)).toBe('');
    expect(cutBytes('abc', -1)).toBe('');
  });

  it('cutChars keeps a pair together', () => {
    expect(cutChars('abc', 3)).toBe('abc');
    expect(cutChars('abc', 2)).toBe('ab');
    expect(cutChars('a😀', 2)).toBe('a');
    expect(cutChars('a😀', 3)).toBe('a😀');
    expect(cutChars('a\udc00b', 2)).toBe('a\udc00');
    // The first half of a pair at the cut goes (both ends of its range); a string that fits is whole.
    expect(cutChars('a\ud800b', 2)).toBe('a');
    expect(cutChars('a\udbffb', 2)).toBe('a');
    expect(cutChars('a\ud83d', 2)).toBe('a\ud83d');
    expect(cutChars('abc', 0)).toBe('');
  });

  it('leafText stops at its budget and at absurd depths', () => {
    expect(leafText({ a: 'one', b: 'two', c: 'three' }, 5)).toBe('one t');
    expect(leafText({ a: 'one', b: 'two', c: 'three' }, 8)).toBe('one two');
    expect(leafText({ a: '\u0000', b: 'x' }, 8)).toBe('x');
    expect(leafText({ a: 'abcdef' }, 3)).toBe('abc');
    expect(leafText([[['x']]], 10)).toBe('x');
    // Exactly at the budget: nothing more, numbers included.
    expect(leafText({ a: 'abc', b: 5, c: true }, 4)).toBe('abc');
    expect(leafText(5, 0)).toBe('');
    expect(leafText({ a: 12, b: 'xyz' }, 5)).toBe('12 xy');
    const nest = (levels: number) => {
      let v: unknown = 'bottom';
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    expect(leafText(nest(32), 100)).toBe('bottom');
    expect(leafText(nest(33), 100)).toBe('');
    expect(leafText({ f: () => 1, u: undefined, b: 10n, s: Symbol('s'), n: null, ok: 'yes' }, 100)).toBe('yes');
    expect(leafText('top', 0)).toBe('');
    expect(leafText(Symbol('s'), 10)).toBe('');
  });
});

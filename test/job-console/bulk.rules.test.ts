import { describe, expect, it } from 'vitest';
import {
  BULK_ACTIONS, BULK_REQUEST_STATES, budgetLeft, combination, CURSOR_MAX, cursorKey, cutoffOf, decodeCursor, encodeCursor, matches,
  type BulkCursor, type ScannedJob,
} from '../../src/job-console/bulk.rules.js';

const job = (over: Partial<ScannedJob> = {}): ScannedJob => ({
  id: '1', score: '1000', name: 'NotificationDelivery', failedReason: 'SMTP 421: Service not available', data: '{"notificationIds":["Abc"]}',
  timestamp: 500, finishedOn: 1000, schedulerIteration: false, ...over,
});

const errorOf = (action: Parameters<typeof combination>[0], state: Parameters<typeof combination>[1]) => {
  const answer = combination(action, state);
  return 'error' in answer ? answer.error : null;
};

describe('combination', () => {
  it('lets retry take failed jobs, promote delayed ones, remove anything but active and waiting-children', () => {
    const allowed = BULK_ACTIONS.flatMap((action) => BULK_REQUEST_STATES.flatMap((state) => {
      const answer = combination(action, state);
      return 'state' in answer ? [`${action}:${answer.state}`] : [];
    }));
    expect(allowed.sort()).toEqual(['promote:delayed', 'remove:completed', 'remove:delayed', 'remove:failed', 'remove:prioritized', 'remove:waiting', 'retry:failed'].sort());
  });

  it('says why in words', () => {
    expect(errorOf('retry', 'completed')).toBe('Cannot retry completed jobs: retry takes failed jobs only');
    expect(errorOf('retry', 'active')).toBe('Cannot retry active jobs: retry takes failed jobs only');
    expect(errorOf('promote', 'failed')).toBe('Cannot promote failed jobs: promote takes delayed jobs only');
    expect(errorOf('remove', 'active')).toBe('Cannot remove active jobs: a worker is running them');
    expect(errorOf('remove', 'waiting-children')).toBe('Cannot remove waiting-children jobs: remove takes failed, completed, delayed, waiting or prioritized jobs');
  });
});

describe('matches', () => {
  it('finds the reason and the data as case-insensitive plain substrings, the name exactly', () => {
    expect(matches({ reason: 'service NOT avail' }, 'failed', 2000, job())).toBe(true);
    expect(matches({ reason: 'timeout' }, 'failed', 2000, job())).toBe(false);
    expect(matches({ data: '"abc"' }, 'failed', 2000, job())).toBe(true);
    expect(matches({ name: 'NotificationDelivery' }, 'failed', 2000, job())).toBe(true);
    expect(matches({ name: 'notificationdelivery' }, 'failed', 2000, job())).toBe(false);
    expect(matches({ reason: 'smtp', name: 'Other' }, 'failed', 2000, job())).toBe(false);
    expect(matches({}, 'failed', 2000, job())).toBe(true);
  });

  it('reads pattern characters literally', () => {
    expect(matches({ reason: '.*' }, 'failed', 2000, job())).toBe(false);
    expect(matches({ reason: '421: s' }, 'failed', 2000, job())).toBe(true);
    expect(matches({ reason: '(a+)+$' }, 'failed', 2000, job({ failedReason: 'x (a+)+$ y' }))).toBe(true);
  });

  it('a job without a reason or data does not match a filter on them', () => {
    expect(matches({ reason: 'x' }, 'failed', 2000, job({ failedReason: null }))).toBe(false);
    expect(matches({ data: 'x' }, 'failed', 2000, job({ data: null }))).toBe(false);
  });

  it('takes failed and completed jobs finished by the cutoff, other states created by it', () => {
    expect(matches({}, 'failed', 1000, job())).toBe(true);
    expect(matches({}, 'failed', 999, job())).toBe(false);
    expect(matches({}, 'completed', 999, job())).toBe(false);
    expect(matches({}, 'failed', 2000, job({ finishedOn: null }))).toBe(false);
    expect(matches({}, 'delayed', 500, job())).toBe(true);
    expect(matches({}, 'waiting', 499, job())).toBe(false);
    expect(matches({}, 'waiting', 2000, job({ timestamp: Number.NaN }))).toBe(false);
    expect(cutoffOf(10_000, { olderThanMs: 3_000 })).toBe(7_000);
    expect(cutoffOf(10_000, {})).toBe(10_000);
  });

  it('never takes a schedule\'s next run waiting to happen, but may take one that failed', () => {
    expect(matches({}, 'delayed', 2000, job({ schedulerIteration: true }))).toBe(false);
    expect(matches({}, 'waiting', 2000, job({ schedulerIteration: true }))).toBe(false);
    expect(matches({}, 'prioritized', 2000, job({ schedulerIteration: true }))).toBe(false);
    expect(matches({}, 'failed', 2000, job({ schedulerIteration: true }))).toBe(true);
  });
});

describe('cursor', () => {
  const AS_OF = 1_700_000_000_000;
  const keyOf = () => cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp' }, AS_OF);
  const cursorOf = (key: string): BulkCursor => ({ key, id: 'outbox-12', score: '1700000000000', offset: 7, matched: 3, acted: 2, skipped: 1 });

  it('round-trips, and only for the parameters it was made for', () => {
    const key = keyOf();
    expect(key).toMatch(/^[\w-]{22}$/);
    expect(decodeCursor(encodeCursor(cursorOf(key)), key)).toEqual(cursorOf(key));
    expect(decodeCursor(encodeCursor({ ...cursorOf(key), id: null, score: null }), key)).toEqual({ ...cursorOf(key), id: null, score: null });
    const others = [
      cursorKey('remove', 'notification-delivery', 'failed', { reason: 'smtp' }, AS_OF),
      cursorKey('retry', 'blog-publish', 'failed', { reason: 'smtp' }, AS_OF),
      cursorKey('retry', 'notification-delivery', 'completed', { reason: 'smtp' }, AS_OF),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'SMTP' }, AS_OF),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp', name: 'A' }, AS_OF),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp', data: 'A' }, AS_OF),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp', olderThanMs: 0 }, AS_OF),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp' }, AS_OF + 1),
      cursorKey('count', 'notification-delivery', 'failed', { reason: 'smtp' }, AS_OF),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
    for (const other of others) expect(decodeCursor(encodeCursor(cursorOf(key)), other)).toBeNull();
    // Each filter field counts on its own: a name is not a data text.
    expect(cursorKey('count', 'q', 'failed', { name: 'A' }, AS_OF)).not.toBe(cursorKey('count', 'q', 'failed', { data: 'A' }, AS_OF));
    expect(cursorKey('count', 'q', 'failed', { name: 'A' }, AS_OF)).not.toBe(cursorKey('count', 'q', 'failed', { name: 'B' }, AS_OF));
    expect(cursorKey('count', 'q', 'failed', { olderThanMs: 1 }, AS_OF)).not.toBe(cursorKey('count', 'q', 'failed', { olderThanMs: 2 }, AS_OF));
  });

  it('refuses anything else: not base64 JSON, wrong shape, a score that is not a whole number, too long', () => {
    const key = keyOf();
    const wrap = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const raw = { v: 1, k: key, i: 'x', s: '12', o: 0, n: 0, a: 0, x: 0 };
    expect(decodeCursor(wrap(raw), key)).not.toBeNull();
    expect(decodeCursor(wrap({ ...raw, s: '9007199254740992' }), key)).not.toBeNull();
    for (const bad of [
      '%%%', wrap('x'), wrap({ ...raw, s: "12') or 1" }), wrap({ ...raw, s: '1.5' }), wrap({ ...raw, s: '-1' }), wrap({ ...raw, s: '1e5' }),
      wrap({ ...raw, s: '12345678901234567' }), wrap({ ...raw, i: 'x'.repeat(301) }), wrap({ ...raw, k: 'y'.repeat(65) }),
      wrap({ ...raw, o: -1 }), wrap({ ...raw, n: -1 }), wrap({ ...raw, a: -1 }), wrap({ ...raw, x: -1 }), wrap({ ...raw, o: 1.5 }),
      wrap({ ...raw, extra: 1 }), wrap({ ...raw, v: 2 }),
    ]) {
      expect(decodeCursor(bad, key), bad).toBeNull();
    }
  });

  it('takes a token up to CURSOR_MAX characters (the longest a valid cursor makes), refuses a longer one unread', () => {
    const key = keyOf();
    const big = Number.MAX_SAFE_INTEGER;
    const longest = encodeCursor({ key, id: 'i'.repeat(300), score: String(big), offset: big, matched: big, acted: big, skipped: big });
    expect(longest).toHaveLength(CURSOR_MAX);
    expect(decodeCursor(longest, key)).not.toBeNull();
    // The same cursor with blanks JSON allows: valid but for its length.
    const json = `${Buffer.from(longest, 'base64url').toString('utf8')}   `;
    const padded = Buffer.from(json).toString('base64url');
    expect(padded.length).toBeGreaterThan(CURSOR_MAX);
    expect(JSON.parse(json)).toMatchObject({ k: key });
    expect(decodeCursor(padded, key)).toBeNull();
  });
});

describe('budgetLeft', () => {
  it('is what the confirmed count leaves, never below 0', () => {
    expect(budgetLeft(10, 4)).toBe(6);
    expect(budgetLeft(10, 12)).toBe(0);
  });
});

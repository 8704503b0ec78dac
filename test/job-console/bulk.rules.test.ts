import { describe, expect, it } from 'vitest';
import {
  BULK_ACTIONS, BULK_REQUEST_STATES, budgetLeft, bulkFilterSchema, combinationError, cursorKey, cutoffOf, decodeCursor, encodeCursor, matches,
  type BulkCursor, type ScannedJob,
} from '../../src/job-console/bulk.rules.js';

const job = (over: Partial<ScannedJob> = {}): ScannedJob => ({
  id: '1', score: '1000', name: 'NotificationDelivery', failedReason: 'SMTP 421: Service not available', data: '{"notificationIds":["Abc"]}',
  timestamp: 500, finishedOn: 1000, schedulerIteration: false, ...over,
});

describe('combinationError', () => {
  it('lets retry take failed jobs, promote delayed ones, remove anything but active and waiting-children', () => {
    const allowed = BULK_ACTIONS.flatMap((action) => BULK_REQUEST_STATES.filter((state) => combinationError(action, state) === null).map((state) => `${action}:${state}`));
    expect(allowed.sort()).toEqual(['promote:delayed', 'remove:completed', 'remove:delayed', 'remove:failed', 'remove:prioritized', 'remove:waiting', 'retry:failed'].sort());
  });

  it('says why in words', () => {
    expect(combinationError('retry', 'completed')).toBe('Cannot retry completed jobs: retry takes failed jobs only');
    expect(combinationError('promote', 'failed')).toBe('Cannot promote failed jobs: promote takes delayed jobs only');
    expect(combinationError('remove', 'active')).toBe('Cannot remove active jobs: a worker is running them');
    expect(combinationError('remove', 'waiting-children')).toMatch(/^Cannot remove waiting-children jobs/);
  });
});

describe('bulkFilterSchema', () => {
  it('takes plain text up to 200 characters and nothing else: no pattern field, no unknown key', () => {
    expect(bulkFilterSchema.parse({ reason: 'a'.repeat(200), name: 'X', data: 'y', olderThanMs: 0 })).toMatchObject({ name: 'X' });
    for (const bad of [{ reason: 'a'.repeat(201) }, { reason: '' }, { regex: '.*' }, { reasonPattern: '(a+)+$' }, { olderThanMs: -1 }, { name: 3 }]) {
      expect(bulkFilterSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
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
  const key = cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp' }, 1_700_000_000_000);
  const cursor: BulkCursor = { key, id: 'outbox-12', score: '1700000000000', offset: 0, matched: 3, acted: 2, skipped: 1 };

  it('round-trips, and only for the parameters it was made for', () => {
    expect(decodeCursor(encodeCursor(cursor), key)).toEqual(cursor);
    for (const other of [
      cursorKey('remove', 'notification-delivery', 'failed', { reason: 'smtp' }, 1_700_000_000_000),
      cursorKey('retry', 'blog-publish', 'failed', { reason: 'smtp' }, 1_700_000_000_000),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'SMTP' }, 1_700_000_000_000),
      cursorKey('retry', 'notification-delivery', 'failed', { reason: 'smtp' }, 1_700_000_000_001),
      cursorKey('count', 'notification-delivery', 'failed', { reason: 'smtp' }, 1_700_000_000_000),
    ]) expect(decodeCursor(encodeCursor(cursor), other)).toBeNull();
  });

  it('refuses anything else: not base64 JSON, wrong shape, a score that is not a number, too long', () => {
    const wrap = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const raw = { v: 1, k: key, i: 'x', s: '12', o: 0, n: 0, a: 0, x: 0 };
    expect(decodeCursor(wrap(raw), key)).not.toBeNull();
    for (const bad of ['%%%', wrap('x'), wrap({ ...raw, s: "12') or 1" }), wrap({ ...raw, n: -1 }), wrap({ ...raw, extra: 1 }), wrap({ ...raw, v: 2 }), 'a'.repeat(601)]) {
      expect(decodeCursor(bad, key), bad).toBeNull();
    }
  });
});

describe('budgetLeft', () => {
  it('is what the confirmed count leaves, never below 0', () => {
    expect(budgetLeft(10, 4)).toBe(6);
    expect(budgetLeft(10, 12)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { digestVerdict, drillReport, errorCounts, growthPercent, percentile, summarize, verifyDelivery } from '../../drill/stats.js';

/** The drills' verdicts are only as good as this arithmetic. */
describe('drill report math', () => {
  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect([percentile(samples, 50), percentile(samples, 99), percentile(samples, 100), percentile(samples, 0)]).toEqual([50, 99, 100, 1]);
    expect(percentile([], 99)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises per endpoint and counts errors apart from rate limits', () => {
    const at = 0;
    const samples = [
      { endpoint: 'GET /a', status: 200, ms: 1, at }, { endpoint: 'GET /a', status: 503, ms: 3, at },
      { endpoint: 'GET /b', status: 429, ms: 2, at }, { endpoint: 'GET /b', status: 0, ms: 10_000, at },
    ];
    expect(summarize(samples)).toEqual({
      'GET /a': { requests: 2, p50Ms: 1, p99Ms: 3, maxMs: 3, statuses: { 200: 1, 503: 1 } },
      'GET /b': { requests: 2, p50Ms: 2, p99Ms: 10_000, maxMs: 10_000, statuses: { 0: 1, 429: 1 } },
    });
    expect(errorCounts(samples)).toEqual({ errors: 2, rateLimited: 1 });
  });

  it('computes growth, and none without a start figure', () => {
    expect([growthPercent(200, 220), growthPercent(200, 150), growthPercent(null, 5), growthPercent(0, 5)]).toEqual([10, -25, null, null]);
  });

  it('tells lost, duplicated, re-sent and unexpected emails apart', () => {
    const mail = (notificationId: string | null, messageId: string, to: string) => ({ notificationId, messageId, to });
    const verdict = verifyDelivery(['n1', 'n2', 'n3', 'n4'], [
      mail('n1', '<1>', 'a'), mail('n1', '<1>', 'a'), // re-sent under the same Message-ID: collapsed by receivers
      mail('n2', '<2>', 'b'), mail('n2', '<2b>', 'b'), // two different emails for one notification
      mail('n3', '<3>', 'c'),
      mail('x', '<x>', 'z'), mail(null, '<y>', 'z'), // not ours
    ], false);
    expect(verdict).toEqual({ expected: 4, delivered: 3, lost: 1, duplicated: 1, resentSameMessageId: 1, unexpected: 2 });
    const perRecipient = verifyDelivery(['n1', 'n2'], [mail('n1', '<1>', 'a'), mail('n2', '<2>', 'a')], true);
    expect(perRecipient).toMatchObject({ lost: 0, duplicated: 1 });
  });

  it('counts digests per user: one Message-ID each, a second one a duplicate, a second copy a re-send', () => {
    const digest = (to: string, messageId: string) => ({ notificationId: null, messageId, to, digest: 'DAILY 2026-12-06' });
    const verdict = digestVerdict(['a', 'b', 'c', 'd'], [
      digest('a', '<da>'), digest('a', '<da>'), // the same digest re-sent
      digest('b', '<db>'), digest('b', '<db2>'), // two digests for one user
      digest('c', '<dc>'),
      digest('z', '<dz>'), // another drill's user
    ]);
    expect(verdict).toEqual({ expected: 4, delivered: 3, lost: 1, duplicated: 1, resentSameMessageId: 1, unexpected: 1 });
  });

  it('passes a drill only when every target is met', () => {
    expect(drillReport('x', { a: true, b: true }, { n: 1 })).toEqual({ drill: 'x', passed: true, targets: { a: true, b: true }, n: 1 });
    expect(drillReport('x', { a: true, b: false }, {}).passed).toBe(false);
  });
});

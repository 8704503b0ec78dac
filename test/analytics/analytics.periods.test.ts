import { describe, expect, it } from 'vitest';
import {
  bucketOf, buckets, isAligned, isWholeBucket, parseDay, periodEndOf, periodKey, periodsOverlapping, periodStartOf, previousPeriod, tileRange,
  type PeriodType,
} from '../../src/analytics/analytics.periods.js';
import { figuresAccess } from '../../src/analytics/analytics.service.js';
import { normalizeIp, parseUserAgent } from '../../src/analytics/enrichment.js';

const d = (iso: string) => new Date(iso);

describe('periods (UTC)', () => {
  it('finds the period containing an instant', () => {
    const at = d('2025-10-15T13:47:12.345Z'); // a Wednesday
    expect(periodStartOf('hourly', at).toISOString()).toBe('2025-10-15T13:00:00.000Z');
    expect(periodStartOf('daily', at).toISOString()).toBe('2025-10-15T00:00:00.000Z');
    expect(periodStartOf('weekly', at).toISOString()).toBe('2025-10-13T00:00:00.000Z');
    expect(periodStartOf('monthly', at).toISOString()).toBe('2025-10-01T00:00:00.000Z');
    expect(periodStartOf('weekly', d('2025-10-19T23:59:59.999Z')).toISOString()).toBe('2025-10-13T00:00:00.000Z'); // Sunday
    expect(periodStartOf('weekly', d('2025-10-20T00:00:00.000Z')).toISOString()).toBe('2025-10-20T00:00:00.000Z'); // Monday
    expect(periodStartOf('weekly', d('2026-01-01T12:00:00.000Z')).toISOString()).toBe('2025-12-29T00:00:00.000Z'); // across a year
  });

  it('ends periods at the next start (months of every length, leap years)', () => {
    expect(periodEndOf('monthly', d('2024-02-01T00:00:00Z')).toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(periodEndOf('monthly', d('2025-12-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(periodEndOf('weekly', d('2025-10-13T00:00:00Z')).toISOString()).toBe('2025-10-20T00:00:00.000Z');
    expect(periodsOverlapping('monthly', d('2025-01-31T00:00:00Z'), d('2025-03-01T00:00:00Z')).map((x) => x.toISOString().slice(0, 7))).toEqual(['2025-01', '2025-02']);
  });

  it('knows which period a scheduled run closes', () => {
    expect(previousPeriod('hourly', d('2025-10-15T10:05:00Z')).toISOString()).toBe('2025-10-15T09:00:00.000Z');
    expect(previousPeriod('daily', d('2025-10-16T00:10:00Z')).toISOString()).toBe('2025-10-15T00:00:00.000Z');
    expect(previousPeriod('weekly', d('2025-10-20T04:00:00Z')).toISOString()).toBe('2025-10-13T00:00:00.000Z');
    expect(previousPeriod('monthly', d('2025-11-02T05:00:00Z')).toISOString()).toBe('2025-10-01T00:00:00.000Z');
    expect(previousPeriod('monthly', d('2026-01-02T05:00:00Z')).toISOString()).toBe('2025-12-01T00:00:00.000Z');
  });

  it('checks alignment and names periods compactly', () => {
    expect(isAligned('weekly', d('2025-10-13T00:00:00Z'))).toBe(true);
    expect(isAligned('weekly', d('2025-10-14T00:00:00Z'))).toBe(false);
    expect(isAligned('hourly', d('2025-10-14T03:00:00.001Z'))).toBe(false);
    expect(periodKey('hourly', d('2025-10-14T03:00:00Z'))).toBe('hourly-2025101403');
    expect(periodKey('monthly', d('2025-10-01T00:00:00Z'))).toBe('monthly-202510');
  });

  it('parses only real calendar days', () => {
    expect(parseDay('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    for (const bad of ['2025-02-29', '2025-13-01', '2025-1-01', 'yesterday', '2025-10-01T00:00:00Z']) expect(parseDay(bad)).toBeNull();
  });
});

describe('tiling a read range', () => {
  const all = () => true;
  const describeTiles = (tiles: ReturnType<typeof tileRange>) => tiles.map((t) => (t.kind === 'hours' ? `hours ${t.start.toISOString().slice(0, 13)}..${t.end.toISOString().slice(0, 13)}` : `${t.type} ${t.start.toISOString().slice(0, 10)}`));

  it('uses whole months, then weeks, then days', () => {
    // 2025-09-29 (Mon) … 2025-11-09 (Sun): a week, the whole of October, then days to the 2nd's week.
    const tiles = tileRange(d('2025-09-29T00:00:00Z'), d('2025-11-10T00:00:00Z'), 'monthly', all);
    // The week of 09-29 is skipped because it would cut October, which can be used whole.
    expect(describeTiles(tiles)).toEqual([
      'daily 2025-09-29', 'daily 2025-09-30', 'monthly 2025-10-01', 'daily 2025-11-01', 'daily 2025-11-02', 'weekly 2025-11-03',
    ]);
  });

  it('falls back to hourly rows for days whose daily rollup has not completed', () => {
    const done = (type: PeriodType, start: Date) => type === 'daily' && start < d('2025-10-14T00:00:00Z');
    expect(describeTiles(tileRange(d('2025-10-12T00:00:00Z'), d('2025-10-16T00:00:00Z'), 'monthly', done))).toEqual([
      'daily 2025-10-12', 'daily 2025-10-13', 'hours 2025-10-14T00..2025-10-16T00',
    ]);
  });

  it('never uses a period coarser than the series granularity', () => {
    const tiles = tileRange(d('2025-10-01T00:00:00Z'), d('2025-11-01T00:00:00Z'), 'daily', all);
    expect(tiles).toHaveLength(31);
    expect(tiles.every((t) => t.kind === 'period' && t.type === 'daily')).toBe(true);
    expect(tileRange(d('2025-10-01T00:00:00Z'), d('2025-10-02T00:00:00Z'), 'hourly', all)).toEqual([{ kind: 'hours', start: d('2025-10-01T00:00:00Z'), end: d('2025-10-02T00:00:00Z') }]);
  });

  it('buckets a range, the first bucket clipped to its start', () => {
    const from = d('2025-10-15T00:00:00Z');
    const to = d('2025-11-05T00:00:00Z');
    expect(buckets('week', from, to).map((x) => x.toISOString().slice(0, 10))).toEqual(['2025-10-15', '2025-10-20', '2025-10-27', '2025-11-03']);
    expect(buckets('month', from, to).map((x) => x.toISOString().slice(0, 10))).toEqual(['2025-10-15', '2025-11-01']);
    expect(bucketOf('week', d('2025-10-16T05:00:00Z'), from).toISOString().slice(0, 10)).toBe('2025-10-15');
    expect(isWholeBucket('week', d('2025-10-20T00:00:00Z'), to)).toBe(true);
    expect(isWholeBucket('week', d('2025-10-15T00:00:00Z'), to)).toBe(false);
    expect(isWholeBucket('week', d('2025-11-03T00:00:00Z'), to)).toBe(false);
  });
});

describe('access to a brand\'s or creator\'s figures', () => {
  const id = '3f1c4d2e-9a8b-4c7d-8e6f-5a4b3c2d1e0f';
  it('lets admins read any, the profile\'s own user its figures, nobody else', () => {
    expect(figuresAccess({ id: 'x', role: 'ADMIN' }, id)).toBe('admin');
    expect(figuresAccess({ id: 'x', role: 'ADMIN' }, null)).toBe('admin');
    expect(figuresAccess({ id, role: 'BRAND' }, id)).toBe('own');
    expect(figuresAccess({ id, role: 'CREATOR' }, id)).toBe('own');
    expect(figuresAccess({ id: 'someone-else', role: 'BRAND' }, id)).toBe('other');
    expect(figuresAccess({ id, role: 'BRAND' }, null)).toBe('other');
  });
});

describe('enrichment', () => {
  it('reads device type, browser and OS from known user agents', () => {
    expect(parseUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'))
      .toEqual({ deviceType: 'mobile', browser: 'Mobile Safari', os: 'iOS' });
    expect(parseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'))
      .toEqual({ deviceType: 'desktop', browser: 'Chrome', os: 'Windows' });
    expect(parseUserAgent('Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1'))
      .toEqual({ deviceType: 'tablet', browser: 'Mobile Safari', os: 'iOS' });
    expect(parseUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0'))
      .toEqual({ deviceType: 'desktop', browser: 'Firefox', os: 'Mac OS' });
    expect(parseUserAgent('Googlebot/2.1 (+http://www.google.com/bot.html)')).toEqual({ deviceType: 'bot', browser: null, os: null });
    expect(parseUserAgent('something odd')).toEqual({ deviceType: null, browser: null, os: null });
    expect(parseUserAgent(null)).toEqual({ deviceType: null, browser: null, os: null });
  });

  it('normalizes client IPs', () => {
    expect(normalizeIp('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeIp('2001:db8::1')).toBe('2001:db8::1');
    expect(normalizeIp('not-an-ip')).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
  });
});

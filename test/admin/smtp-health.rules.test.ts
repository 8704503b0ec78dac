import { describe, expect, it } from 'vitest';
import { aggregateTransports } from '../../src/admin/smtp-health.rules.js';
import type { TransportView } from '../../src/platform/email/failover.transport.js';

/** Issue 18: the email group's transports, merged from each worker's own breakers. */

const NOW = new Date('2026-01-01T00:01:00.000Z');

const view = (over: Partial<TransportView> & Pick<TransportView, 'name'>): TransportView => ({
  address: `mail-${over.name}:25`, state: 'closed', openUntil: null, consecutiveFailures: 0, lastError: null, lastErrorAt: null, sent: 0, trips: 0, ...over,
});

describe('aggregateTransports', () => {
  it('shows the worst state, the latest cool-down end and the newest error, and sums what was sent', () => {
    const a = [view({ name: 'smtp-1', state: 'open', openUntil: '2026-01-01T00:00:30.000Z', consecutiveFailures: 1, lastError: 'old', lastErrorAt: '2026-01-01T00:00:00.000Z', sent: 5, trips: 1 }), view({ name: 'smtp-2', sent: 7 })];
    const b = [view({ name: 'smtp-1', state: 'half-open', openUntil: null, consecutiveFailures: 3, lastError: 'ECONNREFUSED', lastErrorAt: '2026-01-01T00:00:10.000Z', sent: 2, trips: 2 }), view({ name: 'smtp-2', sent: 1 })];
    const { transports, problems, warnings } = aggregateTransports([a, b], NOW);
    expect(transports).toEqual([
      { name: 'smtp-1', address: 'mail-smtp-1:25', state: 'open', openUntil: '2026-01-01T00:00:30.000Z', consecutiveFailures: 3, lastError: 'ECONNREFUSED', lastErrorAt: '2026-01-01T00:00:10.000Z', sent: 7, trips: 3, workers: 2, openIn: 2 },
      { name: 'smtp-2', address: 'mail-smtp-2:25', state: 'closed', openUntil: null, consecutiveFailures: 0, lastError: null, lastErrorAt: null, sent: 8, trips: 0, workers: 2, openIn: 0 },
    ]);
    // Mail flows through smtp-2: a warning, not a problem.
    expect(problems).toEqual([]);
    expect(warnings).toEqual(['smtp-1 (mail-smtp-1:25) is open in 2 of 2 worker(s): ECONNREFUSED']);
  });

  it('a worker holding every transport open in its cool-down is a problem (its emails wait)', () => {
    const later = new Date(NOW.getTime() + 5_000).toISOString();
    const down = [view({ name: 'smtp-1', state: 'open', openUntil: later }), view({ name: 'smtp-2', state: 'half-open' })];
    const fine = [view({ name: 'smtp-1', state: 'open', openUntil: later }), view({ name: 'smtp-2' })];
    expect(aggregateTransports([down, fine], NOW).problems).toEqual(['every SMTP transport is open in 1 of 2 worker(s): their emails wait for the next trial']);
    expect(aggregateTransports([fine], NOW).problems).toEqual([]);
    // Cool-downs over: the next email is a trial, nothing waits (warnings only).
    const due = [view({ name: 'smtp-1', state: 'open', openUntil: NOW.toISOString() }), view({ name: 'smtp-2', state: 'open', openUntil: later })];
    expect(aggregateTransports([due], NOW)).toMatchObject({ problems: [], warnings: [expect.stringContaining('smtp-1'), expect.stringContaining('smtp-2')] });
    // One server is tried every time whatever its breaker says: a warning, not a problem.
    expect(aggregateTransports([[view({ name: 'smtp-1', state: 'open', openUntil: later })]], NOW).problems).toEqual([]);
  });

  it('merges in any order: the worst state, the latest cool-down end, the newest error (a tie keeps the first)', () => {
    const at = (s: number) => new Date(NOW.getTime() + s * 1_000).toISOString();
    const merge = (...states: Array<Partial<TransportView>>) => aggregateTransports(states.map((over) => [view({ name: 'smtp-1', ...over })]), NOW).transports[0]!;
    expect(merge({ state: 'closed' }, { state: 'open', openUntil: at(5) }).state).toBe('open');
    expect(merge({ state: 'half-open' }, { state: 'closed' }).state).toBe('half-open');
    expect(merge({ state: 'open', openUntil: at(5) }, { state: 'half-open' }).state).toBe('open');
    expect(merge({ state: 'open', openUntil: at(9) }, { state: 'open', openUntil: at(5) }).openUntil).toBe(at(9));
    expect(merge({ state: 'open', openUntil: at(5) }, { state: 'open', openUntil: at(9) }).openUntil).toBe(at(9));
    expect(merge({ state: 'open', openUntil: at(5) }, {}).openUntil).toBe(at(5));
    expect(merge({}, { state: 'open', openUntil: at(5) }).openUntil).toBe(at(5));
    expect(merge({ lastError: 'newer', lastErrorAt: at(2) }, { lastError: 'older', lastErrorAt: at(1) })).toMatchObject({ lastError: 'newer', lastErrorAt: at(2) });
    expect(merge({ lastError: 'older', lastErrorAt: at(1) }, { lastError: 'newer', lastErrorAt: at(2) })).toMatchObject({ lastError: 'newer', lastErrorAt: at(2) });
    expect(merge({ lastError: 'first', lastErrorAt: at(1) }, { lastError: 'second', lastErrorAt: at(1) }).lastError).toBe('first');
    expect(merge({ lastError: 'only', lastErrorAt: at(1) }, {})).toMatchObject({ lastError: 'only', lastErrorAt: at(1) });
    expect(merge({}, { lastError: 'only', lastErrorAt: at(1) })).toMatchObject({ lastError: 'only', lastErrorAt: at(1) });
    expect(merge({ consecutiveFailures: 2 }, { consecutiveFailures: 7 }, { consecutiveFailures: 1 }).consecutiveFailures).toBe(7);
  });

  it('words a warning without an error too, and counts only the workers with it open', () => {
    const { warnings } = aggregateTransports([[view({ name: 'smtp-1', state: 'half-open' })], [view({ name: 'smtp-1' })], [view({ name: 'smtp-1' })]], NOW);
    expect(warnings).toEqual(['smtp-1 (mail-smtp-1:25) is half-open in 1 of 3 worker(s)']);
  });

  it('orders smtp-10 after smtp-2, and nothing reported means no transports', () => {
    expect(aggregateTransports([[view({ name: 'smtp-10' }), view({ name: 'smtp-2' })]], NOW).transports.map((t) => t.name)).toEqual(['smtp-2', 'smtp-10']);
    expect(aggregateTransports([], NOW)).toEqual({ transports: [], problems: [], warnings: [] });
  });
});

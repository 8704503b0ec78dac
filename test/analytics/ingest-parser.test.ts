import { describe, expect, it } from 'vitest';
import { ingestBodyParser } from '../../src/analytics/ingest.body.js';
import { InvalidError } from '../../src/platform/errors.js';

// The body schema is built once (issue 21) and its occurredAt bounds must still be each parse's own
// `now`: a schema that kept the first request's clock would take events 90 days older than allowed.
describe('ingestBodyParser', () => {
  const DAY = 86_400_000;
  const at = (ms: number) => new Date(ms).toISOString();

  it('bounds occurredAt by the now of each parse, not of the first', () => {
    const parse = ingestBodyParser();
    const t0 = Date.UTC(2026, 0, 1);
    const body = { events: [{ eventType: 'asset_viewed', occurredAt: at(t0) }] };
    expect(parse(body, new Date(t0)).events[0]!.occurredAt).toEqual(new Date(t0));
    // 91 days later the same event is too old; a minute before t0 it lies in the future.
    for (const now of [t0 + 91 * DAY, t0 - 10 * 60_000]) {
      const err = (() => { try { parse(body, new Date(now)); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(InvalidError);
      expect((err as InvalidError).details).toMatchObject([{ path: ['events', 0, 'occurredAt'] }]);
    }
    expect(parse(body, new Date(t0 + 89 * DAY)).events).toHaveLength(1);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestBodySchema } from '../../src/analytics/analytics.schemas.js';
import { ingestBodyParser, quickIngestBody } from '../../src/analytics/ingest.body.js';

// The quick check of ingestion bodies (issue 21) must never accept what zod refuses, nor answer
// differently: whenever it answers, zod accepts the same body with an equal result.
const now = new Date('2026-06-15T12:00:00.000Z');
const schema = ingestBodySchema(now);
const occurredAt = schema.shape.events.element.shape.occurredAt;
const dateOf = (v: string) => {
  const r = occurredAt.safeParse(v);
  return r.success && r.data instanceof Date ? r.data : null;
};

const uuid = fc.uuid().chain((u) => fc.constantFrom(u, u.toUpperCase()));
// Mostly valid values, so that whole events are often valid and each check is reached.
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof({ arbitrary: arb, weight: 40 }, fc.constant(null), fc.integer(), fc.string({ maxLength: 3 })), { nil: undefined });
const iso = fc.integer({ min: -100 * 86_400_000, max: 10 * 60_000 }).map((d) => new Date(now.getTime() + d).toISOString());
const w = <T>(arbitrary: fc.Arbitrary<T>, weight = 12) => ({ arbitrary, weight });
// What PostgreSQL cannot store (a NUL, half a surrogate pair) beside what it can (a whole pair).
const unstorable = fc.constantFrom('a\u0000b', 'a\ud800b', '\udc00', 'x\ud83d', 'ok\ud83d\ude00', '\\u0000');
const text = (min: number, max: number) => fc.oneof(w(fc.string({ minLength: min, maxLength: max })), fc.constant(''), fc.string({ minLength: max + 1, maxLength: max + 3 }), unstorable);
const event = fc.record({
  eventType: fc.oneof(w(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), 40), fc.string({ maxLength: 70 }), fc.constant(undefined), fc.integer()),
  occurredAt: maybe(fc.oneof(w(iso), iso.map((s) => s.replace('Z', '+02:00')), iso.map((s) => s.slice(0, 19)), fc.constant('2026-06-15'))),
  assetId: maybe(uuid), projectId: maybe(uuid), licenseId: maybe(uuid), postId: maybe(uuid), brandId: maybe(uuid), creatorId: maybe(uuid),
  sessionId: maybe(text(1, 128)),
  idempotencyKey: maybe(text(1, 200)),
  props: maybe(fc.oneof(
    w(fc.record({ revenueCents: fc.oneof(fc.integer({ min: -5, max: 1_000_000_005 }), fc.constantFrom(-1, 0, 1_000_000_000, 1_000_000_001, 2.5)), note: fc.oneof(fc.string(), unstorable) }, { requiredKeys: [] })),
    w(fc.record({ engagementTime: fc.oneof(fc.integer({ min: -5, max: 1_000_000_005 }), fc.constantFrom(-1, 0, 1e9, 1e9 + 1, 0.5)) }, { requiredKeys: [] })),
    fc.constant({ big: 'x'.repeat(8_200) }), fc.constant([1, 2]), w(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), 4),
  )),
  color: fc.oneof(w(fc.constant(undefined), 60), fc.string()),
}, { requiredKeys: [] }).map((e) => JSON.parse(JSON.stringify(e)) as unknown);

describe('quickIngestBody', () => {
  it('answers only where zod accepts, and with zod\'s result', () => {
    const body = fc.oneof(
      fc.array(event, { minLength: 0, maxLength: 3 }).map((events) => ({ events })),
      fc.array(event, { minLength: 1, maxLength: 2 }).map((events) => ({ events, extra: 1 })),
      fc.constantFrom(null, [], 'x', { events: 'x' }),
    );
    let answered = 0;
    fc.assert(fc.property(body, (b) => {
      const quick = quickIngestBody(b, dateOf);
      const zod = schema.safeParse(b);
      if (quick === null) return;
      answered++;
      expect(zod.success).toBe(true);
      expect(quick).toEqual(zod.data);
    }), { numRuns: 6_000 });
    // The property is about the answers: enough of the bodies must be answered.
    expect(answered, `${answered} answered`).toBeGreaterThan(100);
  });

  it('checks ids character by character as UUID does: near misses go to zod, which refuses them', () => {
    const id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
    const near = [
      id.replace('a0', 'g0'), id.replace('a0', 'G0'), id.replace('-', '0'), `${id}0`, id.slice(1), id.replace('9c0b-', '9c0b0'),
      ` ${id.slice(1)}`, id.replace('a', 'ä'), `${id.slice(0, 8)}-${id.slice(9)}`.replace('-9c0b', '_9c0b'), id.replace('a11', 'a1/'),
    ];
    for (const assetId of near) {
      const body = { events: [{ eventType: 'asset_viewed', assetId }] };
      expect(quickIngestBody(body, dateOf), assetId).toBeNull();
      expect(schema.safeParse(body).success, assetId).toBe(false);
    }
    const upper = { events: [{ eventType: 'asset_viewed', assetId: id.toUpperCase(), brandId: 'A0EEBC99-9c0b-4ef8-bb6d-6bb9bd380a11' }] };
    expect(quickIngestBody(upper, dateOf)).toEqual(schema.parse(upper));
    expect(quickIngestBody(upper, dateOf)!.events[0]).toEqual({ eventType: 'asset_viewed', assetId: id, brandId: id });
  });

  it('takes the common valid body without zod, and the parser answers as zod does', () => {
    const body = { events: [
      { eventType: 'asset_viewed', assetId: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', sessionId: 's1', props: { engagementTime: 12 } },
      { eventType: 'license_created', occurredAt: '2026-06-15T11:00:00.000Z', licenseId: null, props: { revenueCents: 4999 }, idempotencyKey: 'k' },
    ] };
    expect(quickIngestBody(body, dateOf)).not.toBeNull();
    expect(ingestBodyParser()(body, now)).toEqual(schema.parse(body));
  });
});

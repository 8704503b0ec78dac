import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestBodySchema, type AnalyticsEventInput } from '../../src/analytics/analytics.schemas.js';
import { EventsRepository } from '../../src/analytics/events.repository.js';
import { quickIngestBody } from '../../src/analytics/ingest.body.js';
import { assertInteractionsOnly } from '../../src/analytics/ingest.policy.js';

/**
 * Review of issue 21 (c907e70: the quick check returns every event as one literal, undefined where
 * the body had no field). ingest-body.property compares the quick check's answer with zod's by
 * toEqual, which takes undefined for absent: this compares what each answer becomes, the COPY's
 * rows (NULL or a default in every column) and the browser policy's verdict, on bodies whose keys
 * at every level are prototype names (__proto__ as JSON.parse makes it, an own key; constructor,
 * prototype, toString, hasOwnProperty) or the revenue and engagement keys. Nothing pollutes
 * Object.prototype.
 */
const now = new Date('2026-06-15T12:00:00.000Z');
const schema = ingestBodySchema(now);
const occurredAt = schema.shape.events.element.shape.occurredAt;
const dateOf = (v: string) => {
  const r = occurredAt.safeParse(v);
  return r.success && r.data instanceof Date ? r.data : null;
};

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'revenueCents', 'engagementTime'];
const FIELDS = ['eventType', 'occurredAt', 'assetId', 'projectId', 'licenseId', 'postId', 'brandId', 'creatorId', 'sessionId', 'props', 'idempotencyKey'];
const key = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 }));
// JSON text, so that a '__proto__' key is an own key as JSON.parse makes it (an object literal would set the prototype).
const leaf = fc.oneof(fc.integer({ min: -2, max: 1_000_000_001 }), fc.constant(null), fc.string({ maxLength: 4 }), fc.boolean());
const { tree } = fc.letrec<{ tree: string }>((tie) => ({
  tree: fc.oneof(
    { arbitrary: leaf.map((v) => JSON.stringify(v)), weight: 3 },
    fc.array(fc.tuple(key, tie('tree')), { maxLength: 3 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
}));
const valueOf = (field: string): fc.Arbitrary<string> => {
  if (field === 'eventType') return fc.constantFrom('"asset_viewed"', '"license_created"', '"a"');
  if (field === 'occurredAt') return fc.constantFrom('"2026-06-15T11:00:00.000Z"', 'null', '"x"');
  if (field === 'props') return fc.oneof({ arbitrary: tree.filter((t) => t.startsWith('{')), weight: 4 }, fc.constant('null'), fc.constant('{"revenueCents":5}'));
  if (field.endsWith('Id') && field !== 'sessionId') return fc.constantFrom('"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"', 'null', '1');
  return fc.oneof(fc.constantFrom('"k"', 'null', '""'), tree);
};
const eventText = fc.tuple(
  fc.subarray(FIELDS.filter((f) => f !== 'eventType')).chain((fields) => fc.tuple(...['eventType', ...fields].map((f) => valueOf(f).map((v) => `${JSON.stringify(f)}:${v}`)))),
  fc.array(fc.tuple(fc.constantFrom(...HOSTILE), tree), { maxLength: 1 }),
  fc.boolean(),
).map(([fields, extra, reversed]) => {
  const all = [...fields, ...extra.map(([k, v]) => `${JSON.stringify(k)}:${v}`)];
  return `{${(reversed ? all.reverse() : all).join(',')}}`;
});
const bodyText = fc.array(eventText, { minLength: 1, maxLength: 3 }).map((events) => `{"events":[${events.join(',')}]}`);

const source = { userId: null, userAgent: 'ua', ip: '127.0.0.1', now };
const rows = (events: readonly AnalyticsEventInput[]) => EventsRepository.eventsCopy(events, events.map((_, i) => String(i + 1)), source).data;
const policy = (events: readonly AnalyticsEventInput[]) => {
  try {
    assertInteractionsOnly(events);
    return 'allowed';
  } catch (err) {
    return JSON.stringify((err as { details?: unknown }).details ?? (err as Error).message);
  }
};

describe('quick ingestion check with prototype-named keys at every level (review of issue 21)', () => {
  it('wherever it answers, zod accepts and the COPY rows and the browser policy are the same as from zod\'s answer', () => {
    let answered = 0;
    fc.assert(fc.property(bodyText, (text) => {
      const body = JSON.parse(text) as unknown;
      const quick = quickIngestBody(body, dateOf);
      expect(Object.keys(Object.prototype)).toEqual([]);
      if (quick === null) return;
      answered++;
      const zod = schema.safeParse(body);
      expect(zod.success, text).toBe(true);
      if (!zod.success) return;
      expect(rows(quick.events), text).toBe(rows(zod.data.events));
      expect(policy(quick.events), text).toBe(policy(zod.data.events));
      for (const e of quick.events) {
        expect(Object.getPrototypeOf(e), text).toBe(Object.prototype);
        if (e.props) expect(Object.getPrototypeOf(e.props), text).toBe(Object.prototype);
      }
    }), { numRuns: 4_000 });
    // The generator reaches the quick check's answers in about 5 % of bodies (190-215 of 4,000 seen
    // in runs): the floor says it still does, far enough below that mean not to fail by chance.
    expect(answered, `${answered} answered`).toBeGreaterThan(100);
  });
});

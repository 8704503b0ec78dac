import { z } from 'zod';
import { AGGREGATION_JOB_TYPES } from '../platform/db/schema.js';
import { isStorableText, STORABLE_MESSAGE } from '../platform/http/validation.js';
import { DAY_MS, isAligned, parseDay, periodEndOf, type Granularity } from './analytics.periods.js';

/** zod schemas of the analytics API: validation, types, and (through the routes' `openapi` entries) the OpenAPI document. */

export const MAX_EVENTS_PER_REQUEST = 500;
/** JOBS.md §3: occurredAt may lie up to 90 days in the past, never more than 5 minutes ahead. */
export const MAX_PAST_MS = 90 * DAY_MS;
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_RANGE_DAYS = 730;
/** An hourly series longer than this would be thousands of points; ask for days instead. */
export const MAX_HOURLY_RANGE_DAYS = 31;
export const MAX_PROPS_BYTES = 8_192;
/** One event's revenue: never negative (refunds are not events), at most 10,000,000.00. */
export const MAX_REVENUE_CENTS = 1_000_000_000;

/** Event types with a meaning in the rollups; any other type is accepted and counted as "other". */
export const KNOWN_EVENT_TYPES = ['asset_viewed', 'asset_downloaded', 'license_clicked', 'license_created', 'post_viewed', 'project_viewed'] as const;

export const EVENT_TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const id = z.string().regex(UUID, 'must be a uuid').transform((v) => v.toLowerCase()).nullish();

/**
 * Whether JSON.stringify's output names a NUL or a lone surrogate: it writes both, and only those
 * (a pair is written as itself), as a `\u` escape; an escaped backslash before it is text.
 */
export const jsonHoldsUnstorable = (json: string) => /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i.test(json);
const storable = z.string().refine(isStorableText, STORABLE_MESSAGE);

const props = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const json = JSON.stringify(value);
  if (json.length > MAX_PROPS_BYTES) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_PROPS_BYTES} bytes of JSON` });
  if (jsonHoldsUnstorable(json)) ctx.addIssue({ code: 'custom', message: STORABLE_MESSAGE });
  const { revenueCents, engagementTime } = value as { revenueCents?: unknown; engagementTime?: unknown };
  if (revenueCents !== undefined && !(Number.isSafeInteger(revenueCents) && (revenueCents as number) >= 0 && (revenueCents as number) <= MAX_REVENUE_CENTS)) {
    ctx.addIssue({ code: 'custom', path: ['revenueCents'], message: `must be an integer number of cents from 0 to ${MAX_REVENUE_CENTS}` });
  }
  if (engagementTime !== undefined && !(Number.isSafeInteger(engagementTime) && (engagementTime as number) >= 0 && (engagementTime as number) <= 1e9)) {
    ctx.addIssue({ code: 'custom', path: ['engagementTime'], message: 'must be a non-negative integer (seconds)' });
  }
});

/** One event; `now` bounds occurredAt (the clock is injected so tests never sleep; a function, read at each check). */
export function eventSchema(now: Date | (() => Date)) {
  const clock = typeof now === 'function' ? now : () => now;
  return z.strictObject({
    eventType: z.string().regex(EVENT_TYPE, 'must be 1-64 letters, digits or _ . : -'),
    occurredAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v))
      .refine((d) => d.getTime() >= clock().getTime() - MAX_PAST_MS, 'must be at most 90 days in the past')
      .refine((d) => d.getTime() <= clock().getTime() + MAX_FUTURE_MS, 'must be at most 5 minutes in the future')
      .nullish(),
    assetId: id,
    projectId: id,
    licenseId: id,
    postId: id,
    brandId: id,
    creatorId: id,
    sessionId: storable.min(1).max(128).nullish(),
    props: props.nullish(),
    idempotencyKey: storable.min(1).max(200).nullish(),
  });
}

export function ingestBodySchema(now: Date | (() => Date)) {
  return z.strictObject({ events: z.array(eventSchema(now)).min(1, 'must hold at least one event').max(MAX_EVENTS_PER_REQUEST) });
}

export type AnalyticsEventInput = z.output<ReturnType<typeof eventSchema>>;

const day = z.string().refine((v) => parseDay(v) !== null, 'must be a date YYYY-MM-DD');

/** startDate/endDate (whole UTC days, inclusive) and granularity; `today` (read at each parse) bounds the range. */
export function rangeQuerySchema(clock: () => Date) {
  return z.object({
    startDate: day.optional(),
    endDate: day.optional(),
    granularity: z.enum(['hour', 'day', 'week', 'month']).default('day'),
    limit: z.string().regex(/^\d{1,3}$/, 'must be an integer from 1 to 100').transform(Number).pipe(z.number().int().min(1).max(100)).optional().default(10),
  }).transform((q, ctx) => {
    const today = clock();
    const end = q.endDate ? parseDay(q.endDate)! : today;
    const start = q.startDate ? parseDay(q.startDate)! : new Date(end.getTime() - 29 * DAY_MS);
    const days = Math.round((end.getTime() - start.getTime()) / DAY_MS) + 1;
    if (end > today) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be in the future' });
    if (days < 1) ctx.addIssue({ code: 'custom', path: ['startDate'], message: 'must not be after endDate' });
    if (days > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['startDate'], message: `the range may span at most ${MAX_RANGE_DAYS} days` });
    if (q.granularity === 'hour' && days > MAX_HOURLY_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['granularity'], message: `hour granularity covers at most ${MAX_HOURLY_RANGE_DAYS} days` });
    return { from: start, to: new Date(end.getTime() + DAY_MS), granularity: q.granularity as Granularity, limit: q.limit };
  });
}
export type RangeQuery = z.output<ReturnType<typeof rangeQuerySchema>>;

/** POST /api/admin/jobs/aggregation/run: a period that is aligned to its type and already over (`clock` read at each parse). */
export function runBodySchema(clock: () => Date) {
  return z.strictObject({
    jobType: z.enum(AGGREGATION_JOB_TYPES),
    periodStart: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  }).superRefine((b, ctx) => {
    if (!isAligned(b.jobType, b.periodStart)) {
      const what = { hourly: 'on the hour', daily: 'at 00:00 UTC', weekly: 'on a Monday 00:00 UTC', monthly: 'on the 1st 00:00 UTC' }[b.jobType];
      ctx.addIssue({ code: 'custom', path: ['periodStart'], message: `a ${b.jobType} period starts ${what}` });
    } else if (periodEndOf(b.jobType, b.periodStart) > clock()) {
      ctx.addIssue({ code: 'custom', path: ['periodStart'], message: 'the period has not ended yet' });
    }
  });
}

// ---- Response shapes (documentation and types; the service builds them) ----

export const metricsSchema = z.object({
  views: z.number().int().describe('asset_viewed events'),
  clicks: z.number().int().describe('asset_downloaded + license_clicked events'),
  conversions: z.number().int().describe('license_created events'),
  revenueCents: z.number().int().describe('sum of props.revenueCents'),
  uniqueVisitors: z.number().int().nullable().describe('distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up'),
  engagementTime: z.number().int().describe('sum of props.engagementTime (seconds)'),
  otherEvents: z.number().int().describe('events of types without a metric of their own'),
});
export type Metrics = z.infer<typeof metricsSchema>;

export const reportSchema = z.object({
  success: z.literal(true),
  data: z.object({
    dateRange: z.object({ startDate: z.string(), endDate: z.string() }),
    granularity: z.enum(['hour', 'day', 'week', 'month']),
    totals: metricsSchema,
    series: z.array(metricsSchema.extend({ periodStart: z.string().describe('ISO instant; the first bucket starts at startDate') })),
    top: z.array(metricsSchema.extend({ id: z.string() })).optional().describe('platform/assets and platform/projects: the most viewed over the range'),
  }),
});
export type Report = z.infer<typeof reportSchema>['data'];

export const ingestReplySchema = z.object({ success: z.literal(true), data: z.object({ accepted: z.number().int(), duplicates: z.number().int() }) });

import type { AnalyticsLevel } from '../platform/db/schema.js';
import { ForbiddenError, NotFoundError } from '../platform/errors.js';
import type { AuthUser } from '../platform/http/auth.js';
import { isId } from '../platform/http/validation.js';
import {
  bucketOf, buckets, GRANULARITY_PERIOD, isWholeBucket, tileRange, type PeriodType, type Tile,
} from './analytics.periods.js';
import type { Metrics, RangeQuery, Report } from './analytics.schemas.js';
import { PLATFORM_ID } from './rollup.repository.js';
import type { ReportsRepository, RollupRow } from './reports.repository.js';

export type SubjectLevel = 'brand' | 'creator';
type Access = 'admin' | 'own' | 'other';

/** The user a brand or creator profile belongs to (null: no such profile), from the catalog. */
export type OwnerOf = (level: SubjectLevel, id: string) => Promise<string | null>;

/** Who may read a brand's or creator's figures: admins, and the profile's own user. */
export function figuresAccess(user: Pick<AuthUser, 'id' | 'role'>, ownerUserId: string | null): Access {
  if (user.role === 'ADMIN') return 'admin';
  return ownerUserId !== null && ownerUserId === user.id ? 'own' : 'other';
}

const zero = (): Metrics => ({ views: 0, clicks: 0, conversions: 0, revenueCents: 0, uniqueVisitors: null, engagementTime: 0, otherEvents: 0 });

function add(into: Metrics, row: Omit<RollupRow, 'period_type' | 'period_start' | 'unique_visitors'>): void {
  into.views += row.views;
  into.clicks += row.clicks;
  into.conversions += row.conversions;
  into.revenueCents += row.revenue_cents;
  into.engagementTime += row.engagement_time;
  into.otherEvents += row.other_events;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const periodId = (type: PeriodType, start: Date) => `${type}|${start.getTime()}`;

/** The read API (JOBS.md §3): figures from the rollups only, never from raw events. */
export interface AnalyticsServiceDeps {
  readonly reports: ReportsRepository;
  /** Who owns a creator or brand: its analytics are theirs (the catalog's port). */
  readonly ownerOf: OwnerOf;
}

export class AnalyticsService {
  constructor(private readonly deps: AnalyticsServiceDeps) {}

  /**
   * The access rule of a brand's or creator's figures: 404 for unknown ids, 403 for another's.
   * The route applies it before it validates the query, so those answers come first.
   */
  async assertSubjectAccess(user: AuthUser, level: SubjectLevel, id: string): Promise<void> {
    const notFound = `${level === 'brand' ? 'Brand' : 'Creator'} not found`;
    if (!isId(id)) throw new NotFoundError(notFound);
    const owner = await this.deps.ownerOf(level, id.toLowerCase());
    const access = figuresAccess(user, owner);
    if (access !== 'own') {
      // Figures may exist for ids a producer sent before (or without) a profile: those exist too.
      if (owner === null && !(await this.deps.reports.exists(level, id.toLowerCase()))) throw new NotFoundError(notFound);
      if (access === 'other') throw new ForbiddenError();
    }
  }

  /** A brand's or creator's figures, once assertSubjectAccess has let the caller through. */
  async subjectReport(level: SubjectLevel, id: string, q: RangeQuery): Promise<Report> {
    return this.report(level, id.toLowerCase(), q);
  }

  async platformReport(q: RangeQuery, top?: 'asset' | 'project'): Promise<Report> {
    return this.report('platform', PLATFORM_ID, q, top);
  }

  /**
   * Series and totals over [from, to). Additive metrics are sums of the coarsest rollups that tile
   * each bucket; uniqueVisitors is exact where a bucket (or the whole range, for totals and top)
   * is one completed period of its own type, and null elsewhere, since distinct visitors of
   * different periods cannot be added up.
   */
  async report(level: AnalyticsLevel, dimensionId: string, q: RangeQuery, topLevel?: 'asset' | 'project'): Promise<Report> {
    const seriesType = GRANULARITY_PERIOD[q.granularity];
    const types: PeriodType[] = seriesType === 'hourly' ? ['hourly', 'daily', 'weekly', 'monthly'] : ['daily', 'weekly', 'monthly'];
    const done = new Set((await this.deps.reports.completedPeriods(types, q.from, q.to)).map((p) => periodId(p.period_type, p.period_start)));
    const isDone = (type: PeriodType, start: Date) => done.has(periodId(type, start));
    const seriesTiles = tileRange(q.from, q.to, seriesType, isDone);
    const totalTiles = tileRange(q.from, q.to, 'monthly', isDone);
    // The whole range is one completed period: its own row has the range's distinct visitors.
    const single = totalTiles.length === 1 && totalTiles[0]!.kind === 'period' ? totalTiles[0]! as Extract<Tile, { kind: 'period' }> : null;
    const [rows, top] = await Promise.all([
      this.deps.reports.rows(level, dimensionId, single ? [...seriesTiles, single] : seriesTiles),
      topLevel ? this.deps.reports.top(topLevel, totalTiles, q.limit) : Promise.resolve([]),
    ]);

    const series = new Map(buckets(q.granularity, q.from, q.to).map((b) => [b.getTime(), { periodStart: b, ...zero() }]));
    for (const [t, bucket] of series) {
      if (isWholeBucket(q.granularity, new Date(t), q.to) && isDone(seriesType, new Date(t))) bucket.uniqueVisitors = 0;
    }
    const inSeries = new Set(seriesTiles.flatMap((t) => (t.kind === 'period' ? [periodId(t.type, t.start)] : [])));
    const hourSpans = seriesTiles.filter((t) => t.kind === 'hours');
    const totals = zero();
    for (const row of rows) {
      const own = inSeries.has(periodId(row.period_type, row.period_start))
        || (row.period_type === 'hourly' && hourSpans.some((s) => row.period_start >= s.start && row.period_start < s.end));
      if (!own) continue;
      const bucket = series.get(bucketOf(q.granularity, row.period_start, q.from).getTime())!;
      add(bucket, row);
      add(totals, row);
      if (row.period_type === seriesType && bucket.uniqueVisitors !== null) bucket.uniqueVisitors = row.unique_visitors;
    }
    if (single) totals.uniqueVisitors = rows.find((r) => r.period_type === single.type && r.period_start.getTime() === single.start.getTime())?.unique_visitors ?? 0;

    return {
      dateRange: { startDate: day(q.from), endDate: day(new Date(q.to.getTime() - 1)) },
      granularity: q.granularity,
      totals,
      series: [...series.values()].map(({ periodStart, ...m }) => ({ periodStart: periodStart.toISOString(), ...m })),
      ...(topLevel ? {
        top: top.map((r) => {
          const m = zero();
          add(m, r);
          return { id: r.dimension_id, ...m, uniqueVisitors: single ? r.unique_visitors : null };
        }),
      } : {}),
    };
  }
}

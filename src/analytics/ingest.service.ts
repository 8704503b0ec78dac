import { copyTransaction } from '../platform/db/copy.js';
import { AppError } from '../platform/errors.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { JobPayload } from '../platform/queue/registry.js';
import { dayNumber, HOUR_MS, periodStartOf, PERIOD_TYPES, shiftPeriod, type PeriodType } from './analytics.periods.js';
import { MAX_EVENTS_PER_REQUEST, type AnalyticsEventInput } from './analytics.schemas.js';
import { ingestBodyParser } from './ingest.body.js';
import { parseUserAgent, type GeoIp } from './enrichment.js';
import type { EventRow, EventsRepository } from './events.repository.js';
import type { Role } from '../platform/db/schema.js';
import { assertInteractionsOnly, attributeFromEntities, entityIds, isTrusted, type EntityIds, type Producer, type Visible } from './ingest.policy.js';
import type { EventQuota } from './ingest.quota.js';
import { LATE_PASS_KEY } from './aggregation.service.js';
import type { Platform } from '../platform/module.js';

export type { Producer } from './ingest.policy.js';

/** What the catalog and the blog let a user see, and the catalog's attribution of it (ports, wired in app.ts). */
export interface IngestPorts {
  visible(actor: { id: string; role: Role }, ids: EntityIds): Promise<Visible>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

type EnrichJob = JobPayload<'analytics-enrichment', 'AnalyticsEnrich'>;

export class TooManyEventsError extends AppError {
  constructor() {
    super(413, `Too many events: at most ${MAX_EVENTS_PER_REQUEST} per request`);
  }
}

/** JOBS.md §3 ingestion and enrichment: events are durable in PostgreSQL before the 202. */
export interface IngestServiceDeps extends Pick<Platform, 'db' | 'pool'> {
  readonly events: EventsRepository;
  readonly geoip: GeoIp;
  readonly ports: IngestPorts;
  readonly quota: EventQuota;
}

export class IngestService {
  private readonly parseBody = ingestBodyParser();

  constructor(private readonly deps: IngestServiceDeps) {}

  /** The raw events' repository (tests and benchmarks create partitions through it). */
  get events(): EventsRepository {
    return this.deps.events;
  }

  /**
   * Validates the whole request first (all or nothing: one bad event stores nothing), then writes
   * keys, events, late-event re-runs and the enrichment job in one transaction.
   */
  async ingest(body: unknown, producer: Producer, client: { userAgent: string | null; ip: string | null }, now = new Date()): Promise<IngestResult> {
    const list = (body as { events?: unknown } | null)?.events;
    if (Array.isArray(list) && list.length > MAX_EVENTS_PER_REQUEST) throw new TooManyEventsError();
    const parsed = this.parseBody(body, now).events;
    const events = await this.authorize(parsed, producer);
    if (producer.kind === 'user') await this.deps.quota.take(producer.userId, events.length);

    // Keys are scoped by producer; within the request the first event with a key wins.
    const scope = producer.kind === 'user' ? producer.userId : 'key';
    const seen = new Set<string>();
    const unique = events.filter((e) => {
      if (!e.idempotencyKey) return true;
      const key = `${scope}:${e.idempotencyKey}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const nowIso = now.toISOString();
    const rows = unique.map((e) => toRow(e, producer, nowIso));
    const months = [...new Set(instantsOf(rows).map((at) => periodStartOf('monthly', at).getTime()))].map((t) => new Date(t));
    await this.deps.events.ensurePartitions([...months, shiftPeriod('monthly', periodStartOf('monthly', now), 1)]);

    // The events go in by COPY, on the transaction's own client (copyTransaction), at about COPY's
    // cost a row; everything else in the transaction is as before.
    const accepted = await copyTransaction(this.deps.pool, async (tx, connection) => {
      const days = [...new Set(instantsOf(rows).map(dayNumber))].sort((a, b) => a - b);
      const repo = this.deps.events.in(tx);
      await repo.lockDaysShared(days);
      const claimed = await repo.claimKeys([...seen]);
      const fresh = rows.filter((r) => r.idempotency_key === undefined || claimed.has(`${scope}:${r.idempotency_key}`));
      if (fresh.length === 0) return 0;
      const inserted = await repo.copyEvents(connection, fresh, client);
      const late = await repo.flagLatePeriods(periodsOf(fresh));
      // One coalesced job however many periods: it waits under one dedupe key and re-runs every flagged period.
      if (late.length) await enqueueInTx(tx, 'analytics-aggregation', 'AnalyticsLatePass', {}, { dedupeKey: LATE_PASS_KEY });
      await enqueueInTx(tx, 'analytics-enrichment', 'AnalyticsEnrich', {
        fromId: inserted.minId, toId: inserted.maxId, from: inserted.minAt.toISOString(), to: inserted.maxAt.toISOString(),
      });
      return inserted.count;
    });
    return { accepted, duplicates: events.length - accepted };
  }

  /** A browser's events: interactions only, about entities it can see, attributed by the server. */
  private async authorize(events: AnalyticsEventInput[], producer: Producer): Promise<AnalyticsEventInput[]> {
    if (isTrusted(producer) || producer.kind !== 'user') return events;
    assertInteractionsOnly(events);
    const seen = await this.deps.ports.visible({ id: producer.userId, role: producer.role }, entityIds(events));
    return attributeFromEntities(events, seen);
  }

  /**
   * Enriches one request's events: every distinct client (user agent, IP) is parsed once, and one
   * UPDATE writes them all. Events already enriched are left alone, so a retry changes nothing.
   */
  async enrich(job: EnrichJob): Promise<{ enriched: number }> {
    const range = { fromId: job.fromId, toId: job.toId, from: new Date(job.from), to: new Date(job.to) };
    const clients = await this.deps.events.pendingClients(range);
    const values = clients.map((c) => ({ ...c, ...toColumns(parseUserAgent(c.user_agent)), country: this.deps.geoip.country(c.ip) }));
    return { enriched: await this.deps.events.saveEnrichment(range, values) };
  }
}

const toColumns = (e: ReturnType<typeof parseUserAgent>) => ({ device_type: e.deviceType, browser: e.browser, os: e.os });

/** The row of one event. A column that would be NULL is left out (copyEvents writes it as \N). */
function toRow(e: AnalyticsEventInput, producer: Producer, nowIso: string): EventRow {
  const userId = producer.kind === 'user' ? producer.userId : null;
  const props = (e.props ?? null) as { revenueCents?: number; engagementTime?: number } | null;
  const row: EventRow = {
    occurred_at: e.occurredAt ? e.occurredAt.toISOString() : nowIso,
    event_type: e.eventType,
    revenue_cents: props?.revenueCents ?? 0,
    engagement_time: props?.engagementTime ?? 0,
  };
  const visitor = e.sessionId ? `s:${e.sessionId}` : userId ? `u:${userId}` : null;
  if (userId !== null) row.user_id = userId;
  if (e.sessionId != null) row.session_id = e.sessionId;
  if (visitor !== null) row.visitor_id = visitor;
  if (e.assetId != null) row.asset_id = e.assetId;
  if (e.projectId != null) row.project_id = e.projectId;
  if (e.licenseId != null) row.license_id = e.licenseId;
  if (e.postId != null) row.post_id = e.postId;
  if (e.brandId != null) row.brand_id = e.brandId;
  if (e.creatorId != null) row.creator_id = e.creatorId;
  if (props !== null) row.props = props;
  if (e.idempotencyKey != null) row.idempotency_key = e.idempotencyKey;
  return row;
}

/**
 * The distinct hours the rows fall in (each as its start): every period of every type holds whole
 * hours, so they stand for the rows in the period and day computations, once each, where a batch
 * of 500 events sent without occurredAt had all 500 dates parsed four times over.
 */
function instantsOf(rows: readonly EventRow[]): Date[] {
  const hours = new Set<number>();
  for (const iso of new Set(rows.map((r) => r.occurred_at))) hours.add(Math.floor(Date.parse(iso) / HOUR_MS));
  return [...hours].map((h) => new Date(h * HOUR_MS));
}

/** Every period (of every type) that the events fall in, once each. */
function periodsOf(rows: readonly EventRow[]): Array<{ type: PeriodType; start: Date }> {
  const keys = new Set<string>();
  for (const at of instantsOf(rows)) {
    for (const type of PERIOD_TYPES) keys.add(`${type}|${periodStartOf(type, at).getTime()}`);
  }
  return [...keys].sort().map((k) => {
    const [type, t] = k.split('|') as [PeriodType, string];
    return { type, start: new Date(Number(t)) };
  });
}

import { copyAndCommit, copyInOneRoundTrip, copyTransaction } from '../platform/db/copy.js';
import { AppError } from '../platform/errors.js';
import { enqueueStatement } from '../platform/queue/outbox.js';
import type { JobPayload } from '../platform/queue/registry.js';
import { dayNumber, HOUR_MS, periodStartOf, PERIOD_TYPES, shiftPeriod, type PeriodType } from './analytics.periods.js';
import { MAX_EVENTS_PER_REQUEST, type AnalyticsEventInput } from './analytics.schemas.js';
import { ingestBodyParser } from './ingest.body.js';
import { parseUserAgent, type GeoIp } from './enrichment.js';
import { EventsRepository, idBlock } from './events.repository.js';
import type { IdBlocks } from './id-blocks.js';
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
  /** Id blocks reserved ahead for requests without keys (EventsRepository.reserveIdBlocks). */
  readonly ids: IdBlocks;
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
    const instants = instantsOf(unique, now);
    const months = [...new Set(instants.map((at) => periodStartOf('monthly', at).getTime()))].map((t) => new Date(t));
    await this.deps.events.ensurePartitions([...months, shiftPeriod('monthly', periodStartOf('monthly', now), 1)]);

    // The events go in by COPY at about COPY's cost a row, their ids one reserved block (idBlock). A
    // request without keys takes a block reserved ahead (IdBlocks) and sends its whole transaction in
    // one round trip: BEGIN, the day locks, the COPY and its data, the late flags (with the late pass
    // if they flag any: one coalesced job however many periods, under one dedupe key), the enrichment
    // job and COMMIT. With keys, the claims decide which events are copied: BEGIN and the day locks,
    // then the claims with the block's nextval, then the rest (copyTransaction): three round trips.
    const days = [...new Set(instants.map(dayNumber))].sort((a, b) => a - b);
    const source = { userId: producer.kind === 'user' ? producer.userId : null, userAgent: client.userAgent, ip: client.ip, now };
    const locks = EventsRepository.locksStatement(days);
    const statements = (fresh: readonly AnalyticsEventInput[], ids: readonly string[]) => {
      const copy = EventsRepository.eventsCopy(fresh, ids, source);
      const late = EventsRepository.lateFlagsStatement(periodsOf(fresh === unique ? instants : instantsOf(fresh, now)),
        (flagged) => enqueueStatement('analytics-aggregation', 'AnalyticsLatePass', {}, { dedupeKey: LATE_PASS_KEY }, flagged));
      const { range } = copy;
      const enrich = enqueueStatement('analytics-enrichment', 'AnalyticsEnrich', {
        fromId: range.minId, toId: range.maxId, from: range.minAt.toISOString(), to: range.maxAt.toISOString(),
      });
      return { copy, after: [late, enrich] };
    };
    let accepted: number;
    if (seen.size === 0) {
      const { copy, after } = statements(unique, idBlock(await this.deps.ids.take(), unique.length));
      accepted = await copyInOneRoundTrip(this.deps.pool, [locks], copy.statement, copy.data, after);
    } else {
      accepted = await copyTransaction(this.deps.pool, async (tx, connection) => {
        const claim = await this.deps.events.in(tx).claimKeysReservingIds([...seen], unique.length - seen.size);
        const fresh = unique.filter((e) => !e.idempotencyKey || claim.claimed.has(`${scope}:${e.idempotencyKey}`));
        if (fresh.length === 0) return 0;
        const { copy, after } = statements(fresh, claim.ids);
        return copyAndCommit(connection, copy.statement, copy.data, after);
      }, locks);
    }
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

/**
 * The distinct hours the rows fall in (each as its start): every period of every type holds whole
 * hours, so they stand for the rows in the period and day computations, once each, where a batch
 * of 500 events sent without occurredAt had all 500 dates parsed four times over.
 */
function instantsOf(events: readonly AnalyticsEventInput[], now: Date): Date[] {
  const hours = new Set<number>();
  for (const e of events) hours.add(Math.floor((e.occurredAt ? e.occurredAt.getTime() : now.getTime()) / HOUR_MS));
  return [...hours].map((h) => new Date(h * HOUR_MS));
}

/** Every period (of every type) that the instants (instantsOf) fall in, once each. */
function periodsOf(instants: readonly Date[]): Array<{ type: PeriodType; start: Date }> {
  const keys = new Set<string>();
  for (const at of instants) {
    for (const type of PERIOD_TYPES) keys.add(`${type}|${periodStartOf(type, at).getTime()}`);
  }
  return [...keys].sort().map((k) => {
    const [type, t] = k.split('|') as [PeriodType, string];
    return { type, start: new Date(Number(t)) };
  });
}

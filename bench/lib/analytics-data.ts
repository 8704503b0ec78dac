import { randomUUID } from 'node:crypto';
import { prng } from './seed-data.js';

/** Data of bench:analytics: a deterministic, skewed event stream over a time window, as COPY text rows. */

/** Nearest-rank percentile (ms, 0.01 precision). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return Number(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!.toFixed(2));
}

export const EVENT_COLUMNS = [
  'occurred_at', 'event_type', 'user_id', 'session_id', 'visitor_id', 'asset_id', 'project_id', 'license_id', 'brand_id', 'creator_id',
  'props', 'revenue_cents', 'engagement_time', 'user_agent', 'ip',
] as const;

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
];
// Event mix: views dominate; conversions are rare (cumulative weights).
const TYPES: Array<[string, number]> = [
  ['asset_viewed', 0.6], ['asset_downloaded', 0.7], ['license_clicked', 0.78], ['license_created', 0.8],
  ['post_viewed', 0.88], ['project_viewed', 0.95], ['share_clicked', 1],
];

export interface Catalog {
  readonly assets: string[];
  readonly projects: string[];
  readonly licenses: string[];
  readonly brands: string[];
  readonly creators: string[];
  readonly users: string[];
}

export function makeCatalog(scale: number): Catalog {
  const n = (base: number) => Math.max(10, Math.round(base * scale));
  const ids = (count: number) => Array.from({ length: count }, () => randomUUID());
  return { assets: ids(n(20_000)), projects: ids(n(2_000)), licenses: ids(n(5_000)), brands: ids(n(200)), creators: ids(n(1_000)), users: ids(n(50_000)) };
}

/** One generated event as the JSON an ingestion client would send (no occurredAt: now). */
export interface ClientEvent {
  eventType: string;
  assetId?: string;
  projectId?: string;
  licenseId?: string;
  brandId?: string;
  creatorId?: string;
  sessionId?: string;
  props?: Record<string, number>;
}

/** A skewed event: popular assets (cubic), each asset with a fixed creator and, for 30 %, a brand. */
export function makeEvent(random: () => number, catalog: Catalog, sessions: number): ClientEvent {
  const r = random();
  const eventType = TYPES.find(([, w]) => r < w)![0];
  const a = Math.floor(random() ** 3 * catalog.assets.length);
  const e: ClientEvent = { eventType };
  if (eventType !== 'post_viewed' && random() < 0.95) {
    e.assetId = catalog.assets[a];
    e.creatorId = catalog.creators[a % catalog.creators.length];
    if (a % 10 < 3) e.brandId = catalog.brands[a % catalog.brands.length];
    if (random() < 0.5) e.projectId = catalog.projects[a % catalog.projects.length];
  }
  if (eventType.startsWith('license_')) e.licenseId = catalog.licenses[a % catalog.licenses.length];
  if (random() < 0.8) e.sessionId = `s${Math.floor(random() * sessions)}`;
  if (eventType === 'license_created') e.props = { revenueCents: 500 + Math.floor(random() * 49_500) };
  else if (eventType.endsWith('_viewed')) e.props = { engagementTime: Math.floor(random() * 300) };
  return e;
}

/**
 * `count` events in [from, from + spanMs), in time order with jitter (as they arrive in
 * production), as COPY text rows of EVENT_COLUMNS. Sessionless events belong to a user.
 */
export function* eventRows(seed: number, count: number, from: Date, spanMs: number, catalog: Catalog): Generator<string> {
  const random = prng(seed);
  const sessions = catalog.users.length * 8;
  const nil = '\\N';
  for (let i = 0; i < count; i++) {
    const at = new Date(from.getTime() + Math.min(spanMs - 1, Math.max(0, ((i + random()) / count) * spanMs)));
    const e = makeEvent(random, catalog, sessions);
    const user = e.sessionId ? null : catalog.users[Math.floor(random() * catalog.users.length)]!;
    const visitor = e.sessionId ? `s:${e.sessionId}` : `u:${user}`;
    yield [
      at.toISOString(), e.eventType, user ?? nil, e.sessionId ?? nil, visitor, e.assetId ?? nil, e.projectId ?? nil, e.licenseId ?? nil,
      e.brandId ?? nil, e.creatorId ?? nil, e.props ? JSON.stringify(e.props) : nil, String(e.props?.revenueCents ?? 0),
      String(e.props?.engagementTime ?? 0), UAS[i % UAS.length], `198.51.100.${i % 250}`,
    ].join('\t');
  }
}

export function clientEvents(seed: number, count: number, catalog: Catalog): ClientEvent[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => makeEvent(random, catalog, catalog.users.length * 8));
}

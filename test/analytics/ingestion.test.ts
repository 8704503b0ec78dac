import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoIp } from '../../src/analytics/enrichment.js';
import { createApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { StartupError } from '../../src/platform/resources.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { buildCountryMmdb } from '../helpers/mmdb.js';
import { outboxDrained } from '../helpers/wait.js';

const KEY = 'analytics-key-for-tests-0123456789';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const dir = mkdtempSync(path.join(tmpdir(), 'herald-geoip-'));
const geoDb = path.join(dir, 'country.mmdb');
writeFileSync(geoDb, buildCountryMmdb({ '203.0.113.0/24': 'NZ', '198.51.100.0/24': 'DE' }));

let t: TestApp;
let viewer: Session;
/** A trusted sender (any type, revenue, attribution as sent), where a test is about storage rather than authority (see powers.test.ts). */
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ ANALYTICS_KEY: KEY, GEOIP_DB: geoDb, TRUST_PROXY: 'true' });
  [viewer, admin] = await Promise.all([t.user('VIEWER'), t.admin()]);
});
afterAll(async () => {
  await t.close();
});

const db = () => t.app.database.db;
const post = (events: unknown[], opts: { as?: Session | string; headers?: Record<string, string> } = {}) =>
  t.call('POST', '/api/analytics/events', { as: opts.as ?? viewer, body: { events }, headers: opts.headers });
const count = async (where: Record<string, string> = {}) => {
  let q = db().selectFrom('analytics_events').select((eb) => eb.fn.countAll<number>().as('n'));
  for (const [k, v] of Object.entries(where)) q = q.where(k as 'event_type', '=', v);
  return Number((await q.executeTakeFirstOrThrow()).n);
};
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('POST /api/analytics/events', () => {
  it('stores the batch in PostgreSQL before answering 202, with the producer, visitor and client', async () => {
    const asset = randomUUID();
    const res = await post([
      { eventType: 'asset_viewed', assetId: asset, sessionId: 'sess-1', props: { engagementTime: 12 } },
      { eventType: 'license_created', assetId: asset, occurredAt: ago(3_600_000), props: { revenueCents: 4999 } },
    ], { as: admin, headers: { 'user-agent': IPHONE, 'x-forwarded-for': '203.0.113.7' } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true, data: { accepted: 2, duplicates: 0 } });
    const rows = await db().selectFrom('analytics_events').selectAll().where('asset_id', '=', asset).orderBy('occurred_at').execute();
    expect(rows.map((r) => [r.event_type, r.user_id, r.visitor_id, r.revenue_cents, r.engagement_time, r.user_agent, r.ip])).toEqual([
      ['license_created', admin.user.id, `u:${admin.user.id}`, 4999, 0, IPHONE, '203.0.113.7'],
      ['asset_viewed', admin.user.id, 's:sess-1', 0, 12, IPHONE, '203.0.113.7'],
    ]);
    // occurredAt defaults to the time of receipt.
    expect(Math.abs(rows[1]!.occurred_at.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('keeps unknown event types (they count as "other")', async () => {
    expect((await post([{ eventType: 'share_clicked' }])).status).toBe(202);
    expect(await count({ event_type: 'share_clicked' })).toBe(1);
  });

  it('rejects a malformed event with its index and field, and stores nothing of the request', async () => {
    const before = await count();
    const res = await post([
      { eventType: 'asset_viewed', assetId: randomUUID() },
      { eventType: 'asset_viewed', assetId: 'not-a-uuid' },
      { eventType: 'asset_viewed', occurredAt: ago(91 * 86_400_000) },
      { eventType: 'asset_viewed', occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() },
      { eventType: 'license_created', props: { revenueCents: 12.5 } },
      { eventType: 'asset_viewed', color: 'blue' },
      { eventType: '' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid request body');
    const paths = res.body.details.map((d: { path: unknown[] }) => d.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['events.1.assetId', 'events.2.occurredAt', 'events.3.occurredAt', 'events.4.props.revenueCents', 'events.5.color', 'events.6.eventType']));
    expect(paths.some((p: string) => p.startsWith('events.0'))).toBe(false);
    expect(await count()).toBe(before);
  });

  it('answers 413 to more than 500 events and takes exactly 500', async () => {
    const before = await count();
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ eventType: 'post_viewed', sessionId: `s-${i}` }));
    const res = await post(many(501));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ success: false, error: 'Too many events: at most 500 per request' });
    expect(await count()).toBe(before);
    expect((await post(many(500))).body.data.accepted).toBe(500);
    expect((await post([])).status).toBe(400);
  });

  it('ignores duplicates by idempotencyKey: in a request, across requests, whatever occurredAt says', async () => {
    const key = `k-${randomUUID()}`;
    const first = await post([
      { eventType: 'asset_viewed', idempotencyKey: key, occurredAt: ago(60_000) },
      { eventType: 'asset_viewed', idempotencyKey: key, occurredAt: ago(120_000) },
    ]);
    expect(first.body.data).toEqual({ accepted: 1, duplicates: 1 });
    const again = await post([{ eventType: 'asset_viewed', idempotencyKey: key, occurredAt: ago(40 * 86_400_000) }]);
    expect(again.status).toBe(202);
    expect(again.body.data).toEqual({ accepted: 0, duplicates: 1 });
    const stored = await db().selectFrom('analytics_events').select('occurred_at').where('idempotency_key', '=', key).execute();
    expect(stored).toHaveLength(1);
  });

  it('stores one event when the same key races in concurrent requests', async () => {
    const key = `race-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 6 }, () => post([{ eventType: 'asset_viewed', idempotencyKey: key }])));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(202));
    expect(results.reduce((n, r) => n + r.body.data.accepted, 0)).toBe(1);
    expect(await count({ idempotency_key: key })).toBe(1);
  });

  it('scopes keys by producer: another user\'s key does not suppress mine', async () => {
    const other = await t.user('CREATOR');
    const key = `shared-${randomUUID()}`;
    expect((await post([{ eventType: 'asset_viewed', idempotencyKey: key }])).body.data.accepted).toBe(1);
    expect((await post([{ eventType: 'asset_viewed', idempotencyKey: key }], { as: other })).body.data.accepted).toBe(1);
  });
});

describe('who may send events', () => {
  it('takes a server-side producer\'s ANALYTICS_KEY, without a user', async () => {
    const session = `srv-${randomUUID()}`;
    const res = await t.call('POST', '/api/analytics/events', { body: { events: [{ eventType: 'license_created', sessionId: session }] }, headers: { 'x-analytics-key': KEY } });
    expect(res.status).toBe(202);
    const row = await db().selectFrom('analytics_events').select(['user_id', 'visitor_id']).where('session_id', '=', session).executeTakeFirstOrThrow();
    expect(row).toEqual({ user_id: null, visitor_id: `s:${session}` });
  });

  it('refuses anonymous callers, wrong keys and cross-site cookie posts', async () => {
    const body = { events: [{ eventType: 'asset_viewed' }] };
    expect((await t.call('POST', '/api/analytics/events', { body })).status).toBe(401);
    expect((await t.call('POST', '/api/analytics/events', { body, headers: { 'x-analytics-key': 'wrong-key-wrong-key-wrong' } })).status).toBe(401);
    const cookie = await t.call('POST', '/api/analytics/events', { body, headers: { cookie: `herald_session=${viewer.token}`, origin: 'https://evil.example' } });
    expect(cookie.status).toBe(403);
    const sameSite = await t.call('POST', '/api/analytics/events', { body, headers: { cookie: `herald_session=${viewer.token}` } });
    expect(sameSite.status).toBe(202);
    expect(sameSite.headers.get('x-ratelimit-limit')).toBe('600');
  });
});

describe('enrichment (analytics-enrichment)', () => {
  it('adds device type, browser, OS and (with GEOIP_DB) country, in the background', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await post([{ eventType: 'asset_viewed', assetId: a }, { eventType: 'asset_downloaded', assetId: a }], { as: admin, headers: { 'user-agent': IPHONE, 'x-forwarded-for': '198.51.100.20' } });
    await post([{ eventType: 'asset_viewed', assetId: b }], { as: admin, headers: { 'user-agent': CHROME, 'x-forwarded-for': '192.0.2.1' } });
    expect(await outboxDrained(t.app)).toBe(true);
    const rows = await db().selectFrom('analytics_events').select(['asset_id', 'device_type', 'browser', 'os', 'country', 'enriched_at'])
      .where('asset_id', 'in', [a, b]).orderBy('asset_id').execute();
    const of = (id: string) => rows.filter((r) => r.asset_id === id).map(({ asset_id: _a, enriched_at, ...rest }) => ({ ...rest, enriched: enriched_at !== null }));
    expect(of(a)).toEqual(Array(2).fill({ device_type: 'mobile', browser: 'Mobile Safari', os: 'iOS', country: 'DE', enriched: true }));
    // Not in the database: the country stays empty.
    expect(of(b)).toEqual([{ device_type: 'desktop', browser: 'Chrome', os: 'Windows', country: null, enriched: true }]);
  });

  it('leaves the country empty without GEOIP_DB, and a re-run changes nothing', async () => {
    expect(GeoIp.none().country('203.0.113.7')).toBeNull();
    const geo = await GeoIp.open(geoDb);
    expect(geo.country('203.0.113.7')).toBe('NZ');
    expect(geo.country('2001:db8::1')).toBeNull();
    const last = await db().selectFrom('analytics_events').select(['id', 'occurred_at']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const again = await t.app.services.analytics.ingest.enrich({ fromId: '1', toId: String(last.id), from: ago(200 * 86_400_000), to: new Date(Date.now() + 86_400_000).toISOString() });
    expect(again).toEqual({ enriched: 0 });
  });

  it('stops start-up with one clear line when GEOIP_DB is missing or not a MaxMind database', async () => {
    expect(() => loadConfig({ GEOIP_DB: path.join(dir, 'missing.mmdb') })).toThrow(ConfigError);
    expect(() => loadConfig({ GEOIP_DB: path.join(dir, 'missing.mmdb') })).toThrow(/^Invalid configuration: GEOIP_DB file not found$/);
    const junk = path.join(dir, 'junk.mmdb');
    writeFileSync(junk, 'not a database');
    const started = createApp(loadConfig({ GEOIP_DB: junk, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' }));
    await expect(started).rejects.toThrow(StartupError);
    await expect(started).rejects.toThrow(/^Invalid configuration: GEOIP_DB .*junk\.mmdb is not a readable MaxMind database/);
  });
});

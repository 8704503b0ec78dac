import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestionApp } from '../analytics/helpers.js';

/**
 * Review of issue 21 (46592f3: COPY rows encoded straight from the validated events, ids reserved
 * with the key claims): bodies a hostile or careless client sends to POST /api/analytics/events
 * get the contract's 4xx, never a 500, and store nothing; the ones that are valid store exactly
 * what was sent.
 */
const app = ingestionApp();
const { db } = app;

async function raw(body: string | Buffer | undefined, headers: Record<string, string>) {
  const res = await fetch(`${app.t.url}/api/analytics/events`, { method: 'POST', headers: { authorization: `Bearer ${app.admin.token}`, ...headers }, body });
  return { status: res.status, body: await res.text() };
}
const json = { 'content-type': 'application/json' };

describe('hostile ingestion bodies', () => {
  it('answers 4xx, never 500, to bodies that are not an events list', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const cases: Array<[string | Buffer | undefined, Record<string, string>]> = [
      [undefined, json],
      ['', json],
      ['null', json],
      ['{"events":null}', json],
      ['{"events":[]}', json],
      ['{"events":{}}', json],
      ['{"events":"x"}', json],
      [`{"events":[{"eventType":"a","props":${deep}}]}`, json],
      [`{"events":[{"eventType":"a","props":{"revenueCents":1e400}}]}`, json],
      [`{"events":[{"eventType":"a","props":{"revenueCents":-0}}], "events":[{"eventType":"b\\u0000"}]}`, json],
      ['{"events":[{"eventType":"a","__proto__":{"assetId":"x"}}]}', json],
      ['{"events":[{"eventType":"a","constructor":{"prototype":{"x":1}}}]}', json],
      ['{"__proto__":{"events":[{"eventType":"a"}]}}', json],
      ['{"events":[{"eventType":"a\\tb"}]}', json],
      ['{"events":[{"eventType":"a","assetId":"ÀAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"}]}', json],
      ['{"events":[{"eventType":"a"}]}', { 'content-type': 'text/plain' }],
      ['{"events":[{"eventType":"a"}]}', { 'content-type': 'application/x-www-form-urlencoded' }],
      [gzipSync('{"events":[{"eventType":"a"}]}'), { ...json, 'content-encoding': 'gzip' }],
      ['{"events":[{"eventType":"a"', json],
    ];
    for (const [body, headers] of cases) {
      const res = await raw(body, headers);
      expect(res.status >= 400 && res.status < 500, `${String(body).slice(0, 80)} ${JSON.stringify(headers)} → ${res.status} ${res.body.slice(0, 200)}`).toBe(true);
    }
  });

  it('takes a charset parameter, and stores props and keys holding COPY\'s and JSON\'s special characters as sent', async () => {
    const asset = randomUUID();
    const props = { '\\.': 'a\tb\nc\\', constructor: 'x', big: 0, deep: [[[[{ s: '\r\n\\N' }]]]] };
    const key = `\\N\t${asset}`;
    // A number past 2^53, as a client's JSON may hold it.
    const body = JSON.stringify({ events: [{ eventType: 'asset_viewed', assetId: asset.toUpperCase(), sessionId: '\\N', idempotencyKey: key, props }] }).replace('"big":0', '"big":12345678901234567890');
    const res = await raw(body, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status, res.body).toBe(202);
    const rows = await db().selectFrom('analytics_events').select(['session_id', 'visitor_id', 'idempotency_key', 'props', 'asset_id']).where('asset_id', '=', asset).execute();
    expect(rows).toEqual([{ session_id: '\\N', visitor_id: 's:\\N', idempotency_key: key, props: (JSON.parse(body) as { events: Array<{ props: unknown }> }).events[0]!.props, asset_id: asset }]);
  });
});

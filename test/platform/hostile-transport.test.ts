import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Hostile clients below the JSON layer: slow senders, oversized and injected headers, random header
 * values on every route, and path traversal against every route that serves files.
 */
let t: TestApp;
let creator: Session;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off', REQUEST_TIMEOUT_MS: '1000' }, { roles: ['api'] });
  creator = await t.user('CREATOR');
}, 60_000);
afterAll(() => t.close());

/** Writes raw bytes (then stalls, keeping the socket open) and resolves with everything the server sent back before closing. */
function raw(bytes: string, waitMs = 10_000): Promise<{ text: string; closedAfterMs: number }> {
  const { port } = new URL(t.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let text = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`server kept a stalled socket open for ${waitMs} ms; got ${JSON.stringify(text)}`)); }, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve({ text, closedAfterMs: Date.now() - started }); });
  });
}

const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown;

describe('slow and malformed clients', () => {
  it('answers a client that stops sending its body with 408 and the contract body, and frees the socket', async () => {
    const res = await raw(`POST /api/creators HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${creator.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"stage`);
    expect(res.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(res.text)).toEqual({ success: false, error: 'Request timeout' });
    expect(res.closedAfterMs).toBeLessThan(5_000);
    expect((await t.call('GET', '/api/creators', { as: creator })).status).toBe(200);
  });

  it('answers a slowloris that never finishes its headers with 408', async () => {
    const res = await raw('GET /api/notifications HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    expect(res.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(res.text)).toEqual({ success: false, error: 'Request timeout' });
  });

  it('answers oversized headers with 431 and bytes that are not HTTP with 400, both with the contract body', async () => {
    const big = await raw(`GET /api/notifications HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(big.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(big.text)).toEqual({ success: false, error: 'Request headers too large' });
    const junk = await raw('\u0000\u0001 garbage /// HTTP/9\r\n\r\n');
    expect(junk.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(junk.text)).toEqual({ success: false, error: 'Bad request' });
  });

  it('does not reflect an injected request id or header into the response', async () => {
    const res = await raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\n Set-Cookie: pwned=1\r\nConnection: close\r\n\r\n`);
    expect(res.text).not.toMatch(/pwned/);
    const id = await t.call('GET', '/api/notifications', { as: creator, headers: { 'x-request-id': "'; DROP TABLE users; --" } });
    expect(id.headers.get('x-request-id') ?? '').not.toContain('DROP');
  });
});

const HEADER_VALUES = ["' OR 1=1 --", 'Bearer ', 'Bearer x.y.z', 'Basic YWRtaW46YWRtaW4=', 'bytes=0-', 'bytes=-1', 'bytes=99999999999-1',
  'bytes=0-1,2-3,4-5', '*/*', 'text/html', 'application/json; charset=utf-32', 'multipart/form-data; boundary=', 'herald_session=../../x',
  '"etag"', 'W/"x"', 'null', '0', '-1', 'x'.repeat(4000), '../../etc/passwd', 'http://evil.test', '%00', 'Ã¤ caf\u00e9'];
const HEADERS = ['authorization', 'cookie', 'content-type', 'accept', 'range', 'if-none-match', 'if-modified-since', 'origin', 'referer',
  'x-forwarded-for', 'x-forwarded-host', 'last-event-id', 'accept-language', 'x-metrics-token'];

describe('random header values on every route', () => {
  it('never answers 5xx, and JSON errors carry the contract body', async () => {
    const routes = t.app.routes.filter((r) => r.method !== 'HEAD' && r.url !== '/api/notifications/stream' && r.url !== '/api/auth/logout');
    // Header values fetch can send: printable, no CR/LF (those are tested on the raw socket above).
    const value = fc.oneof(fc.constantFrom(...HEADER_VALUES), fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')));
    const failures: string[] = [];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), fc.dictionary(fc.constantFrom(...HEADERS), value, { maxKeys: 4 }), fc.boolean(),
      async (route, headers, signedIn) => {
        const path = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
        const res = await t.call(route.method, path, { as: signedIn ? creator : undefined, headers, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        const type = res.headers.get('content-type') ?? '';
        if (res.status >= 500) failures.push(`${route.method} ${path} ${JSON.stringify(headers).slice(0, 200)} → ${res.status}`);
        else if (res.status >= 400 && type.includes('json') && (res.body?.success !== false || typeof res.body?.error !== 'string')) {
          failures.push(`${route.method} ${path} → ${res.status} without the error body`);
        }
      }), { numRuns: Number(process.env.FUZZ_RUNS ?? 1_500) / 3, seed: Number(process.env.FUZZ_SEED ?? 20261129) });
    expect(failures.slice(0, 20)).toEqual([]);
  }, 180_000);
});

describe('path traversal', () => {
  const TRAVERSALS = ['..%2F..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fpackage.json', '..%5C..%5Cpackage.json', '....%2F%2F....%2F%2Fetc%2Fpasswd',
    '%252e%252e%252fetc%252fpasswd', '..%c0%af..%c0%afetc%c0%afpasswd', '%2Fetc%2Fpasswd', '.env', '%2e%2e%2f', '..%00'];

  it('serves nothing outside its own files from any route that serves files', async () => {
    const fileRoutes = t.app.routes.filter((r) => r.method === 'GET' && /:(file|id)/.test(r.url) && /file|thumbnail|preview|docs|admin|inbox/.test(r.url));
    expect(fileRoutes.map((r) => r.url)).toEqual(expect.arrayContaining(['/api/assets/:id/file', '/api/assets/:id/thumbnail', '/api/assets/:id/preview', '/admin/:file', '/inbox/:file', '/api/docs/:file']));
    for (const route of fileRoutes) {
      for (const hostile of TRAVERSALS) {
        const path = route.url.replace(/:[A-Za-z]+/g, hostile);
        const res = await t.call('GET', path, { as: creator });
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        expect(res.status, path).toBeGreaterThanOrEqual(400);
        expect(res.status, path).toBeLessThan(500);
        expect(text, path).not.toMatch(/root:x:0:0|"name": ?"herald"|DATABASE_URL/);
      }
    }
  });
});

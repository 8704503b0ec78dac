import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { classifyAddress, hostOf } from './webhooks.rules.js';

/** Resolves a host name to its addresses (injectable: tests make a name resolve to 10.x). */
export type Resolver = (host: string) => Promise<readonly { address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export class RefusedTargetError extends Error {
  override readonly name = 'RefusedTargetError';
}

/**
 * The SSRF guard: the address a request to `url` would reach, checked. Every address the name
 * resolves to must be public (one private answer among public ones could be picked by the
 * connection), unless private targets are allowed. Returns the address to connect to, so the
 * request pins it (no second resolution between the check and the connection).
 */
export async function checkedAddress(url: URL, opts: { resolver: Resolver; allowPrivate: boolean; lookupTimeoutMs?: number }): Promise<{ address: string; family: number }> {
  const host = hostOf(url);
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await resolveWithin(host, opts.resolver, opts.lookupTimeoutMs);
  if (addresses.length === 0) throw new RefusedTargetError(`${host} resolves to no address`);
  if (!opts.allowPrivate) {
    for (const a of addresses) {
      const refusal = classifyAddress(a.address);
      if (refusal) throw new RefusedTargetError(`${host} resolves to ${a.address} (${refusal}); private targets need WEBHOOK_ALLOW_PRIVATE=true`);
    }
  }
  return addresses[0]!;
}

/**
 * The name's addresses, or a RefusedTargetError when the lookup fails or outlasts `timeoutMs`. The
 * timer exists only while a lookup runs and is always cleared: a literal address makes none (a
 * timer made for it once fired later as an unhandled rejection).
 */
async function resolveWithin(host: string, resolver: Resolver, timeoutMs: number | undefined) {
  const resolving = resolver(host);
  resolving.catch(() => undefined); // may settle after the timeout: nobody waits for it then
  let timer: NodeJS.Timeout | undefined;
  const timeout = timeoutMs === undefined ? null : new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await (timeout ? Promise.race([resolving, timeout]) : resolving);
  } catch (err) {
    throw new RefusedTargetError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface PostResult {
  readonly status: number | null;
  readonly snippet: string | null;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface PostOptions {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly resolver: Resolver;
  readonly allowPrivate: boolean;
  readonly agents?: { http: http.Agent; https: https.Agent };
}

/**
 * One POST to a webhook URL: connects to the checked address only (a lookup that answers it),
 * follows no redirect (a 3xx is the answer), gives up after timeoutMs for the whole exchange, and
 * keeps at most maxResponseBytes of the answer (the connection is cut beyond it). Never throws:
 * a refusal, a timeout or a refused connection is a result with `error`.
 */
export async function postWebhook(rawUrl: string, opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Omit<PostResult, 'durationMs'>): PostResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  const url = new URL(rawUrl);
  const timedOut = `timed out after ${opts.timeoutMs} ms`;
  let target: { address: string; family: number };
  try {
    // The lookup is part of the exchange's timeoutMs: a name whose DNS never answers does not hold
    // the job (and its worker slot) for as long as getaddrinfo keeps trying.
    target = await checkedAddress(url, { ...opts, lookupTimeoutMs: opts.timeoutMs });
  } catch (err) {
    return done({ status: null, snippet: null, error: (err as Error).message });
  }
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const isHttps = url.protocol === 'https:';
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    // The answer's status once its head arrived: a 2xx whose body then stalls is still a delivery
    // (the receiver took the event; sending it again would be a duplicate).
    let answered: { status: number; text: () => string } | null = null;
    const finish = (r: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = (isHttps ? https : http).request(url, {
      method: 'POST', headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) }, lookup,
      agent: opts.agents ? (isHttps ? opts.agents.https : opts.agents.http) : undefined,
    }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const status = res.statusCode ?? 0;
      // PostgreSQL text holds no NUL: one in the answer (a binary body) would fail the statement
      // recording the attempt, and an accepted delivery would be sent again on every retry.
      const text = () => Buffer.concat(chunks).toString('utf8').replaceAll('\0', '\uFFFD');
      answered = { status, text };
      if (opts.maxResponseBytes === 0) {
        // Nothing of the body is kept: the answer is its head, the body is not read at all.
        finish({ status, snippet: '', error: null });
        res.destroy();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        if (kept >= opts.maxResponseBytes) return;
        chunks.push(chunk.subarray(0, opts.maxResponseBytes - kept));
        kept += Math.min(chunk.length, opts.maxResponseBytes - kept);
        // Enough kept: the rest is not read (a receiver answering gigabytes costs nothing).
        if (kept >= opts.maxResponseBytes) {
          finish({ status, snippet: text(), error: null });
          res.destroy();
        }
      });
      res.on('end', () => finish({ status, snippet: text(), error: null }));
      res.on('error', (err) => finish({ status, snippet: text(), error: err.message }));
    });
    const timer = setTimeout(() => {
      finish(answered ? { status: answered.status, snippet: answered.text(), error: `${timedOut} reading the answer` } : { status: null, snippet: null, error: timedOut });
      req.destroy();
    }, Math.max(0, opts.timeoutMs - (performance.now() - started)));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, snippet: null, error: err.code ? `${err.code}: ${err.message}` : err.message }));
    req.end(opts.body);
  });
}

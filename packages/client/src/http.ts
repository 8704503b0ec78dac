import { ApiError, parseRateLimit, parseRetryAfter, type RateLimitInfo } from './errors.js';
import type { CallInput, OperationKey, OptionalInput, ResponseOf } from './operations.js';

export interface RetryOptions {
  /** Retries of a 429 (the server did nothing: any method is safe to repeat). Default 2. */
  readonly maxRetries?: number;
  /** A 429 asking to wait longer than this is thrown at once instead. Default 10 s. */
  readonly maxRetryAfterSeconds?: number;
}

export interface ClientOptions {
  /** Where the API is: '' (default) for the page's own origin. */
  readonly baseUrl?: string;
  /** Bearer token (from login) or a function returning the current one; without it the session cookie is used. */
  readonly token?: string | null | (() => string | null | undefined);
  /** Cookie mode; default 'include' so cookie sessions work across origins too. */
  readonly credentials?: RequestInit['credentials'];
  /** Rate-limited calls wait for Retry-After and repeat; `false` throws every 429 at once. */
  readonly retry?: RetryOptions | false;
  /** Told of every 429 (before a retry, or before the error is thrown). */
  readonly onRateLimited?: (info: { retryAfter: number; rateLimit: RateLimitInfo | null; operation: string; willRetry: boolean }) => void;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
  /** How to wait (tests may skip time); default setTimeout, cancelled by the call's signal. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface CallResult<T> {
  readonly body: T;
  readonly status: number;
  readonly headers: Headers;
  readonly rateLimit: RateLimitInfo | null;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new TypeError(`missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The transport: auth, JSON, error mapping, rate-limit headers and 429 retries for every operation. */
export class HttpClient {
  /** The last `X-RateLimit-*` seen per operation (`"GET /api/notifications"`). */
  readonly rateLimits = new Map<string, RateLimitInfo>();
  private readonly fetchImpl: typeof fetch;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(readonly options: ClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.wait = options.sleep ?? sleep;
  }

  /** The configured fetch (the stream uses it too). */
  fetch(input: string, init?: RequestInit): Promise<Response> {
    return this.fetchImpl(input, init);
  }

  /** The full URL of a path on the API. */
  url(path: string): string {
    return `${(this.options.baseUrl ?? '').replace(/\/$/, '')}${path}`;
  }

  /** Headers every request carries: the bearer token, if any, and the configured extras. */
  authHeaders(): Record<string, string> {
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    return { ...this.options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  get credentials(): RequestInit['credentials'] {
    return this.options.credentials ?? 'include';
  }

  /** Calls one operation by its `"METHOD /path"` key, typed from the OpenAPI document. */
  async call<K extends OperationKey>(operation: K, ...[input]: OptionalInput<K>): Promise<ResponseOf<K>> {
    return (await this.callWithMeta(operation, ...([input] as OptionalInput<K>))).body;
  }

  /** `call`, with the status, headers and rate limit of the answer. */
  async callWithMeta<K extends OperationKey>(operation: K, ...[input]: OptionalInput<K>): Promise<CallResult<ResponseOf<K>>> {
    const [method, template] = operation.split(' ') as [string, string];
    const given = (input ?? {}) as Partial<{ params: Record<string, unknown>; query: Record<string, unknown>; body: unknown; signal: AbortSignal }> & CallInput<K>;
    const url = this.url(fillPath(template, given.params) + queryString(given.query));
    // FormData (uploads) goes as is, with the multipart boundary fetch sets; anything else as JSON.
    const form = typeof FormData !== 'undefined' && given.body instanceof FormData;
    const json = given.body !== undefined && !form;
    const retry = this.options.retry === false ? { maxRetries: 0 } : this.options.retry ?? {};
    const maxRetries = retry.maxRetries ?? 2;
    const maxWait = retry.maxRetryAfterSeconds ?? 10;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers: { accept: 'application/json', ...this.authHeaders(), ...(json ? { 'content-type': 'application/json' } : {}) },
          body: form ? given.body as FormData : json ? JSON.stringify(given.body) : undefined,
          credentials: this.credentials,
          signal: given.signal,
        });
      } catch (cause) {
        // fetch rejects with a TypeError when no answer came; anything else (an abort) is the caller's.
        if (given.signal?.aborted || !(cause instanceof TypeError)) throw cause;
        throw new ApiError({ status: 0, message: 'Network error: the server could not be reached', method, path: template, cause });
      }
      const rateLimit = parseRateLimit(response.headers);
      if (rateLimit) this.rateLimits.set(operation, rateLimit);
      if (response.ok) {
        const type = response.headers.get('content-type') ?? '';
        const body = type.includes('json') ? await response.json() : await response.text();
        return { body: body as ResponseOf<K>, status: response.status, headers: response.headers, rateLimit };
      }
      const error = await this.toError(response, method, template, rateLimit);
      if (response.status === 429) {
        const retryAfter = error.retryAfter ?? 1;
        const willRetry = attempt < maxRetries && retryAfter <= maxWait;
        this.options.onRateLimited?.({ retryAfter, rateLimit, operation, willRetry });
        if (willRetry) {
          await this.wait(retryAfter * 1000, given.signal);
          continue;
        }
      }
      throw error;
    }
  }

  private async toError(response: Response, method: string, path: string, rateLimit: RateLimitInfo | null): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let body: { error?: unknown; details?: unknown } | null = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch { /* not JSON (a proxy's error page) */ }
    const message = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    return new ApiError({
      status: response.status, message, details: body?.details, retryAfter: parseRetryAfter(response.headers.get('retry-after')), rateLimit, method, path,
    });
  }
}

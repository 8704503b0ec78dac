/** Per-endpoint rate limit of the last answer (`X-RateLimit-*` headers). */
export interface RateLimitInfo {
  readonly limit: number;
  readonly remaining: number;
  /** Unix seconds at which the window ends. */
  readonly reset: number;
}

/** What went wrong, for choosing what to show: each maps to one state of a UI. */
export type ApiErrorKind =
  | 'network' | 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'rate-limited' | 'server' | 'unavailable' | 'other';

export interface ApiErrorInit {
  readonly status: number;
  readonly message: string;
  readonly details?: unknown;
  readonly retryAfter?: number | null;
  readonly rateLimit?: RateLimitInfo | null;
  readonly method: string;
  readonly path: string;
  readonly cause?: unknown;
}

/**
 * A failed call: `status` (0 when no answer came: offline, DNS, refused), the contract's `error`
 * string as `message`, and `details` (validation issues on a 400).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly details: unknown;
  /** Seconds to wait before calling again (429, and 503 when the server says). */
  readonly retryAfter: number | null;
  readonly rateLimit: RateLimitInfo | null;
  readonly method: string;
  readonly path: string;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.details = init.details;
    this.retryAfter = init.retryAfter ?? null;
    this.rateLimit = init.rateLimit ?? null;
    this.method = init.method;
    this.path = init.path;
  }

  get kind(): ApiErrorKind {
    const s = this.status;
    if (s === 0) return 'network';
    if (s === 400 || s === 413 || s === 422) return 'invalid';
    const known: Record<number, ApiErrorKind> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 429: 'rate-limited', 503: 'unavailable' };
    return known[s] ?? (s >= 500 ? 'server' : 'other');
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export function parseRateLimit(headers: { get(name: string): string | null }): RateLimitInfo | null {
  const limit = headers.get('x-ratelimit-limit');
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (limit === null || remaining === null || reset === null) return null;
  const info = { limit: Number(limit), remaining: Number(remaining), reset: Number(reset) };
  return Object.values(info).every(Number.isFinite) ? info : null;
}

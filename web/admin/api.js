/* global URLSearchParams */
// The admin API over the session cookie (HttpOnly, so this page never sees the token).

export class ApiError extends Error {
  /** status 0 means the server could not be reached. */
  constructor(status, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'Offline: the server cannot be reached.');
  }
  let json = null;
  try {
    json = await res.json();
  } catch { /* an empty or non-JSON body (a proxy error page) */ }
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    const message = (json && typeof json.error === 'string' && json.error) || res.statusText || 'Request failed';
    throw new ApiError(res.status, message, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return json;
}

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
}

/** What to tell a person about a failed call. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return `Unexpected error: ${err?.message ?? err}`;
  if (err.status === 0) return err.message;
  if (err.status === 429) return `Too many requests (429).${err.retryAfter ? ` Retrying in ${err.retryAfter} s.` : ''}`;
  if (err.status >= 500) return `Server error (${err.status}): ${err.message}`;
  return `${err.message} (${err.status})`;
}

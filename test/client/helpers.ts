import { expect } from 'vitest';
import type { RouteAccess } from '../../src/platform/http/auth.js';
import { createHeraldClient, type ClientOptions, type HeraldClient } from '../../packages/client/src/index.js';
import type { Session, TestApp } from '../helpers/context.js';

/** Routes as URL patterns, to find the documented response schema of an answer. */
function matcher(routes: readonly RouteAccess[]) {
  const compiled = routes.filter((r) => r.openapi).map((r) => ({
    route: r, pattern: new RegExp(`^${r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}$`),
  }));
  // Static segments beat parameters: /api/notifications/read-all before /api/notifications/:id.
  compiled.sort((a, b) => (a.route.url.match(/:/g)?.length ?? 0) - (b.route.url.match(/:/g)?.length ?? 0));
  return (method: string, path: string) => compiled.find((c) => c.route.method === method && c.pattern.test(path))?.route;
}

/**
 * A fetch that checks every JSON success body against the response schema the route documents:
 * a field the document does not have, or one of the wrong type, fails the test that called it.
 */
export function checkedFetch(t: TestApp, checked: string[] = []): typeof fetch {
  const find = matcher(t.app.routes);
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
    const route = find(method, url.pathname);
    expect(route, `${method} ${url.pathname} has no documented route`).toBeDefined();
    const body: unknown = await response.clone().json();
    const parsed = route!.openapi!.response.safeParse(body);
    expect(parsed.success ? [] : parsed.error.issues, `${method} ${route!.url}: answer does not match its documented schema`).toEqual([]);
    expect(parsed.data, `${method} ${route!.url}: answer has fields its documented schema lacks`).toEqual(body);
    checked.push(`${method} ${route!.url}`);
    return response;
  };
}

export function clientFor(t: TestApp, session: Session | string | null, options: ClientOptions = {}): HeraldClient {
  const token = typeof session === 'string' ? session : session?.token ?? null;
  return createHeraldClient({ baseUrl: t.url, token, fetch: checkedFetch(t), ...options });
}

/** The ApiError a promise rejects with. */
export async function failure(promise: Promise<unknown>): Promise<import('../../packages/client/src/index.js').ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as import('../../packages/client/src/index.js').ApiError;
  }
  throw new Error('expected the call to fail');
}

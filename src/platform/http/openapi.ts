import { z } from 'zod';
import { SESSION_COOKIE, type RouteAccess } from './auth.js';
import { errorBody, type RouteDocument } from './route-doc.js';

/**
 * The OpenAPI 3.1 document of the service, built from the route table: each route's
 * `config.openapi` (the zod schemas its handler validates with) and its access rule and rate limit.
 */

type Json = Record<string, unknown>;

const REF = /^#\/\$defs\/(.+)$/;

/** JSON Schemas of zod schemas; schemas with a `.meta({ id })` become shared components. */
class Components {
  readonly schemas: Record<string, Json> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const { $schema: _schema, $defs, ...root } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json & { $defs?: Record<string, Json> };
    // Request and response variants of one named schema differ (defaults, unknown keys): requests get `…Input`.
    const name = (id: string) => (io === 'input' ? `${id}Input` : id);
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (!value || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([key, v]) => {
        const match = key === '$ref' && typeof v === 'string' ? REF.exec(v) : null;
        return [key, match ? `#/components/schemas/${name(match[1]!)}` : rewrite(v)];
      }));
    };
    for (const [id, def] of Object.entries($defs ?? {})) {
      const converted = rewrite(def) as Json;
      const existing = this.schemas[name(id)];
      if (existing && JSON.stringify(existing) !== JSON.stringify(converted)) throw new Error(`OpenAPI: two different schemas are named ${name(id)}`);
      this.schemas[name(id)] = converted;
    }
    return rewrite(root) as Json;
  }
}

const jsonContent = (schema: Json) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: jsonContent({ $ref: '#/components/schemas/ErrorBody' }) });
const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};

const SHARED_RESPONSES = {
  InvalidQuery: errorResponse('Invalid query parameters (`details` lists the issues)'),
  InvalidBody: errorResponse('Invalid request body (`details` lists the issues)'),
  Unauthorized: errorResponse('Unauthorized: no valid session cookie or bearer token'),
  Forbidden: errorResponse('Forbidden: Admin access required'),
  NotFound: errorResponse('Not found (or not the caller\'s)'),
  RateLimited: {
    ...errorResponse('Too many requests. Please try again later.'),
    headers: { 'Retry-After': { description: 'seconds until the window resets', schema: { type: 'integer' } }, ...RATE_LIMIT_HEADERS },
  },
  ServerError: errorResponse('Internal server error'),
  Unavailable: errorResponse('Service unavailable: PostgreSQL or Redis is down'),
};

/** `GET /api/notifications/:id/read` → `getNotificationsIdRead`. */
export function operationIdOf(method: string, url: string): string {
  const words = url.replace(/^\/api\//, '/').split(/[/_.-]+/).filter(Boolean).map((w) => w.replace(/^:/, ''));
  return [method.toLowerCase(), ...words].map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
}

function parametersOf(route: RouteAccess, doc: RouteDocument, components: Components): Json[] {
  const out: Json[] = [];
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = doc.params ? components.convert(doc.params, 'input') as { properties?: Record<string, Json> } : {};
  for (const name of names) out.push({ name, in: 'path', required: true, schema: params.properties?.[name] ?? { type: 'string' } });
  if (doc.query) {
    const query = components.convert(doc.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) });
    }
  }
  return out;
}

function operation(route: RouteAccess, doc: RouteDocument, components: Components): Json {
  const status = doc.status ?? 200;
  const type = doc.contentType ?? 'application/json';
  const responseSchema = type === 'application/json' ? components.convert(doc.response, 'output') : { type: 'string', description: doc.response.description };
  const responses: Json = {
    [status]: { description: doc.response.description ?? 'Success', ...(route.rateLimit ? { headers: RATE_LIMIT_HEADERS } : {}), content: { [type]: { schema: responseSchema } } },
  };
  if (doc.body) responses[400] = ref('InvalidBody');
  else if (doc.query) responses[400] = ref('InvalidQuery');
  if (route.access === 'user' || route.access === 'admin') responses[401] = ref('Unauthorized');
  if (route.access === 'admin') responses[403] = ref('Forbidden');
  if (route.url.includes(':')) responses[404] = ref('NotFound');
  if (route.rateLimit) responses[429] = ref('RateLimited');
  for (const [code, description] of Object.entries(doc.errors ?? {})) responses[code] = errorResponse(description);
  responses[500] = ref('ServerError');
  responses[503] = ref('Unavailable');

  const access = { public: 'No sign-in needed.', user: 'Any signed-in user.', admin: 'ADMIN only.' }[route.access ?? 'public']
    + (route.monitoring ? ' Also `Authorization: Bearer <MONITORING_TOKEN>` (a health check\'s credential, no session).' : '');
  const limit = route.rateLimit ? ` Rate limit \`${route.rateLimit}\` (per user per minute).` : '';
  const parameters = parametersOf(route, doc, components);
  return {
    operationId: operationIdOf(route.method, route.url),
    summary: doc.summary,
    description: [doc.description, `${access}${limit}`].filter(Boolean).join('\n\n'),
    tags: [...doc.tags],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { [doc.bodyContentType ?? 'application/json']: { schema: components.convert(doc.body, 'input') } } } } : {}),
    responses,
    security: route.access === 'public' ? [] : [{ cookieAuth: [] }, { bearerAuth: [] }],
    ...(route.rateLimit ? { 'x-rate-limit': route.rateLimit } : {}),
  };
}

/** `XInput` equal to `X` (enums, schemas without defaults) is just `X`. */
function mergeIdenticalInputs(doc: { paths: Json; schemas: Record<string, Json> }): { paths: Json; schemas: Record<string, Json> } {
  const same = new Set(Object.keys(doc.schemas).filter((name) => {
    const base = doc.schemas[name.replace(/Input$/, '')];
    return name.endsWith('Input') && base && JSON.stringify(base) === JSON.stringify(doc.schemas[name]);
  }));
  if (!same.size) return doc;
  const text = JSON.stringify(doc).replace(/"#\/components\/schemas\/(\w+)Input"/g, (match, base: string) => (same.has(`${base}Input`) ? `"#/components/schemas/${base}"` : match));
  const merged = JSON.parse(text) as typeof doc;
  for (const name of same) delete merged.schemas[name];
  return merged;
}

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** The document of every documented route; routes without `config.openapi` are left out (a test names them). */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: OpenApiInfo;
  readonly servers: ReadonlyArray<{ url: string; description?: string }>;
  readonly paths: Record<string, Record<string, { tags?: string[] } & Json>>;
  readonly components: Json;
}

export function buildOpenApi(routes: readonly RouteAccess[], info: OpenApiInfo): OpenApiDocument {
  const components = new Components();
  components.convert(errorBody, 'output');
  const paths: Record<string, Record<string, Json>> = {};
  const methodOrder = ['get', 'post', 'put', 'patch', 'delete'];
  for (const route of routes) {
    if (!route.openapi) continue;
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const item = (paths[path] ??= {});
    item[route.method.toLowerCase()] = operation(route, route.openapi, components);
  }
  for (const [path, item] of Object.entries(paths)) {
    paths[path] = Object.fromEntries(Object.entries(item).sort(([a], [b]) => methodOrder.indexOf(a) - methodOrder.indexOf(b)));
  }
  const merged = mergeIdenticalInputs({ paths: sortKeys(paths), schemas: sortKeys(components.schemas) });
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/', description: 'this server' }],
    paths: merged.paths as OpenApiDocument['paths'],
    components: {
      schemas: merged.schemas,
      responses: SHARED_RESPONSES,
      headers: {
        'X-RateLimit-Limit': { description: 'requests allowed in the window', schema: { type: 'integer' } },
        'X-RateLimit-Remaining': { description: 'requests left in the window', schema: { type: 'integer' } },
        'X-RateLimit-Reset': { description: 'unix seconds at which the window ends', schema: { type: 'integer' } },
      },
      securitySchemes: {
        cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'set by POST /api/auth/login' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the `token` returned by POST /api/auth/login' },
      },
    },
  };
}

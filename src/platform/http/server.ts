import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyReply, LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { parseQuery } from './query.js';
import type { Config } from '../../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerCors } from './cors.js';
import { INVALID_BODY } from './validation.js';
import { registerZodValidation, type Http, type ZodTypeProvider } from './zod-provider.js';

// ioredis's "max retries" is a command whose connection dropped under it twice (the master died
// mid-command); "All sentinels are unreachable" is Sentinel mode with no sentinel answering.
const DEPENDENCY_DOWN = /driver has already been destroyed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connect_timeout|timeout exceeded when trying to connect|Stream isn't writeable|enableOfflineQueue|Connection is closed|Command timed out|Reached the max retries per request limit|All sentinels are unreachable|the database system is (starting up|shutting down)|terminating connection/i;

/** PostgreSQL or Redis unreachable: a 503, not a 500 (the contract's "a dependency is down"). */
export function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && ['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(e.code)) return true;
  return DEPENDENCY_DOWN.test(e.message ?? '');
}

function fastifyClientError(err: FastifyError): { status: number; error: string; details?: unknown } | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, error: 'Request body too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 400, error: INVALID_BODY, details: [{ code: 'invalid_content_type', path: [], message: 'Content-Type must be application/json' }] };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, error: INVALID_BODY, details: [{ code: 'empty_body', path: [], message: 'Body is empty but Content-Type is application/json' }] };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, error: INVALID_BODY, details: [{ code: 'invalid_json', path: [], message: 'Body is not valid JSON' }] };
    default:
      break;
  }
  if (err instanceof SyntaxError || /__proto__|constructor/.test(err.message) && err.statusCode === 400) {
    return { status: 400, error: INVALID_BODY, details: [{ code: 'invalid_json', path: [], message: err.message }] };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, error: err.statusCode === 404 ? 'Not found' : 'Bad request' };
  }
  // PostgreSQL refuses NUL characters in text and jsonb: whichever input carried one is invalid.
  if ((err as { code?: string }).code === '22021' || (err as { code?: string }).code === '22P05') {
    return { status: 400, error: 'Bad request', details: [{ code: 'invalid_characters', path: [], message: 'Input contains a NUL character' }] };
  }
  return null;
}

const CLIENT_ERRORS: Readonly<Record<string, [number, string, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'Request timeout'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'Request headers too large'],
};

/**
 * Errors Node raises on the socket before there is a request to reply to (a client too slow to send
 * its headers or body, headers too large, bytes that are not HTTP): still the contract's body.
 */
function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, error] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request', 'Bad request'];
  const body = JSON.stringify({ success: false, error });
  this.log.debug({ code: err.code }, 'client error');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * An empty body is no body, whatever its Content-Type says: browsers' fetch wrappers (the
 * platform guide's among them) send `Content-Type: application/json` on every call, bodiless POSTs
 * and DELETEs included. Decided here once, so each route answers as it would without the header
 * (its 404s included); a non-empty body that is not JSON is still the contract's 400.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    return parseJson(request, text, done);
  });
}

/**
 * TRUST_PROXY for Fastify: request.ip is the nearest address not trusted. Fastify 5 ignores a bare
 * hop count (it cannot tell a proxy from a direct client), so hops are a function: the peer and the
 * next `hops - 1` X-Forwarded-For entries from the right are proxies.
 */
export function trustProxyOption(trust: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false || trust === 0) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/** Fastify with the contract's conventions: JSON errors, one error mapping, no internals out. */
export function createHttpServer(config: Config, log: Logger): Http {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Per-request lines only when debugging: at load they would cost more than the request.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestTimeout: config.requestTimeoutMs,
    // Given to Node's server at creation too: Fastify sets requestTimeout only afterwards, and then a
    // client that stalls mid-body is never timed out (found by the slow-client test). Node looks for
    // timed-out requests only every connectionsCheckingInterval (30 s by default).
    http: { requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))) },
    clientErrorHandler,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    // Room for the longest path parameter: an email address (254 characters, more URL-encoded) in
    // DELETE /api/admin/emails/suppressions/:email; at 200 a long address could never be lifted.
    // The query string: Fastify's parser, with `key[]=` lists read as `key=` (query.ts).
    routerOptions: { maxParamLength: 400, querystringParser: parseQuery },
    // Errors raised while routing, before any handler: the contract's bodies too. A path parameter
    // too long to be an id is simply not found; a URL that cannot be decoded is a bad request.
    frameworkErrors: (error, _request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.status(404).send({ success: false, error: 'Not found' });
      return reply.status(400).send({ success: false, error: error.code === 'FST_ERR_BAD_URL' ? 'Invalid request URL' : 'Bad request' });
    },
  });

  void app.register(cookie);
  registerCors(app, config);
  acceptEmptyJsonBodies(app);
  registerZodValidation(app);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      void reply.headers(err.headers);
      return reply.status(err.status).send({ success: false, error: err.message, ...(err.details === undefined ? {} : { details: err.details }) });
    }
    const client = fastifyClientError(err);
    if (client) {
      return reply.status(client.status).send({ success: false, error: client.error, ...(client.details ? { details: client.details } : {}) });
    }
    if (isDependencyDown(err)) {
      request.log.warn({ err: err.message }, 'dependency unavailable');
      return reply.status(503).send({ success: false, error: 'Service unavailable' });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ success: false, error: 'Internal server error' });
  });

  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ success: false, error: 'Not found' }));

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });

  return app.withTypeProvider<ZodTypeProvider>();
}

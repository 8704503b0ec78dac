import { z } from 'zod';

/**
 * What a route declares about itself for the OpenAPI document (`config.openapi`). Its request
 * schemas are not here: a route states them once, in its Fastify `schema`, where they are the
 * validation and the handler's types (platform/http/zod-provider.ts), and the route table adds them
 * to this document (platform/http/auth.ts). The response schema is checked against the service's
 * types where it is declared.
 */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /**
   * Only a body Fastify does not validate: a `multipart/form-data` upload (with `bodyContentType`),
   * and event ingestion, which IngestService validates after its 401 and 413 (in-process producers
   * call it too).
   */
  readonly body?: z.ZodType;
  /** A request body that is not JSON (`multipart/form-data` uploads). */
  readonly bodyContentType?: string;
  /** Body of the success answer (JSON unless `contentType` says otherwise). */
  readonly response: z.ZodType;
  /** Success status; 200 by default. */
  readonly status?: number;
  /** A success body that is not JSON (`text/event-stream`, `text/html`, Prometheus text). */
  readonly contentType?: string;
  /** Errors this route answers besides those its access rule, rate limit and schemas imply. */
  readonly errors?: Readonly<Record<number, string>>;
}

/** A route's document as the route table holds it: with the request schemas of its Fastify `schema`. */
export interface RouteDocument extends RouteDoc {
  /** Path parameters; by default every `:name` of the URL is an opaque string. */
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
}

/** Mutual assignability: `const _check: Same<A, B> = true` stops compiling when A and B part. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const errorBody = z.object({
  success: z.literal(false),
  error: z.string(),
  details: z.unknown().optional().describe('validation issues (array of { code, path, message }) on 400'),
}).meta({ id: 'ErrorBody' });

export const paginationSchema = z.object({
  page: z.number().int(), pageSize: z.number().int(), total: z.number().int(), totalPages: z.number().int(),
}).meta({ id: 'Pagination' });

export const successBody = z.object({ success: z.literal(true) }).meta({ id: 'Success' });

export const okBody = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
export const pageBody = <T extends z.ZodType>(item: T) => z.object({ success: z.literal(true), data: z.array(item), pagination: paginationSchema });

/** `{ jobId }` of an enqueued job (202). */
export const jobAccepted = okBody(z.object({ jobId: z.string() }));

export const isoTimestamp = z.string().describe('ISO 8601, UTC');
/** BullMQ counts by state. */
export const queueCounts = z.object({ waiting: z.number().int(), active: z.number().int(), completed: z.number().int(), failed: z.number().int() }).meta({ id: 'QueueCounts' });

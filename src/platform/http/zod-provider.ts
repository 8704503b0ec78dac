import type { FastifyBaseLogger, FastifyInstance, FastifySchemaCompiler, FastifyTypeProvider, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { z } from 'zod';
import { InvalidError } from '../errors.js';
import { INVALID_BODY, INVALID_QUERY, issueDetails } from './validation.js';

/**
 * Each request schema is stated once, in the route's `schema` (`params`, `querystring`, `body`):
 * Fastify validates with it (the compiler below), the handler's `request.query`/`body`/`params`
 * are its parsed output (this type provider), and the OpenAPI document reads it from the route
 * table (platform/http/auth.ts collects it). fastify-type-provider-zod does the same, but its 400
 * is Fastify's own body; ours is the contract's (`Invalid query parameters` / `Invalid request body`
 * with zod's issues as `details`), so the twenty lines are ours.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** The Fastify instance every `*.routes.ts` registers on. */
export type Http = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

const MESSAGES: Readonly<Record<string, string>> = { querystring: INVALID_QUERY, body: INVALID_BODY, params: 'Invalid path parameters' };

/**
 * Sets the compiler on the server. Fastify hands a validator `null` for a missing body, as it does
 * for a JSON `null`; a route with a body schema gets `{}` for no body first (the empty-body parser in
 * server.ts turned an empty JSON body into none), so a real `null` stays the invalid body it is.
 */
export function registerZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
  });
}

/**
 * Validates with the zod schema and replaces the part with zod's output (defaults, transforms).
 * No body at all reads as {} (an explicit JSON null is a body, and an invalid one); a query string
 * arrives as Fastify parsed it (repeated keys as arrays), for the schema to decide.
 */
const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => (data: unknown) => {
  const result = schema.safeParse(data ?? (httpPart === 'body' ? null : {}));
  if (result.success) return { value: result.data };
  // A domain error: Fastify passes it to the error handler as it is (platform/http/server.ts).
  return { error: new InvalidError(MESSAGES[httpPart ?? ''] ?? INVALID_BODY, issueDetails(result.error.issues)) };
};

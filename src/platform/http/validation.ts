import { z } from 'zod';
import { InvalidError } from '../errors.js';

/**
 * PostgreSQL stores neither a NUL nor half of a UTF-16 surrogate pair (text refuses the one, jsonb
 * both, and UTF-8 has no encoding for the other): such input is refused here with a 400, never
 * carried to the database to fail there.
 */
export const STORABLE_MESSAGE = 'must not hold a NUL character or a lone UTF-16 surrogate';
export const isStorableText = (s: string) => !s.includes('\u0000') && (s as unknown as { isWellFormed(): boolean }).isWellFormed();

export const INVALID_QUERY = 'Invalid query parameters';
export const INVALID_BODY = 'Invalid request body';

/**
 * zod's issues as `details`, except that an unknown key becomes one issue per key whose `path`
 * names it (zod reports them together at the object's own path, where a form cannot place them).
 */
export function issueDetails(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => issue.code !== 'unrecognized_keys' ? [issue]
    : issue.keys.map((key) => ({ ...issue, keys: [key], path: [...issue.path, key], message: `Unrecognized key: "${key}"` }) as z.core.$ZodIssue));
}

/** Parses with zod; a failure is a 400 whose `details` is zod's issue list (see issueDetails). */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, message: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidError(message, issueDetails(result.error.issues));
  return result.data;
}

export const parseQuery = <S extends z.ZodType>(schema: S, value: unknown) => parseWith(schema, value ?? {}, INVALID_QUERY);
// No body at all reads as {}; an explicit JSON null is a body, and an invalid one.
export const parseBody = <S extends z.ZodType>(schema: S, value: unknown) => parseWith(schema, value === undefined ? {} : value, INVALID_BODY);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are opaque to clients; a malformed one is simply an id that matches nothing. */
export const isId = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** `page` ≥ 1 and `pageSize` 1..100 from a query string, as every paginated endpoint takes them. */
export function paginationQuery(defaultPageSize = 20) {
  return {
    page: z.string().regex(/^\d{1,6}$/, 'must be a positive integer').transform(Number).pipe(z.number().int().min(1)).optional().default(1),
    pageSize: z.string().regex(/^\d{1,3}$/, 'must be an integer from 1 to 100').transform(Number).pipe(z.number().int().min(1).max(100)).optional().default(defaultPageSize),
  };
}

/**
 * Comma-separated or repeated query values as one list (`types=asset,creator` or `types=a&types=b`),
 * each value once: a list is a set of filters, and `queue=a,a` read twice made a job search scan
 * queue a twice (its `live.scanned` doubled).
 */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p.length > 0))];
}

/** A list parameter of known values: `a,b` or repeated; an unknown value is a 400 naming it. */
export const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(listParam, z.array(z.enum(values)).min(1).max(values.length).optional());

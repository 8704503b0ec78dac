import { createHash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';

/**
 * A pg pool the search statement runs on as a named prepared statement. With
 * DATABASE_PREPARED_STATEMENTS=false (PgBouncer) the pool's client drops the name
 * (platform/db/client.ts), so the same call then sends it unnamed, planned on each call.
 */
export type NamedStatements = Pick<pg.Pool, 'query'>;

/**
 * The statement under a name derived from its text: one name per shape (stage, exclusion, admin,
 * facetAllTypes), each parsed once per connection; every value is a parameter, so the name never
 * changes with what is searched. pg refuses one name for two texts, which the hash rules out.
 */
export function namedStatement(compiled: CompiledQuery): { name: string; text: string; values: unknown[] } {
  const text = compiled.sql;
  return { name: `herald_search_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text, values: [...compiled.parameters] };
}

import type { InsertType, SelectType, UpdateType } from 'kysely';
import type { DB } from './schema.generated.js';
import type { Database } from './schema.js';

/**
 * The hand-written row types (schema.ts, schema.catalog.ts) checked against the database, column
 * by column, at compile time. schema.generated.ts is kysely-codegen's output for the migrated
 * schema (test/platform/db/generated.test.ts fails when it is stale; `npm run db:types` rewrites
 * it). A hand type may be narrower than the database's (an enum union for a text column, `never`
 * for a column the code must not insert), but it must name the same columns, select nothing the
 * column cannot hold, be nullable exactly when the column is, and insert and update only what the
 * column takes (a column without a default and NOT NULL must not be optional on insert).
 */

/** Tables the code reads without Kysely's types: the migrations' own bookkeeping, and the view and the typo vocabulary search reads with raw SQL. */
type Untyped = 'schema_migrations' | 'search_source' | 'search_vocabulary';


type Fits<A, B> = [A] extends [B] ? true : false;
type Nullable<T> = null extends T ? 'nullable' : 'not null';
/** Kysely lets an insert leave out a column whose insert type takes undefined or null. */
type Omittable<T> = undefined extends T ? true : null extends T ? true : false;

type ColumnDrift<H, G> =
  | (Fits<SelectType<H>, SelectType<G>> extends true ? never : 'select')
  | (Nullable<SelectType<H>> extends Nullable<SelectType<G>> ? never : `${Nullable<SelectType<G>>} in the database`)
  | (Fits<Exclude<InsertType<H>, undefined>, InsertType<G>> extends true ? never : 'insert')
  | (Omittable<InsertType<H>> extends true ? (Omittable<InsertType<G>> extends true ? never : 'required on insert') : never)
  | (Fits<UpdateType<H>, UpdateType<G>> extends true ? never : 'update');

type TableDrift<T extends keyof Database & keyof DB> = {
  [C in keyof Database[T] | keyof DB[T]]: C extends keyof Database[T]
    ? C extends keyof DB[T] ? `${T}.${C & string}: ${ColumnDrift<Database[T][C], DB[T][C]>}` : `${T}.${C & string}: not in the database`
    : `${T}.${C & string}: not in the row type`;
}[keyof Database[T] | keyof DB[T]];

export type SchemaDrift =
  | { [T in keyof Database]: T extends keyof DB ? TableDrift<T> : `${T}: no such table` }[keyof Database]
  | Exclude<keyof DB, keyof Database | Untyped>;

/** Fails to compile while there is drift, naming each column and what differs. */
type None<T extends never> = T;
export type SchemaMatchesDatabase = None<SchemaDrift>;

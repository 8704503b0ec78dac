import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect as KyselyPostgresDialect } from 'kysely';
import { ColumnTypeNode, IdentifierNode, PostgresDialect, generate, type GenerateOptions } from 'kysely-codegen';
import pg from 'pg';

export const GENERATED_DB_TYPES_PATH = fileURLToPath(new URL('../../../src/platform/db/schema.generated.ts', import.meta.url));

/**
 * kysely-codegen's row types of a migrated database, as the app's client reads them: int8 arrives
 * as a number (client.ts sets that type parser; codegen assumes pg's default, a string), and JSON
 * values are `unknown` (the code checks what it reads from a json column, if anything).
 */
export async function generateDbTypes(connectionString: string): Promise<string> {
  const dialect = new PostgresDialect();
  const definitions = dialect.adapter.definitions as Record<string, unknown>;
  const int8 = dialect.adapter.definitions.Int8;
  const [, insert, update] = int8.args;
  definitions.Int8 = new ColumnTypeNode(new IdentifierNode('number'), insert!, update!);
  const db = new Kysely<object>({ dialect: new KyselyPostgresDialect({ pool: new pg.Pool({ connectionString, max: 1 }) }) });
  try {
    // kysely-codegen is CommonJS: its Kysely type is the CJS build's, the same class at runtime.
    return await generate({ db: db as unknown as GenerateOptions['db'], dialect, outFile: null, typeMapping: { json: 'unknown', jsonb: 'unknown' } });
  } finally {
    await db.destroy();
  }
}

import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/context.js';
import { GENERATED_DB_TYPES_PATH, generateDbTypes } from './generate-db-types.js';

/**
 * src/platform/db/schema.generated.ts is kysely-codegen's reading of the migrated schema, and
 * schema.check.ts holds the hand-written row types to it at compile time. A migration that changes
 * a table makes this fail until `npm run db:types` regenerates the file; then the hand types must
 * follow the migration, or the build fails there.
 */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

describe('src/platform/db/schema.generated.ts', () => {
  it('is what kysely-codegen makes of a freshly migrated database', async () => {
    const fresh = await generateDbTypes(database.url);
    if (process.env.UPDATE_DB_TYPES === '1') await writeFile(GENERATED_DB_TYPES_PATH, fresh);
    const committed = await readFile(GENERATED_DB_TYPES_PATH, 'utf8').catch(() => '');
    expect(committed === fresh, 'src/platform/db/schema.generated.ts is stale: run `npm run db:types`').toBe(true);
  });
});

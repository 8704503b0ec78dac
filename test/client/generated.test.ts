import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { GENERATED_PATH, generateTypes } from './generate-types.js';

/**
 * The client's types are generated from the document the current code serves. A contract change
 * (a schema, a route, an enum) makes this fail until `npm run openapi:types` regenerates them,
 * and then the client's own code must still compile against them.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('packages/client/src/generated.ts', () => {
  it('is what openapi-typescript makes of GET /api/openapi.json', async () => {
    const res = await t.call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const fresh = await generateTypes(res.body);
    if (process.env.UPDATE_OPENAPI_TYPES === '1') await writeFile(GENERATED_PATH, fresh);
    const committed = await readFile(GENERATED_PATH, 'utf8').catch(() => '');
    expect(committed === fresh, 'packages/client/src/generated.ts is stale: run `npm run openapi:types`').toBe(true);
  });
});

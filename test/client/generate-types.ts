import openapiTS, { astToString } from 'openapi-typescript';

export const GENERATED_PATH = new URL('../../packages/client/src/generated.ts', import.meta.url);

const HEADER = `/**
 * Types of the herald API, generated from GET /api/openapi.json by \`npm run openapi:types\`
 * (openapi-typescript). Do not edit: test/client/generated.test.ts fails when this file differs
 * from the document the current code serves.
 */
`;

/** TypeScript declarations of an OpenAPI 3.1 document, as committed in packages/client/src/generated.ts. */
export async function generateTypes(document: object): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return HEADER + astToString(ast);
}

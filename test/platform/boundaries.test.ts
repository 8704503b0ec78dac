import { describe, expect, it } from 'vitest';
import { checkBoundaries, importsOf } from '../../scripts/check-boundaries.mjs';

// The dependency rule of docs/ARCHITECTURE.md as `npm run lint` checks it (scripts/check-boundaries.mjs).
const tree = (files: Record<string, string>) => new Map(Object.entries(files));

describe('the boundary check', () => {
  it('passes imports through a capability\'s index.ts, into platform/ and inside a folder', () => {
    expect(checkBoundaries(tree({
      'blog/blog.service.ts': "import { indexInTx } from '../search/index.js';\nimport type { Db } from '../platform/db/client.js';\nimport { x } from './blog.repository.js';",
      'blog/blog.repository.ts': "export const x = 1;",
      'search/index.ts': "export { indexInTx } from './search.enqueue.js';",
      'search/search.enqueue.ts': "import { sql } from 'kysely';\nexport const indexInTx = 1;",
      'platform/db/client.ts': "import type { Config } from '../../config.js';",
      'app.ts': "import { blogModule } from './blog/index.js';",
    }))).toEqual([]);
  });

  it('refuses a deep import across capabilities, type-only and re-exports included', () => {
    expect(checkBoundaries(tree({
      'media/media.service.ts': "import type { OwnedAsset } from '../catalog/assets.repository.js';",
      'cli/seed.ts': "export { hashPassword } from '../auth/password.js';",
      'app.ts': "import { authModule } from './auth/auth.module.js';",
    }))).toEqual([
      'media/media.service.ts imports catalog/assets.repository.ts: a deep import into catalog/ (use catalog/index.ts)',
      'cli/seed.ts imports auth/password.ts: a deep import into auth/ (use auth/index.ts)',
      'app.ts imports auth/auth.module.ts: a deep import into auth/ (use auth/index.ts)',
    ]);
  });

  it('refuses a cycle between capability folders, even through index.ts and type-only imports', () => {
    const problems = checkBoundaries(tree({
      'notifications/notifications.schemas.ts': "import { isValidTimeZone } from '../digests/index.js';",
      'digests/index.ts': "export { isValidTimeZone } from './digest.time.js';",
      'digests/digest.render.ts': "import type { TypeCopy } from '../notifications/index.js';",
      'notifications/index.ts': "export type TypeCopy = string;",
    }));
    expect(problems).toEqual([
      'a cycle between capability folders: digests → notifications (digests/digest.render.ts), notifications → digests (notifications/notifications.schemas.ts)',
    ]);
  });

  it('finds a cycle of three folders and names each step', () => {
    const problems = checkBoundaries(tree({
      'a/x.ts': "import { b } from '../b/index.js';",
      'b/index.ts': "import { c } from '../c/index.js';",
      'c/index.ts': "import { a } from '../a/index.js';",
      'a/index.ts': 'export const a = 1;',
    }));
    expect(problems).toEqual(['a cycle between capability folders: a → b (a/x.ts), b → c (b/index.ts), c → a (c/index.ts)']);
  });

  it('keeps platform/ free of capabilities', () => {
    expect(checkBoundaries(tree({ 'platform/http/server.ts': "import { AuthService } from '../../auth/index.js';" })))
      .toEqual(['platform/http/server.ts imports auth/index.ts: platform/ imports only platform/ and config.ts']);
  });

  it('reads every form of relative import and ignores packages', () => {
    expect(importsOf('media/a.ts', [
      "import a from './b.js';",
      "import type { C } from '../catalog/index.js';",
      "import * as d from '../platform/x.js';",
      "export { e } from './e.js';",
      "export * from './f.js';",
      "const g = await import('../previews/index.js');",
      "import '../platform/side-effect.js';",
      "import { z } from 'zod';",
      "import {\n  h,\n  i,\n} from '../search/index.js';",
    ].join('\n'))).toEqual(['media/b.ts', 'catalog/index.ts', 'platform/x.ts', 'media/e.ts', 'media/f.ts', 'previews/index.ts', 'platform/side-effect.ts', 'search/index.ts']);
  });
});

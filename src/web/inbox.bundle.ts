import { fileURLToPath } from 'node:url';

export const INBOX_DIR = fileURLToPath(new URL('../../web/inbox/', import.meta.url));
const CLIENT_SRC = fileURLToPath(new URL('../../packages/client/src/', import.meta.url));

/**
 * Where `npm run build` leaves the page's bundle: next to the compiled routes (dist/web/), so a
 * process run from dist/ serves it as it is and needs no esbuild; from src/ there is none.
 */
export const PREBUILT_INBOX_BUNDLE = fileURLToPath(new URL('./inbox.app.js', import.meta.url));

/**
 * web/inbox (React, TSX) and @herald/client bundled from source by esbuild (a devDependency): by
 * `npm run build` into dist/, or by a process run from src/ on the page's first request.
 */
export async function bundleInbox(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [`${INBOX_DIR}main.tsx`],
    bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none',
    jsx: 'automatic', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent',
    plugins: [{
      // The page uses the client package as a frontend would, but from its source.
      name: 'herald-client-source',
      setup(b) {
        b.onResolve({ filter: /^@herald\/client(\/react)?$/ }, (args) => ({ path: `${CLIENT_SRC}${args.path.endsWith('/react') ? 'react' : 'index'}.ts` }));
      },
    }],
  });
  return result.outputFiles[0]!.text;
}

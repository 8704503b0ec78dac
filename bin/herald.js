#!/usr/bin/env node
// The `herald` command. It runs the service in this very process, never in a child: a signal sent
// to it (SIGTERM from a supervisor, SIGINT) reaches the service's own handlers, which shut down
// gracefully and exit with the service's code.
//
// What it runs: the compiled build (dist/, `npm run build`) when that is at least as new as every
// file and folder of src/; otherwise src/ through tsx's loader registered here (a checkout being
// edited, or never built); a production install without tsx (npm ci --omit=dev) runs dist/.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(root, 'src');
const DIST_MAIN = path.join(root, 'dist/main.js');
const BUILD_INFO = path.join(root, 'dist/build-info.json'); // rewritten by every build

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

/** The newest modification time under dir (folders too: a deleted file changes its folder's). */
function newest(dir) {
  let time = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(file) : statSync(file).mtimeMs);
  }
  return time;
}

async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return false;
    throw err;
  }
}

async function runDist() {
  process.setSourceMapsEnabled(true); // before dist/ loads: stack traces name src/ lines
  await import(pathToFileURL(DIST_MAIN).href);
}

const built = mtime(BUILD_INFO) !== null && mtime(DIST_MAIN) !== null ? mtime(BUILD_INFO) : null;
const hasSource = mtime(SRC) !== null;
if (built !== null && (!hasSource || newest(SRC) <= built)) {
  await runDist();
} else if (hasSource && (await registerTsx())) {
  await import(pathToFileURL(path.join(SRC, 'main.ts')).href);
} else if (built !== null) {
  console.error('herald: dist/ is older than src/ and tsx is not installed to run src/; running dist/ (npm run build refreshes it)');
  await runDist();
} else {
  console.error('herald: nothing to run: no build in dist/ (npm run build) and no tsx to run src/ (npm ci)');
  process.exit(1);
}

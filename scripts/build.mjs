#!/usr/bin/env node
// npm run build: src/**/*.ts → dist/**/*.js, one file each with its source map (esbuild strips the
// types; `npm run typecheck` is the type gate), and the inbox page's browser bundle →
// dist/web/inbox.app.js. dist/ mirrors src/, so what the code finds relative to itself
// (migrations/, web/admin, web/inbox, packages/client) is found from dist/ as from src/.
//
// Safe to run while processes run from dist/ and while another build runs (npm start builds
// first, and tests start several at once): nothing is deleted up front, a file is replaced only
// when its content changed and then by rename, so a reader sees the old file or the new one.
// Outputs whose source is gone are removed at the end. dist/build-info.json is rewritten on every
// build: bin/herald.js runs dist/ only when no source file is newer than it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');
const distDir = path.join(root, 'dist');
const INBOX_BUNDLE = path.join(distDir, 'web', 'inbox.app.js');
const BUILD_INFO = path.join(distDir, 'build-info.json');

const started = Date.now();
let written = 0;

/** Writes `file` only if its content differs, through a temporary file and a rename. */
function put(file, contents) {
  const bytes = typeof contents === 'string' ? Buffer.from(contents) : Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength);
  try {
    if (readFileSync(file).equals(bytes)) return;
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
  written++;
}

const entryPoints = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => path.join(srcDir, f));

const result = await build({
  entryPoints, outdir: distDir, outbase: srcDir, write: false,
  format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.json'), logLevel: 'warning',
});
const outputs = new Set();
for (const file of result.outputFiles) {
  put(file.path, file.contents);
  outputs.add(file.path);
}

// The inbox page's bundle, by the very function a process run from src/ uses on first request.
const { bundleInbox } = await import(pathToFileURL(path.join(distDir, 'web', 'inbox.bundle.js')).href);
put(INBOX_BUNDLE, await bundleInbox());
outputs.add(INBOX_BUNDLE);

/** A build's temporary file left over (its build was killed), not one a running build is about to rename. */
function leftOver(file) {
  try {
    return Date.now() - statSync(file).mtimeMs > 60_000;
  } catch {
    return false; // renamed meanwhile by the build that wrote it
  }
}

// Outputs of sources that no longer exist (and temporary files of a build that was killed).
let removed = 0;
for (const rel of readdirSync(distDir, { recursive: true, encoding: 'utf8' })) {
  const file = path.join(distDir, rel);
  const stale = (/\.js(\.map)?$/.test(file) && !outputs.has(file)) || (file.endsWith('.tmp') && leftOver(file));
  if (stale) {
    rmSync(file, { force: true });
    removed++;
  }
}

writeFileSync(BUILD_INFO, `${JSON.stringify({ builtAt: new Date().toISOString(), node: process.version }, null, 2)}\n`);
if (!process.argv.includes('--quiet')) {
  console.log(`dist/: ${outputs.size} files (${written} written, ${removed} removed) in ${Date.now() - started} ms`);
}

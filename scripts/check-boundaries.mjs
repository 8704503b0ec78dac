#!/usr/bin/env node
// The dependency rule of docs/ARCHITECTURE.md, checked on every `npm run lint`:
//  1. src/platform/ is the shared core: it imports nothing but itself and src/config.ts.
//  2. A capability (a folder of src/ other than platform) reaches another only through that
//     one's public surface, its index.ts: no deep import across capabilities. The root files
//     (app.ts, main.ts) are held to the same rule.
//  3. No cycle between capability folders, type-only imports included: a cycle of types is a
//     design cycle even where the runtime does not see it.
// Exits 1 with one line per violation. `checkBoundaries` is pure, for test/platform/boundaries.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** `admin/jobs.routes.ts` → 'admin'; root files → null. */
const folderOf = (file) => (file.includes('/') ? file.split('/')[0] : null);

/** The relative imports of one source file, as paths relative to src/ with a .ts extension. */
export function importsOf(file, text) {
  const out = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push(target);
  }
  return out;
}

/** files: Map of path relative to src/ → its text. Returns the violations, one sentence each. */
export function checkBoundaries(files) {
  const problems = [];
  const edges = new Map(); // folder → Map(folder → first file that makes the edge)
  for (const [file, text] of files) {
    const from = folderOf(file);
    for (const target of importsOf(file, text)) {
      if (target.startsWith('..')) continue;
      const to = folderOf(target);
      if (from === 'platform') {
        if (to !== 'platform' && target !== 'config.ts') problems.push(`${file} imports ${target}: platform/ imports only platform/ and config.ts`);
        continue;
      }
      if (to === null || to === 'platform' || to === from) continue;
      if (target !== `${to}/index.ts`) problems.push(`${file} imports ${target}: a deep import into ${to}/ (use ${to}/index.ts)`);
      if (from === null) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from).has(to)) edges.get(from).set(to, file);
    }
  }
  for (const cycle of cyclesOf(edges)) {
    const steps = cycle.map((folder, i) => `${folder} → ${cycle[(i + 1) % cycle.length]} (${edges.get(folder).get(cycle[(i + 1) % cycle.length])})`);
    problems.push(`a cycle between capability folders: ${steps.join(', ')}`);
  }
  return problems;
}

/** One cycle per strongly connected component of more than one folder (Tarjan), as a path through it. */
function cyclesOf(edges) {
  const index = new Map(); const low = new Map(); const stack = []; const on = new Set(); const out = [];
  let counter = 0;
  const visit = (v) => {
    index.set(v, counter); low.set(v, counter); counter += 1; stack.push(v); on.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); } else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do { w = stack.pop(); on.delete(w); component.push(w); } while (w !== v);
    if (component.length > 1) out.push(pathThrough(component, edges));
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** A simple cycle inside one component, found by walking its edges from its first folder. */
function pathThrough(component, edges) {
  const inside = new Set(component);
  const start = [...component].sort()[0];
  const seen = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of edges.get(v).keys()) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const cycle = [];
        for (let u = v; u !== null; u = seen.get(u)) cycle.unshift(u);
        return cycle;
      }
      if (!seen.has(w)) { seen.set(w, v); queue.push(w); }
    }
  }
  return component;
}

function readTree(root) {
  const files = new Map();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const problems = checkBoundaries(readTree(root));
  for (const line of problems) console.error(line);
  if (problems.length > 0) {
    console.error(`\n${problems.length} boundary violation(s): see "The dependency rule" in docs/ARCHITECTURE.md`);
    process.exit(1);
  }
  console.log('boundaries: no deep import across capabilities, no cycle between capability folders');
}

/**
 * What a migration file says about itself, in `-- herald:<directive>` lines of its leading
 * comments (docs/OPERATIONS.md, Upgrades):
 *
 * - `no-transaction`: run outside a transaction, statement by statement (CREATE INDEX
 *   CONCURRENTLY refuses to run inside one). A failure part-way leaves the earlier statements
 *   done and the version unrecorded, so such a file must be safe to run again.
 * - `expand`: backward-compatible (adds, never removes or renames): code that predates it may
 *   still start on the migrated database. Recorded in schema_migrations.expand.
 */
export interface MigrationDirectives {
  readonly transaction: boolean;
  readonly expand: boolean;
}

const KNOWN = new Set(['no-transaction', 'expand']);

export function migrationDirectives(version: string, sql: string): MigrationDirectives {
  const found = new Set<string>();
  for (const line of sql.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    if (!text.startsWith('--')) break; // directives live in the leading comments only
    const directive = /^--\s*herald:\s*([\w-]+)/.exec(text)?.[1];
    if (directive === undefined) continue;
    // A misspelt directive would silently run a CONCURRENTLY index in a transaction (and fail) or
    // stop old code from starting: refuse it by name instead.
    if (!KNOWN.has(directive)) throw new Error(`Migration ${version}: unknown directive "herald:${directive}" (known: ${[...KNOWN].join(', ')})`);
    found.add(directive);
  }
  return { transaction: !found.has('no-transaction'), expand: found.has('expand') };
}

/**
 * The statements of a SQL file, split at the semicolons that end them: not those inside quotes,
 * quoted identifiers, comments or dollar-quoted bodies (a function's). Comment-only pieces are
 * dropped. PostgreSQL runs a multi-statement query string as one implicit transaction, which
 * CREATE INDEX CONCURRENTLY refuses, so a no-transaction migration is sent a statement at a time.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" && /[Ee]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '')) {
      // E'...': a backslash escapes the next character (E'it\'s'), a quote among them.
      i += 1;
      while (i < sql.length && sql[i] !== "'") i += sql[i] === '\\' ? 2 : 1;
      // A doubled quote is an escaped one too: the scan goes on past it.
      while (sql[i + 1] === "'") for (i += 2; i < sql.length && sql[i] !== "'"; ) i += sql[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, sql.length);
    } else if (c === "'" || c === '"') {
      i = sql.indexOf(c, i + 1);
      // A doubled quote is an escaped one: the scan goes on past it.
      while (i !== -1 && sql[i + 1] === c) i = sql.indexOf(c, i + 2);
      i = i === -1 ? sql.length : i + 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL: /* a /* b */ still a comment; */
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) [depth, i] = [depth + 1, i + 2];
        else if (sql.startsWith('*/', i)) [depth, i] = [depth - 1, i + 2];
        else i += 1;
      } while (depth > 0 && i < sql.length);
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '') && /^\$(?:[A-Za-z_]\w*)?\$/.test(sql.slice(i))) {
      // (A $ right after a name's character is part of the name: a$b$ is one identifier.)
      const tag = /^\$(?:[A-Za-z_]\w*)?\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end === -1 ? sql.length : end + tag.length;
    } else if (c === ';') {
      statements.push(sql.slice(start, i + 1));
      start = i + 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  statements.push(sql.slice(start));
  return statements.map((s) => s.trim()).filter((s) => stripComments(s).trim() !== '');
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

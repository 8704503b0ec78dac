import { parse } from 'fast-querystring';

/**
 * The query string as every route reads it: Fastify's own parser (find-my-way's fast-querystring,
 * the same version), with the bracket forms of a list folded into its name. axios and qs send an
 * array as `types[]=A&types[]=B` (or `types[0]=A`); read as keys of their own, such a filter was
 * dropped without a word by a query schema that ignores unknown keys (GET /api/notifications
 * answered the whole feed), or refused by a strict one. `types[]=A&types=B` is the list [A, B], in
 * the order sent. Nothing else changes: a key that is not a bracket form is kept as it is.
 */
export function parseQuery(text: string): Record<string, string | string[]> {
  const parsed = parse(text) as Record<string, string | string[]>;
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const key of Object.keys(parsed)) {
    const name = /^(.+?)\[\d*\]$/.exec(key)?.[1] ?? key;
    const value = parsed[key]!;
    const had = out[name];
    out[name] = had === undefined ? (name === key ? value : toList(value)) : [...toList(had), ...toList(value)];
  }
  return out;
}

const toList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

import { parse } from 'fast-querystring';

/**
 * The query string as every route reads it: Fastify's own parser (find-my-way's fast-querystring,
 * the same version), with the bracket forms of a list folded into its name. axios and qs send an
 * array as `types[]=A&types[]=B` (or `types[0]=A`); read as keys of their own, such a filter was
 * dropped without a word by a query schema that ignores unknown keys (GET /api/notifications
 * answered the whole feed), or refused by a strict one. `types[]=A&types=B` is the list [A, B]: each
 * key's values in the order sent, the keys in the order they first appear. Nothing else changes: a
 * key that is not a bracket form is kept as it is.
 */
export function parseQuery(text: string): Record<string, string | string[]> {
  const parsed = parse(text) as Record<string, string | string[]>;
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const key of Object.keys(parsed)) {
    const name = /^(.+?)\[\d*\]$/.exec(key)?.[1] ?? key;
    const value = parsed[key]!;
    const had = out[name];
    if (had === undefined) {
      out[name] = name === key || Array.isArray(value) ? value : [value];
      continue;
    }
    // Appended in place (the arrays are this parse's own): a copy a key made n bracket keys cost n²
    // (1,900 of them, what a 16 KiB header holds: 6 ms, outside review).
    const list = Array.isArray(had) ? had : (out[name] = [had]);
    if (Array.isArray(value)) for (const v of value) list.push(v);
    else list.push(value);
  }
  return out;
}

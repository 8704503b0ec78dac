/**
 * How a typed query becomes the three ways a document can match it (pure, unit-tested):
 * - `full`: the whole text through websearch_to_tsquery (quotes, OR, -exclusions; never an error);
 * - `prefix`: as-you-type, the last word as a prefix (`sun` finds "sunset") with the rest in full;
 * - the trigram comparison of the raw text with titles and names (typos), done in SQL.
 */
export interface SearchText {
  readonly full: string;
  /** The text before the last word (websearch syntax), or '' for none. */
  readonly head: string;
  /** The last word, lower-cased letters and digits only (safe inside to_tsquery), or null. */
  readonly prefix: string | null;
  /** Words excluded with `-word`: no match of any kind may contain them. */
  readonly excluded: readonly string[];
  /** The text the trigram comparison uses: the wanted words only. */
  readonly fuzzy: string;
  /**
   * The wanted words a typo may be in (lower-cased, distinct, 3 characters or more: a shorter
   * word has too few trigrams to be near anything), each matched to near spellings of title words.
   */
  readonly typoWords: readonly string[];
}

const EXCLUDED = /(^|\s)-([\p{L}\p{N}]+)/gu;

/** At most this many typed words are looked up for typos (q is at most 200 characters anyway). */
const MAX_TYPO_WORDS = 8;

function parts(full: string): Pick<SearchText, 'excluded' | 'fuzzy' | 'typoWords'> {
  const excluded = [...full.matchAll(EXCLUDED)].map((m) => m[2]!.toLowerCase());
  const fuzzy = full.replace(EXCLUDED, ' ').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const typoWords = [...new Set(fuzzy.toLowerCase().split(' ').filter((w) => [...w].length >= 3))].slice(0, MAX_TYPO_WORDS);
  return { excluded, fuzzy, typoWords };
}

const WORD = /[\p{L}\p{N}]+$/u;

export function searchText(q: string): SearchText {
  const full = q.trim();
  const rest = parts(full);
  const match = WORD.exec(full);
  if (!match) return { full, head: full, prefix: null, ...rest };
  const head = full.slice(0, match.index);
  const before = head.at(-1);
  const quotes = (head.match(/"/g) ?? []).length;
  // An excluded word (-foo) or one inside an open quote is not being typed as a prefix.
  if (before === '-' || quotes % 2 === 1 || match[0].length < 2) return { full, head: full, prefix: null, ...rest };
  return { full, head: head.trim(), prefix: match[0].toLowerCase(), ...rest };
}

/** Moved to the platform (the inbox's `types` takes lists too); re-exported for search's callers. */
export { listParam } from '../platform/http/validation.js';

/**
 * A highlighted, HTML-safe fragment: ts_headline marks matches with control characters (stripped
 * from the text first), the result is HTML-escaped, and only then do the marks become <mark> tags.
 */
export function headlineSql(text: string, query: string, options: string): string {
  const marked = `ts_headline('english', translate(${text}, E'\\x01\\x02', ''), ${query}, 'StartSel="\x01", StopSel="\x02", ${options}')`;
  const escaped = `replace(replace(replace(${marked}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
  return `replace(replace(${escaped}, E'\\x01', '<mark>'), E'\\x02', '</mark>')`;
}

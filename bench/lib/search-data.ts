import { randomUUID } from 'node:crypto';
import { en } from '@faker-js/faker';
import { prng } from './seed-data.js';

/**
 * A platform's worth of searchable entities for COPY (text format), with Zipf-distributed words
 * so that some terms match a large share of the documents and most match few, as in real text.
 */

/**
 * The vocabulary: faker's English words and names in a fixed shuffled order (a word's Zipf rank
 * has nothing to do with the alphabet), then a long tail of made-up names (brands, places, people)
 * as real catalogs have. Zipf ranks start at STOPWORD_RANKS: the most frequent words of real text
 * are stop words, which full-text search drops, so the first content word is not 1/8 of all text.
 */
const STOPWORD_RANKS = 30;
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'va', 'shi', 'qu', 'bel', 'dor', 'ny', 'zan', 'pe', 'ro', 'sta', 'vin', 'ga', 'lu', 'mar', 'tek'];
const WORDS = (() => {
  const real = new Set<string>();
  const add = (values: unknown) => {
    for (const v of [values].flat(4)) if (typeof v === 'string') for (const w of v.toLowerCase().split(/[^a-z]+/)) if (w.length >= 3) real.add(w);
  };
  add(Object.values(en.word ?? {}));
  add([en.person?.first_name?.generic, en.person?.last_name?.generic, en.location?.city_name, en.music?.genre, en.color?.human]);
  add([en.company?.buzz_noun, en.company?.buzz_verb, en.company?.buzz_adjective, en.animal?.dog, en.animal?.bird]);
  const random = prng(1);
  const words = [...real];
  for (let i = words.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [words[i], words[j]] = [words[j]!, words[i]!];
  }
  const made = new Set<string>();
  while (made.size < 40_000) made.add(Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(''));
  return [...words, ...[...made].filter((w) => !real.has(w))];
})();
const TAGS = WORDS.slice(0, 300);

export interface Sizes {
  readonly creators: number;
  readonly brands: number;
  readonly projects: number;
  readonly licenses: number;
  readonly posts: number;
  readonly assets: number;
}

/** How `documents` split over the entity types (assets are most of them). */
export function sizesFor(documents: number): Sizes {
  const creators = Math.max(10, Math.round(documents / 100));
  const brands = Math.max(5, Math.round(documents / 500));
  const projects = Math.max(10, Math.round(documents / 50));
  const licenses = Math.max(10, Math.round(documents / 20));
  const posts = Math.max(10, Math.round(documents / 50));
  return { creators, brands, projects, licenses, posts, assets: documents - creators - projects - licenses - posts };
}

/** Zipf(1) over the vocabulary: rank r is drawn with weight 1/r. */
function zipf(random: () => number, n: number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (let r = 1; r <= n; r++) cumulative.push((sum += 1 / (r + STOPWORD_RANKS)));
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function textGenerator(seed: number) {
  const random = prng(seed);
  const rank = zipf(random, WORDS.length);
  const word = () => WORDS[rank()]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const words = (min: number, max: number) => Array.from({ length: int(min, max) }, word).join(' ');
  const title = () => {
    const t = words(2, 5);
    return t[0]!.toUpperCase() + t.slice(1);
  };
  const tags = () => `{${[...new Set(Array.from({ length: int(1, 4) }, () => TAGS[Math.floor(random() * random() * TAGS.length)]!))].join(',')}}`;
  return { random, word, words, title, tags, int };
}

const ASSET_TYPES = ['IMAGE', 'IMAGE', 'IMAGE', 'VIDEO', 'VIDEO', 'AUDIO', 'DOCUMENT', 'THREE_D', 'OTHER'];
const pick = <T>(random: () => number, list: readonly T[]) => list[Math.floor(random() * list.length)]!;

/** Row lines for COPY of every table, with ids generated here so that references line up. */
export function generate(sizes: Sizes, seed = 7) {
  const g = textGenerator(seed);
  const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
  const creatorUsers = ids(sizes.creators);
  const brandUsers = ids(sizes.brands);
  const creators = ids(sizes.creators);
  const brands = ids(sizes.brands);
  const projects = ids(sizes.projects);
  const assets = ids(sizes.assets);
  const projectBrand = projects.map(() => pick(g.random, brands));
  return {
    creators, brands, projects, assets, creatorUsers, brandUsers,
    *users() {
      for (const [i, id] of creatorUsers.entries()) yield `${id}\tcreator${i}@bench.local\tCREATOR\tx`;
      for (const [i, id] of brandUsers.entries()) yield `${id}\tbrand${i}@bench.local\tBRAND\tx`;
    },
    *creatorRows() {
      for (const [i, id] of creators.entries()) yield `${id}\t${creatorUsers[i]}\t${g.title()}\t${g.words(10, 30)}\t${g.tags()}`;
    },
    *brandRows() {
      for (const [i, id] of brands.entries()) yield `${id}\t${brandUsers[i]}\t${g.title()} ${pick(g.random, ['Inc', 'Media', 'Studios', 'Group'])}`;
    },
    *projectRows() {
      for (const [i, id] of projects.entries()) yield `${id}\t${projectBrand[i]}\t${g.title()}\t${g.words(15, 40)}\t${pick(g.random, ['ACTIVE', 'ACTIVE', 'COMPLETED', 'DRAFT', 'ARCHIVED'])}`;
    },
    *assetRows() {
      for (const id of assets) {
        const project = g.random() < 0.3 ? pick(g.random, projects) : '\\N';
        const status = g.random() < 0.8 ? 'PUBLISHED' : g.random() < 0.75 ? 'DRAFT' : 'ARCHIVED';
        yield `${id}\t${pick(g.random, creators)}\t${project}\t${g.title()}\t${g.words(15, 45)}\t${pick(g.random, ASSET_TYPES)}\t${g.tags()}\t${status}`;
      }
    },
    *licenseRows() {
      for (let i = 0; i < sizes.licenses; i++) {
        yield `${randomUUID()}\t${pick(g.random, assets)}\t${pick(g.random, brands)}\t${pick(g.random, ['ACTIVE', 'PENDING', 'EXPIRED'])}\t${g.words(10, 30)}\t2026-01-01`;
      }
    },
    *postRows() {
      for (let i = 0; i < sizes.posts; i++) {
        const author = g.random() < 0.5 ? pick(g.random, creatorUsers) : pick(g.random, brandUsers);
        yield `${randomUUID()}\t${author}\t${g.title()}\t${g.words(10, 25)}\t${g.words(60, 150)}\t${g.random() < 0.85 ? 'PUBLISHED' : 'DRAFT'}`;
      }
    },
  };
}

/**
 * The fixed query set: single words from common to rare, two-word queries, prefixes being typed,
 * typos, quoted phrases and exclusions, in the proportions a search box sees.
 */
export function querySet(count = 200, seed = 11): string[] {
  return queryKinds(count, seed).map(([, q]) => q);
}

/** The same queries with their kind (word, two words, prefix, typo, phrase, exclusion), for per-kind times. */
export function queryKinds(count = 200, seed = 11): Array<[kind: string, query: string]> {
  const g = textGenerator(seed);
  const long = () => {
    let w = g.word();
    while (w.length < 6) w = g.word();
    return w;
  };
  const typo = (w: string) => {
    const i = g.int(1, w.length - 2);
    return g.random() < 0.5 ? w.slice(0, i) + w.slice(i + 1) : w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  };
  const makers: Array<[string, number, () => string]> = [
    ['word', 0.3, () => g.word()],
    ['twoWords', 0.25, () => `${g.word()} ${g.word()}`],
    ['prefix', 0.15, () => long().slice(0, g.int(3, 5))],
    ['typo', 0.15, () => typo(long())],
    ['phrase', 0.1, () => `"${g.word()} ${g.word()}"`],
    ['exclusion', 0.05, () => `${g.word()} -${g.word()}`],
  ];
  const out: Array<[string, string]> = [];
  for (const [kind, share, make] of makers) for (let i = 0; i < Math.round(share * count); i++) out.push([kind, make()]);
  return out.slice(0, count);
}

import { describe, expect, it } from 'vitest';
import { listParam, searchText } from '../../src/search/search.text.js';

describe('searchText', () => {
  it('takes the last word being typed as a prefix, the rest in full', () => {
    expect(searchText('golden sun')).toEqual({ full: 'golden sun', head: 'golden', prefix: 'sun', excluded: [], fuzzy: 'golden sun', typoWords: ['golden', 'sun'] });
    expect(searchText('  Lisb ')).toMatchObject({ head: '', prefix: 'lisb' });
  });

  it('takes no prefix after a finished phrase, an exclusion, an open quote or a one-letter word', () => {
    expect(searchText('"golden hour"').prefix).toBeNull();
    expect(searchText('sunset -lisbon').prefix).toBeNull();
    expect(searchText('"golden hou').prefix).toBeNull();
    expect(searchText('photo a').prefix).toBeNull();
    expect(searchText('!!!').prefix).toBeNull();
  });

  it('keeps only letters and digits in the prefix (safe inside to_tsquery)', () => {
    expect(searchText("x'; DROP TABLE users; abc").prefix).toBe('abc');
    expect(searchText("x'; DROP TABLE users; --abc").prefix).toBeNull();
    expect(searchText('café:*').prefix).toBeNull();
    expect(searchText('Ünïcode').prefix).toBe('ünïcode');
  });

  it('collects excluded words and leaves them out of the fuzzy text', () => {
    expect(searchText('sunset -lisbon -porto city')).toMatchObject({ excluded: ['lisbon', 'porto'], fuzzy: 'sunset city' });
    expect(searchText('well-known')).toMatchObject({ excluded: [], fuzzy: 'well known' });
    expect(searchText('"a <-> b" | c').fuzzy).toBe('a b c');
  });

  it('looks up typos for the distinct wanted words of 3 characters or more, at most 8', () => {
    expect(searchText('Marna SOLANO marna of -porto').typoWords).toEqual(['marna', 'solano']);
    expect(searchText('ab cd').typoWords).toEqual([]);
    expect(searchText('été über').typoWords).toEqual(['été', 'über']);
    expect(searchText('one two three four five six seven eight nine ten').typoWords).toHaveLength(8);
  });
});

describe('listParam', () => {
  it('reads comma-separated and repeated values', () => {
    expect(listParam(undefined)).toBeUndefined();
    expect(listParam('asset, creator')).toEqual(['asset', 'creator']);
    expect(listParam(['asset', 'creator,project'])).toEqual(['asset', 'creator', 'project']);
    expect(listParam(',')).toEqual([]);
  });
  it('takes each value once, however often it is given', () => {
    expect(listParam(['asset', 'asset,creator', ' creator'])).toEqual(['asset', 'creator']);
  });
});

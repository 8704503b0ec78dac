import { describe, expect, it } from 'vitest';
import { listParam, searchText } from '../../src/search/search.text.js';

describe('searchText', () => {
  it('takes the last word being typed as a prefix, the rest in full', () => {
    expect(searchText('golden sun')).toEqual({ full: 'golden sun', head: 'golden', prefix: 'sun', excluded: [], fuzzy: 'golden sun' });
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
});

describe('listParam', () => {
  it('reads comma-separated and repeated values', () => {
    expect(listParam(undefined)).toBeUndefined();
    expect(listParam('asset, creator')).toEqual(['asset', 'creator']);
    expect(listParam(['asset', 'creator,project'])).toEqual(['asset', 'creator', 'project']);
    expect(listParam(',')).toEqual([]);
  });
});

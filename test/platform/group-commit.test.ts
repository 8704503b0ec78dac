import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/platform/group-commit.js';

/** Issue 21: requests made while a statement runs go together in the next one. */

function recorder(options: { failGroups?: boolean; failKey?: string; concurrency?: number; maxGroup?: number } = {}) {
  const groups: string[][] = [];
  const singles: string[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const commit = new GroupCommit<string, string>({
    many: async (reqs) => {
      groups.push([...reqs]);
      if (hold) await new Promise<void>((r) => (release = r));
      if (options.failGroups || (options.failKey && reqs.includes(options.failKey))) throw new Error('group failed');
      return reqs.map((r) => `many:${r}`);
    },
    one: async (req) => {
      singles.push(req);
      if (hold && !release) await new Promise<void>((r) => (release = r));
      if (req === options.failKey) throw new Error(`bad ${req}`);
      return `one:${req}`;
    },
    keyOf: (req) => req.split('#')[0]!,
    maxGroup: options.maxGroup ?? 100,
    concurrency: options.concurrency ?? 1,
  });
  return { commit, groups, singles, holdNext: () => (hold = true), releaseAll: () => { hold = false; release?.(); release = null; } };
}

describe('GroupCommit', () => {
  it('requests of one tick go in one statement; a lone request goes alone, at once', async () => {
    const r = recorder();
    expect(await Promise.all(['a', 'b', 'c'].map((k) => r.commit.submit(k)))).toEqual(['many:a', 'many:b', 'many:c']);
    expect(r.groups).toEqual([['a', 'b', 'c']]);
    expect(await r.commit.submit('d')).toBe('one:d');
    expect(r.singles).toEqual(['d']);
  });

  it('requests made while a statement runs wait and go together in the next one', async () => {
    const r = recorder();
    r.holdNext();
    const first = r.commit.submit('a');
    await new Promise((res) => setTimeout(res, 5));
    const later = ['b', 'c', 'd'].map((k) => r.commit.submit(k));
    await new Promise((res) => setTimeout(res, 5));
    expect(r.singles).toEqual(['a']);
    expect(r.groups).toEqual([]);
    r.releaseAll();
    expect(await first).toBe('one:a');
    expect(await Promise.all(later)).toEqual(['many:b', 'many:c', 'many:d']);
    expect(r.groups).toEqual([['b', 'c', 'd']]);
  });

  it('never puts two requests of one key in a group, and caps a group at maxGroup', async () => {
    const r = recorder({ maxGroup: 2 });
    const results = await Promise.all(['a#1', 'a#2', 'b', 'c'].map((k) => r.commit.submit(k)));
    expect(results).toEqual(['many:a#1', 'many:a#2', 'many:b', 'many:c']);
    expect(r.groups).toEqual([['a#1', 'b'], ['a#2', 'c']]);
  });

  it('a failed group is run again request by request: only the bad request fails', async () => {
    const r = recorder({ failKey: 'b' });
    const results = await Promise.allSettled(['a', 'b', 'c'].map((k) => r.commit.submit(k)));
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message))).toEqual(['one:a', 'bad b', 'one:c']);
  });
});

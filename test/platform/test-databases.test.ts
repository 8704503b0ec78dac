import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { staleDatabases } from '../helpers/global-setup.js';

// Several vitest runs share one PostgreSQL (a CI clone's, a session's): each run's setup drops
// what interrupted runs left, and must leave alone what a live run uses.
describe('which test databases a run cleans up', () => {
  const now = Date.now();
  const template = 'herald_tpl_aaaaaaaaaaaa';

  it('keeps a live process\'s databases and drops a dead one\'s and old-style names', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const dead = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    const rows = [
      { datname: `herald_t_${process.pid}_0123456789ab`, comment: null },
      { datname: `herald_t_${process.pid}_build01234567`, comment: null },
      { datname: `herald_t_${dead}_0123456789ab`, comment: null },
      { datname: 'herald_t_0123456789ab', comment: null },
    ];
    expect(staleDatabases(rows, template, now)).toEqual([`herald_t_${dead}_0123456789ab`, 'herald_t_0123456789ab']);
  });

  it('keeps its own template, one used lately and a live build; drops old ones and dead builds', () => {
    const rows = [
      { datname: template, comment: '0' },
      { datname: 'herald_tpl_bbbbbbbbbbbb', comment: String(now - 60_000) },
      { datname: 'herald_tpl_cccccccccccc', comment: String(now - 7 * 3_600_000) },
      { datname: 'herald_tpl_dddddddddddd', comment: null },
      { datname: `herald_tpl_eeeeeeeeeeee_build_${process.pid}`, comment: null },
      { datname: 'herald_tpl_ffffffffffff_build_999999999', comment: null },
    ];
    expect(staleDatabases(rows, template, now)).toEqual(['herald_tpl_cccccccccccc', 'herald_tpl_dddddddddddd', 'herald_tpl_ffffffffffff_build_999999999']);
  });
});

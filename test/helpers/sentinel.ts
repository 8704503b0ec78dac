import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { SentinelSet } from '../../drill/sentinel-set.js';
import { openResources } from './resources.js';

/**
 * The tests' Sentinel deployment: a master on 6400, its replica on 6401, three sentinels on
 * 26400-26402 (quorum 2, down after 1 s), each with a password (the data nodes' and the
 * sentinels' differ: herald must send each its own), in a fresh folder under /tmp/sentinel
 * removed by `remove`. Each process is tracked by the leak check until it exits.
 */
export async function startSentinelSet(): Promise<SentinelSet & { remove(): Promise<void> }> {
  await mkdir('/tmp/sentinel', { recursive: true });
  const dir = await mkdtemp(path.join('/tmp/sentinel', 'test-'));
  const set = await SentinelSet.start({
    dir, dataPorts: [6400, 6401], sentinelPorts: [26400, 26401, 26402], downAfterMs: 1_000, failoverTimeoutMs: 3_000,
    passwords: { data: 'data-secret', sentinel: 'sentinel-secret' },
    track: (label, open) => (open ? openResources.add(label) : openResources.delete(label)),
  }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return Object.assign(set, {
    async remove() {
      await set.stop();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

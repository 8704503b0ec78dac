import { existsSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createClamav } from '../../src/media/clamav.js';
import { waitFor } from '../../src/platform/net.js';
import { openResources } from '../helpers/resources.js';

/** The EICAR anti-virus test file: harmless, and detected by every scanner that loads a signature for it. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/**
 * A stand-in for clamd speaking its INSTREAM protocol, so the pipeline's INFECTED branch runs in CI
 * without ClamAV. It is not a scanner: it "finds" the EICAR string and nothing else.
 */
export async function startStubClamd(options: { maxBytes?: number } = {}): Promise<{ url: string; scans: () => number; stop: () => Promise<void> }> {
  let scans = 0;
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let command: string | null = null;
    let body: Buffer[] = [];
    let size = 0;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (command === null) {
        const nul = buffer.indexOf(0);
        if (nul < 0) return;
        command = buffer.subarray(0, nul).toString();
        buffer = buffer.subarray(nul + 1);
        if (command === 'zPING') return void socket.end('PONG\0');
      }
      while (buffer.length >= 4) {
        const length = buffer.readUInt32BE(0);
        if (length === 0) {
          scans++;
          const found = Buffer.concat(body).includes(EICAR);
          return void socket.end(found ? 'stream: Eicar-Test-Signature FOUND\0' : 'stream: OK\0');
        }
        if (buffer.length < 4 + length) return;
        body.push(buffer.subarray(4, 4 + length));
        size += length;
        buffer = buffer.subarray(4 + length);
        if (options.maxBytes !== undefined && size > options.maxBytes) {
          body = [];
          return void socket.end('INSTREAM size limit exceeded. ERROR\0');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `tcp://127.0.0.1:${port}`, scans: () => scans, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The clamd binary. A real part the suite needs is never skipped: without clamav-daemon installed
 * (README, .ci/run installs it) the test that needs it fails, saying what to install.
 */
export function requireClamd(): string {
  const which = spawnSync('which', ['clamd'], { encoding: 'utf8' });
  if (which.status === 0) return which.stdout.trim();
  // Debian puts it in /usr/sbin, which a non-root PATH may lack.
  if (existsSync('/usr/sbin/clamd')) return '/usr/sbin/clamd';
  throw new Error('clamd not found (`which clamd`, /usr/sbin/clamd): install the clamav-daemon package (apt-get install clamav-daemon, as .ci/run does); the real-clamd tests need it.');
}

/**
 * A real clamd on a Unix socket in dir, with one signature database written here: an .ndb body
 * signature of the EICAR string (ClamAV reports it as `Herald-Test-EICAR.UNOFFICIAL`).
 */
export async function startRealClamd(binary: string, dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = path.join(dir, 'db');
  await mkdir(db, { recursive: true });
  await writeFile(path.join(db, 'herald-test.ndb'), `Herald-Test-EICAR:0:*:${Buffer.from('EICAR-STANDARD-ANTIVIRUS-TEST-FILE').toString('hex')}\n`);
  const socket = path.join(dir, 'clamd.sock');
  const conf = path.join(dir, 'clamd.conf');
  await writeFile(conf, [
    'Foreground yes', `LocalSocket ${socket}`, `DatabaseDirectory ${db}`, `TemporaryDirectory ${dir}`, `LogFile ${path.join(dir, 'clamd.log')}`,
    'StreamMaxLength 25M', 'MaxThreads 2', '',
  ].join('\n'));
  const child: ChildProcess = spawn(binary, ['--config-file', conf], { stdio: 'ignore' });
  const label = `clamd ${child.pid}`;
  openResources.add(label);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `unix://${socket}`;
  const up = await waitFor(() => createClamav({ url }).ping(500), 60_000, 250);
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    openResources.delete(label);
  };
  if (!up) {
    await stop();
    throw new Error('clamd did not answer PING within 60 s');
  }
  return { url, stop };
}

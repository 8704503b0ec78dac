import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';

/**
 * A generated first-admin password never reaches a log line or stdout (under systemd or a
 * container runtime both are the log, kept and shipped): it is written to
 * DATA_DIR/initial-admin-password, mode 0600, and only that path is logged and printed.
 */
let dataDir: string;
let t: TestApp;
const logLines: string[] = [];
const printed: string[] = [];
const sink = new Writable({ write(chunk, _encoding, done) { logLines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'herald-first-admin-'));
  // ADMIN_PASSWORD unset (empty is unset): the first admin's password is generated.
  t = await createTestApp({ ADMIN_PASSWORD: '', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, {
    logger: createLogger('info', sink), print: (line) => printed.push(line),
  });
});
afterAll(async () => {
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const passwordFiles = async () => (await readdir(dataDir)).filter((f) => f.startsWith('initial-admin-password')).sort();

describe('the generated first-admin password', () => {
  it('is in DATA_DIR/initial-admin-password (0600) and signs in; no log line or printed line carries it', async () => {
    const file = path.join(dataDir, 'initial-admin-password');
    expect(await passwordFiles()).toEqual(['initial-admin-password']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const password = (await readFile(file, 'utf8')).trim();
    expect(password).toMatch(/^[\w-]{16}$/);
    await t.login(ADMIN.email, password);

    const created = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => String(entry.msg).startsWith('first admin created'));
    expect(created).toMatchObject({ email: ADMIN.email, passwordFile: file });
    expect(printed).toEqual([`Admin account created: ${ADMIN.email}, its password is in ${file} (read it, sign in, change the password, delete the file)`]);
    expect(logLines.length).toBeGreaterThan(1);
    expect([...logLines, ...printed].filter((line) => line.includes(password))).toEqual([]);
  });

  it('is generated once: another process starting on the same database writes no second file', async () => {
    const sibling = await t.sibling({ logger: createLogger('info', sink), print: (line) => printed.push(line) });
    await sibling.stop();
    expect(await passwordFiles()).toEqual(['initial-admin-password']);
    expect(printed).toHaveLength(1);
  });

  it('when starts race on an empty database: the winner\'s file is kept, the losers\' removed, an existing file never overwritten', async () => {
    const before = await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8');
    const config = { adminEmail: 'second-admin@test.local', adminPassword: undefined, dataDir };
    const lines: string[] = [];
    const log = createLogger('silent');
    await Promise.all([1, 2, 3].map(() => t.app.services.users.ensureFirstAdmin(config, log, (line) => lines.push(line))));
    expect(lines).toHaveLength(1);
    const files = await passwordFiles();
    expect(files).toHaveLength(2);
    expect(await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8')).toBe(before);
    const newest = files.find((f) => f !== 'initial-admin-password')!;
    expect(lines[0]).toContain(path.join(dataDir, newest));
    await t.login('second-admin@test.local', (await readFile(path.join(dataDir, newest), 'utf8')).trim());
  });
});

describe('a first-admin start that fails to insert the admin', () => {
  it('leaves no password file behind (one for nobody, at the name the docs point to)', async () => {
    // The file is written before the insert; an insert that threw (PostgreSQL gone at that
    // moment) left initial-admin-password holding a password no account has, and the next start
    // wrote the real one to initial-admin-password-<random>.
    const { UsersService } = await import('../../src/users/users.service.js');
    const dir = await mkdtemp(path.join(tmpdir(), 'herald-first-admin-'));
    try {
      const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      const users = { hasAdmin: async () => false, findByEmailWithHash: async () => null, insert: async () => { throw down; } };
      const service = new UsersService({ users: users as never });
      await expect(service.ensureFirstAdmin({ adminEmail: undefined, adminPassword: undefined, dataDir: dir }, createLogger('silent'), () => undefined)).rejects.toBe(down);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

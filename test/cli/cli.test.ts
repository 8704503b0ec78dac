import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/context.js';

const root = path.resolve(import.meta.dirname, '../..');
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

function herald(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(path.join(root, 'bin/herald.js'), args, {
    cwd: root, env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('herald CLI', () => {
  it('migrate reports an up-to-date database', () => {
    const run = herald(['migrate']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Database is up to date.');
  });

  it('users create makes a user who can sign in, with a generated password when none is given', async () => {
    const run = herald(['users', 'create', '--email', 'Ops@Example.com', '--role', 'admin', '--name', 'Ops']);
    expect(run.code, run.out).toBe(0);
    const match = /Created ADMIN ops@example\.com \(([0-9a-f-]{36})\) with password (\S+)/.exec(run.out);
    expect(match, run.out).not.toBeNull();
    const { createDb } = await import('../../src/platform/db/client.js');
    const { UsersRepository } = await import('../../src/users/users.repository.js');
    const { UsersService } = await import('../../src/users/users.service.js');
    const handle = createDb(database.url, { max: 1 });
    try {
      const user = await new UsersService(new UsersRepository(handle.db)).verifyCredentials('ops@example.com', match![2]!);
      expect(user).toMatchObject({ id: match![1], role: 'ADMIN', name: 'Ops' });
    } finally {
      await handle.close();
    }
  });

  it('users create refuses a taken email, a bad role and a short password with exit code 1', () => {
    expect(herald(['users', 'create', '--email', 'x@example.com', '--role', 'VIEWER', '--password', 'long-enough']).code).toBe(0);
    const taken = herald(['users', 'create', '--email', 'x@example.com', '--role', 'VIEWER', '--password', 'long-enough']);
    expect(taken.code).toBe(1);
    expect(taken.out).toContain('Email already in use');
    const role = herald(['users', 'create', '--email', 'y@example.com', '--role', 'KING']);
    expect(role.code).toBe(1);
    expect(role.out).toContain('--role must be one of ADMIN, CREATOR, BRAND, VIEWER');
    const short = herald(['users', 'create', '--email', 'y@example.com', '--role', 'VIEWER', '--password', 'abc']);
    expect(short.code).toBe(1);
    expect(short.out).toContain('--password: must be at least 8 characters');
  });

  it('prints usage for help and refuses unknown commands', () => {
    expect(herald(['help']).out).toContain('herald worker [--queues a,b]');
    const unknown = herald(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('Unknown command "frobnicate"');
  });
});

import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { createDb } from '../platform/db/client.js';
import { migrate } from '../platform/db/migrate.js';
import { ROLES, type Role } from '../platform/db/schema.js';
import { createLogger } from '../platform/logger.js';
import { resolveEndpoints } from '../platform/resources.js';
import { UsersRepository } from '../users/users.repository.js';
import { createUserBody } from '../users/users.schemas.js';
import { UsersService } from '../users/users.service.js';

export const USAGE = `herald: background jobs and notifications

  herald [start]                      API + workers + scheduler in one process
  herald api                          the HTTP API only
  herald worker [--queues a,b]        BullMQ workers (all queues by default)
  herald scheduler                    registers recurring schedules
  herald migrate                      applies pending database migrations
  herald users create --email E --role ADMIN|CREATOR|BRAND|VIEWER [--password P] [--name N]

Configuration is read from the environment (see README.md).`;

/** Opens the configured (or embedded) database for a one-shot command, then closes it all. */
async function withDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const endpoints = await resolveEndpoints({ ...config, redisUrl: config.redisUrl ?? 'redis://unused' }, log);
  try {
    return await run(endpoints.databaseUrl);
  } finally {
    await endpoints.stop();
  }
}

export async function migrateCommand(): Promise<void> {
  await withDatabase(async (url) => {
    const applied = await migrate(url);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  });
}

export async function createUserCommand(flags: Record<string, string | true>): Promise<void> {
  const role = String(flags.role ?? '').toUpperCase();
  if (!ROLES.includes(role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const generated = typeof flags.password === 'string' ? null : randomBytes(12).toString('base64url');
  const parsed = createUserBody.safeParse({
    email: flags.email, role, password: generated ?? flags.password, ...(typeof flags.name === 'string' ? { name: flags.name } : {}),
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'));
  await withDatabase(async (url) => {
    await migrate(url);
    const handle = createDb(url, { max: 1 });
    try {
      const user = await new UsersService(new UsersRepository(handle.db)).createUser(parsed.data);
      console.log(`Created ${user.role} ${user.email} (${user.id})${generated ? ` with password ${generated}` : ''}`);
    } finally {
      await handle.close();
    }
  });
}

import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { aggregationService, DAY_MS, parseDay } from '../analytics/index.js';
import { loadConfig } from '../config.js';
import { createDb } from '../platform/db/client.js';
import { migrate } from '../platform/db/migrate.js';
import { ROLES, type Role } from '../platform/db/schema.js';
import { createLogger } from '../platform/logger.js';
import { resolveEndpoints, StartupError } from '../platform/resources.js';
import { writeSecretFile } from '../platform/secret.js';
import { createUserBody, usersService } from '../users/index.js';
import { ConflictError } from '../platform/errors.js';
import { UsageError, type OptionValues } from './args.js';
import { progressBar } from './progress.js';

/** Opens the configured (or embedded) database for a one-shot command, then closes it all. */
async function withDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const endpoints = await resolveEndpoints({ ...config, redis: config.redis ?? { kind: 'url', url: 'redis://unused' } }, log);
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

export async function createUserCommand(flags: OptionValues): Promise<void> {
  const role = String(flags.role ?? '').toUpperCase();
  if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const generated = typeof flags.password === 'string' ? null : randomBytes(12).toString('base64url');
  const parsed = createUserBody.safeParse({
    email: flags.email, role, password: generated ?? flags.password, ...(typeof flags.name === 'string' ? { name: flags.name } : {}),
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'));
  // A generated password is shown on a terminal (the operator's screen); anywhere else stdout is
  // some job runner's log, so it goes to a 0600 file under DATA_DIR, as the first admin's does.
  const passwordFile = generated && !process.stdout.isTTY
    // At most 246 characters (ASCII): with writeSecretFile's -<8 hex> for a taken name, within a
    // file name's 255 bytes (an email may have 254). Two emails cut alike take that suffix too.
    ? await writeSecretFile(loadConfig().dataDir, `user-password-${parsed.data.email.replace(/[^\w.@+-]/g, '_')}`.slice(0, 246), generated)
    : null;
  // Removed again when no user was made with it (a taken email, no database).
  await withDatabase(async (url) => {
    await migrate(url);
    const handle = createDb(url, { max: 1 });
    try {
      const user = await usersService({ db: handle.db }).createUser(parsed.data).catch((err: unknown) => {
        throw err instanceof ConflictError ? new StartupError(`${err.message}: ${parsed.data.email}`) : err;
      });
      const password = !generated ? '' : passwordFile ? `; its password is in ${passwordFile} (stdout is not a terminal)` : ` with password ${generated}`;
      console.log(`Created ${user.role} ${user.email} (${user.id})${password}`);
    } finally {
      await handle.close();
    }
  }).catch(async (err: unknown) => {
    if (passwordFile) await rm(passwordFile, { force: true });
    throw err;
  });
}

/**
 * Re-runs every rollup period the days touch (hours, days, then the weeks and months around
 * them), in this process, with a progress bar on stderr. Each run is logged like a scheduled one.
 */
export async function analyticsBackfillCommand(flags: OptionValues): Promise<void> {
  const from = parseDay(String(flags.from ?? ''));
  const to = parseDay(String(flags.to ?? ''));
  if (!from || !to) throw new UsageError('--from and --to must be dates YYYY-MM-DD');
  if (to < from) throw new UsageError('--to must not be before --from');
  const config = loadConfig();
  await withDatabase(async (url) => {
    await migrate(url);
    const handle = createDb(url, { max: 2, applicationName: 'herald-backfill' });
    try {
      const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const aggregation = aggregationService({ db: handle.db, log, retentionMonths: config.analytics.retentionMonths });
      const started = Date.now();
      const { runs } = await aggregation.backfill(from, new Date(to.getTime() + DAY_MS), progressBar(process.stderr)).catch((err: Error) => {
        throw new StartupError(`Backfill stopped: ${err.message}`);
      });
      console.log(`Backfilled ${runs} analytics periods from ${flags.from} to ${flags.to} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    } finally {
      await handle.close();
    }
  });
}

/**
 * seed.ts makes its content with @faker-js/faker, a development dependency: loaded only by this
 * command, so a production install (npm ci --omit=dev) runs every other one.
 */
async function loadSeed() {
  try {
    return await import('./seed.js');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && (err as Error).message.includes('@faker-js/faker')) {
      throw new StartupError('herald seed makes demo data with @faker-js/faker, a development dependency that is not installed here: run it from a full install (npm ci), not one made with --omit=dev.');
    }
    throw err;
  }
}

/**
 * Demo data for a fresh install (see src/cli/seed.ts). Every run adds users; `--seed` makes the
 * content repeatable. The search index catches up through the bulk jobs once a worker runs.
 */
export async function seedCommand(flags: OptionValues): Promise<void> {
  const users = typeof flags.users === 'string' ? Number(flags.users) : NaN;
  if (!Number.isInteger(users) || users < 1 || users > 1_000_000) throw new UsageError('--users must be an integer from 1 to 1000000');
  const seed = flags.seed === undefined ? undefined : typeof flags.seed === 'string' ? Number(flags.seed) : NaN;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UsageError('--seed must be a non-negative integer');
  const { DEMO_PASSWORD, seedDemoData } = await loadSeed();
  await withDatabase(async (url) => {
    await migrate(url);
    const handle = createDb(url, { max: 2, applicationName: 'herald-seed' });
    try {
      const started = Date.now();
      const counts = await seedDemoData(handle.db, { users, seed, onProgress: progressBar(process.stderr) });
      console.log(`Seeded ${counts.users} users (${counts.creators} creators, ${counts.brands} brands), ${counts.projects} projects, ${counts.assets} assets, `
        + `${counts.licenses} licenses and ${counts.posts} blog posts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      console.log(`Sign in as any of them, e.g. creator<N>.${counts.suffix}@demo.herald.local, with the password: ${DEMO_PASSWORD}`);
    } finally {
      await handle.close();
    }
  });
}

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { en, Faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/platform/password.js';
import { DEMO_PASSWORD, generateDemoChunk, seedDemoData } from '../../src/cli/seed.js';
import { createDb, type DbHandle } from '../../src/platform/db/client.js';
import { createTestDatabase } from '../helpers/context.js';

const root = path.resolve(import.meta.dirname, '../..');
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let handle: DbHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = createDb(database.url, { max: 2 });
});
afterAll(async () => {
  await handle.close();
  await database.drop();
});

const count = async (query: string) => Number((await sql<{ n: string }>`${sql.raw(query)}`.execute(handle.db)).rows[0]!.n);

describe('herald seed', () => {
  it('seeds users of every role with profiles, projects, assets, licenses and posts, and bulk index jobs for all of them', async () => {
    const progress: number[] = [];
    const result = await seedDemoData(handle.db, { users: 30, seed: 7, suffix: 'run1', onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([0, 30]);
    expect(result.users).toBe(30);
    expect(await count(`SELECT count(*) AS n FROM users WHERE email LIKE '%.run1@demo.herald.local'`)).toBe(30);
    expect(await count(`SELECT count(*) AS n FROM users WHERE role = 'ADMIN'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM creators`)).toBe(result.creators);
    expect(await count(`SELECT count(*) AS n FROM users WHERE role = 'CREATOR'`)).toBe(result.creators);
    expect(await count(`SELECT count(*) AS n FROM brands`)).toBe(await count(`SELECT count(*) AS n FROM users WHERE role = 'BRAND'`));
    expect(result.creators).toBeGreaterThan(5);
    expect(result.brands).toBeGreaterThan(2);
    expect(result.assets).toBeGreaterThanOrEqual(2 * result.creators);
    expect(result.projects).toBeGreaterThanOrEqual(result.brands);
    expect(result.licenses).toBeGreaterThan(0);
    expect(result.posts).toBeGreaterThan(0);
    for (const [table, n] of [['ip_assets', result.assets], ['projects', result.projects], ['licenses', result.licenses], ['blog_posts', result.posts]] as const) {
      expect(await count(`SELECT count(*) AS n FROM ${table}`), table).toBe(n);
    }
    expect(await count(`SELECT count(*) AS n FROM ip_assets WHERE cardinality(tags) = 0`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM (SELECT DISTINCT status FROM ip_assets) s`)).toBeGreaterThan(1);

    const jobs = await sql<{ entity_type: string; n: string }>`
      SELECT payload->>'entityType' AS entity_type, sum(jsonb_array_length(payload->'entityIds')) AS n
      FROM outbox WHERE queue = 'search-index-bulk' GROUP BY 1 ORDER BY 1`.execute(handle.db);
    expect(Object.fromEntries(jobs.rows.map((r) => [r.entity_type, Number(r.n)]))).toEqual({
      asset: result.assets, blog_post: result.posts, creator: result.creators, license: result.licenses, project: result.projects,
    });
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE queue = 'search-index-update'`)).toBe(0);

    const someone = await handle.db.selectFrom('users').select('password_hash').where('email', 'like', '%@demo.herald.local').executeTakeFirstOrThrow();
    expect(await verifyPassword(someone.password_hash, DEMO_PASSWORD)).toBe(true);
  });

  it('adds more users on a second run with the same seed (unique emails), with the same content', async () => {
    const again = await seedDemoData(handle.db, { users: 30, seed: 7, suffix: 'run2' });
    expect(await count(`SELECT count(*) AS n FROM users WHERE email LIKE '%@demo.herald.local'`)).toBe(60);
    const names = await sql<{ suffix: string; names: string }>`
      SELECT split_part(split_part(email, '@', 1), '.', 2) AS suffix, string_agg(name, ',' ORDER BY email) AS names
      FROM users WHERE email LIKE '%@demo.herald.local' GROUP BY 1 ORDER BY 1`.execute(handle.db);
    expect(names.rows.map((r) => r.suffix)).toEqual(['run1', 'run2']);
    expect(names.rows[0]!.names).toBe(names.rows[1]!.names);
    expect(again.assets).toBe(await count(`SELECT count(*) AS n FROM ip_assets a JOIN creators c ON c.id = a.creator_id JOIN users u ON u.id = c.user_id WHERE u.email LIKE '%.run2@%'`));
  });

  it('generates the same content from the same seed', () => {
    const chunk = (seed: number) => {
      const faker = new Faker({ locale: [en] });
      faker.seed(seed);
      const c = generateDemoChunk(faker, 1, 40, { suffix: 'x', passwordHash: 'h', now: new Date('2026-01-01T00:00:00Z') });
      return { users: c.users.map((u) => [u.email, u.name, u.role]), assets: c.assets.map((a) => [a.title, a.tags, a.status, a.type]), posts: c.posts.map((p) => p.title) };
    };
    expect(chunk(3)).toEqual(chunk(3));
    expect(chunk(3)).not.toEqual(chunk(4));
  });

  it('runs as `herald seed`, printing the demo password once, and refuses a bad --users', () => {
    const run = (args: string[]) => {
      const r = spawnSync(path.join(root, 'bin/herald.js'), args, {
        cwd: root, env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const ok = run(['seed', '--users', '12', '--seed', '1']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^Seeded 12 users \(\d+ creators, \d+ brands\), \d+ projects, \d+ assets, \d+ licenses and \d+ blog posts in [\d.]+ s\.$/m);
    expect(ok.out.split(DEMO_PASSWORD)).toHaveLength(2);
    expect(ok.err).toContain('100% 12/12 users');
    const bad = run(['seed', '--users', 'many']);
    expect(bad.code).toBe(2); // a usage error
    expect(bad.err).toContain('--users must be an integer from 1 to 1000000');
  });
});

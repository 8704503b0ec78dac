import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregationService } from '../../../src/analytics/aggregation.service.js';
import { EventsRepository } from '../../../src/analytics/events.repository.js';
import { RollupRepository } from '../../../src/analytics/rollup.repository.js';
import { RunLogRepository } from '../../../src/analytics/run-log.repository.js';
import { createDb } from '../../../src/platform/db/client.js';
import { migrate, readMigrations } from '../../../src/platform/db/migrate.js';
import { OutboxRelay } from '../../../src/platform/queue/outbox.js';
import { createTestApp, type TestApp } from '../../helpers/context.js';
import { ADMIN_URL, databaseUrl, testDatabaseName } from '../../helpers/env.js';
import { startPgBouncer, type PgBouncer } from '../../helpers/pgbouncer.js';
import { outboxDrained } from '../../helpers/wait.js';

// Two server connections per database, shared by every client: where a session-level lock or a
// named statement would land is up to pgbouncer, as in production under load.
let bouncer: PgBouncer;
beforeAll(async () => {
  bouncer = await startPgBouncer({ poolSize: 2 });
});
afterAll(async () => {
  await bouncer?.stop();
});

async function adminQuery(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(text).finally(() => c.end());
}

describe('migrations through pgbouncer in transaction mode', () => {
  it('applies each migration exactly once when four processes migrate an empty database at once', async () => {
    const name = testDatabaseName();
    await adminQuery(`CREATE DATABASE ${name}`);
    try {
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => migrate(bouncer.url(name))));
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      const versions = (await readMigrations()).map((m) => m.version);
      expect(applied.sort()).toEqual(versions);
      const c = new pg.Client({ connectionString: databaseUrl(name) });
      await c.connect();
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations').finally(() => c.end());
      expect(rows[0]!.n).toBe(versions.length);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});

describe('an app whose DATABASE_URL is pgbouncer, without DATABASE_DIRECT_URL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(({ name }) => ({ DATABASE_URL: bouncer.url(name), DATABASE_PREPARED_STATEMENTS: 'false' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs one full reindex at a time: every reindex asked for while one runs joins it', async () => {
    const index = t.app.services.search.index;
    let enter!: () => void;
    let leave!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    const mayGoOn = new Promise<void>((resolve) => (leave = resolve));
    const first = index.reindex('manual', async () => {
      enter();
      await mayGoOn;
    });
    await entered;
    // Several at once, so they reach every server connection (a session lock is on one of them).
    const others = await Promise.all([1, 2, 3, 4, 5].map((i) => index.reindex(`retry-${i}`)));
    leave();
    const done = await first;
    expect(others.map((o) => o.joined)).toEqual([true, true, true, true, true]);
    expect(new Set(others.map((o) => o.runId))).toEqual(new Set([done.runId]));
    expect(await index.reindex('after')).not.toHaveProperty('joined'); // the lock went with the run
  });

  it('runs one rollup of a period at a time: a second run waits for the first to finish', async () => {
    const db = t.app.database.db;
    const steps: string[] = [];
    let busyTries = 0;
    let enter!: () => void;
    let leave!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    const mayGoOn = new Promise<void>((resolve) => (leave = resolve));
    // The period's statements, seen from outside; the first run is held after it marked the period started.
    class Probe extends RollupRepository {
      override async tryLockPeriod(key: string): Promise<boolean> {
        const locked = await super.tryLockPeriod(key);
        if (!locked) busyTries++;
        return locked;
      }
      override async markStarted(p: Parameters<RollupRepository['markStarted']>[0]): Promise<void> {
        const n = steps.filter((s) => s === 'start').length;
        steps.push('start');
        await super.markStarted(p);
        if (n === 0) {
          enter();
          await mayGoOn;
        }
      }
      override async markCompleted(type: Parameters<RollupRepository['markCompleted']>[0], start: Date): Promise<void> {
        await super.markCompleted(type, start);
        steps.push('end');
      }
    }
    const aggregation = new AggregationService({
      db, log: t.app.log, retentionMonths: 1200, events: new EventsRepository(db), rollups: new Probe(db), runLog: new RunLogRepository(db),
    });
    const period = { type: 'hourly' as const, start: new Date(Date.UTC(2026, 0, 5, 10)), trigger: 'manual' as const };
    const first = aggregation.run(period);
    await entered;
    const second = aggregation.run(period);
    await expect.poll(() => busyTries).toBeGreaterThan(1);
    expect(steps).toEqual(['start']);
    leave();
    await Promise.all([first, second]);
    expect(steps).toEqual(['start', 'end', 'start', 'end']);
  });

  it('relays the outbox by polling: it does not LISTEN through the pooler, and delivers', async () => {
    const relay = new OutboxRelay({ db: t.app.database.db, pool: t.app.database.pool, queues: t.app.queues, redis: t.app.redis, prefix: t.prefix, log: t.app.log, pollMs: 50 });
    await relay.start();
    try {
      expect(relay.listening).toBe(false);
    } finally {
      await relay.stop();
    }
    const user = await t.user();
    await t.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'Through pgbouncer', message: 'm' });
    expect(await outboxDrained(t.app)).toBe(true);
    const list = await t.call('GET', '/api/notifications', { as: user });
    expect(list.body.data.map((n: { title: string }) => n.title)).toEqual(['Through pgbouncer']);
  });

  it('serves the inbox reads, which are named statements elsewhere, with DATABASE_PREPARED_STATEMENTS=false', async () => {
    const user = await t.user();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.call('GET', i % 2 ? '/api/notifications?read=false' : '/api/notifications/unread-count', { as: user })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  });
});

describe('DATABASE_PREPARED_STATEMENTS', () => {
  const named = (i: number) => ({ name: 'herald_test_named', text: 'SELECT $1::int AS n', values: [i] });

  it('false: a statement given a name is sent unnamed (none is prepared in the session)', async () => {
    const direct = createDb(ADMIN_URL, { max: 1, preparedStatements: false });
    const prepared = createDb(ADMIN_URL, { max: 1 });
    try {
      await direct.pool.query(named(1));
      const client = await direct.pool.connect();
      try {
        await client.query(named(2));
        expect((await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0].n).toBe(0);
      } finally {
        client.release();
      }
      await prepared.pool.query(named(1));
      expect((await prepared.pool.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0].n).toBe(1);
    } finally {
      await direct.close();
      await prepared.close();
    }
  });

  it('is what makes named statements work through pgbouncer (with them, the same reads fail)', async () => {
    const run = async (preparedStatements: boolean) => {
      const handle = createDb(bouncer.url('postgres'), { max: 4, preparedStatements });
      try {
        return await Promise.allSettled(Array.from({ length: 40 }, (_, i) => handle.pool.query(named(i))));
      } finally {
        await handle.close();
      }
    };
    expect((await run(false)).every((r) => r.status === 'fulfilled')).toBe(true);
    expect((await run(true)).some((r) => r.status === 'rejected')).toBe(true);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryMaintenance } from '../../src/job-console/history-maintenance.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Job history's retention by partitions (the daily job-history-maintenance schedule): days ahead
 * made, whole days past JOB_HISTORY_DAYS dropped with their rows, the horizon day kept, and two
 * runs at once (two worker processes) both succeed.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
});
afterAll(() => t.close());

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const partitions = async () => (await sql<{ name: string }>`
  SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'job_history'::regclass ORDER BY 1`.execute(t.app.database.db)).rows.map((r) => r.name);
const ensure = (day: string) => sql`SELECT job_history_ensure_partition(${day}::date)`.execute(t.app.database.db);
const insertAt = (jobId: string, at: number) => sql`
  INSERT INTO job_history (queue, job_id, name, state, attempts, created_at, finished_at, search_text)
  VALUES ('job-console', ${jobId}, 'JobHistoryMaintain', 'completed', 1, ${new Date(at)}, ${new Date(at)}, ${jobId})`.execute(t.app.database.db);
const jobIds = async () => (await t.app.database.db.selectFrom('job_history').select('job_id').orderBy('job_id').execute()).map((r) => r.job_id);
const maintenance = (days: number) => new HistoryMaintenance({ db: t.app.database.db, log: createLogger('silent'), days });

describe('job history maintenance', () => {
  it('drops the days past the horizon with their rows, keeps the horizon day, makes the days ahead', async () => {
    const now = Date.UTC(2030, 5, 15, 0, 15); // the schedule's 00:15 UTC
    const today = Date.UTC(2030, 5, 15);
    const horizon = today - 30 * DAY; // 2030-05-16: kept whole
    for (const day of [horizon - DAY, horizon, horizon + DAY]) await ensure(iso(day));
    await insertAt('old-late', horizon - 1); // 23:59:59.999 the day before the horizon
    await insertAt('horizon-early', horizon); // 00:00 on the horizon day
    await insertAt('recent', horizon + DAY + 3_600_000);

    const result = await maintenance(30).maintain(new Date(now));
    expect(result.dropped).toEqual(['20300515']);
    const names = await partitions();
    expect(names).not.toContain('job_history_p20300515');
    for (const kept of ['20300516', '20300517', '20300615', '20300616', '20300617', '20300618']) expect(names).toContain(`job_history_p${kept}`);
    expect(await jobIds()).toEqual(['horizon-early', 'recent']);
    // A second run the same day changes nothing.
    expect((await maintenance(30).maintain(new Date(now))).dropped).toEqual([]);
  });

  it('two runs at once (two worker processes) both succeed and leave the same result', async () => {
    const now = new Date(Date.UTC(2030, 8, 1, 0, 15));
    // Several old days and six runs: two DROPs of one partition at once made PostgreSQL fail one
    // ("could not find tuple for parent of relation", XX000) before the DDL went one at a time.
    const olds = [40, 41, 42].map((d) => Date.UTC(2030, 8, 1) - d * DAY);
    for (const old of olds) {
      await ensure(iso(old));
      await insertAt(`race-old-${old}`, old + 1_000);
    }
    const results = await Promise.all(Array.from({ length: 6 }, () => maintenance(30).maintain(now)));
    expect(results.every((r) => r.created === 4)).toBe(true);
    // Each run saw an old partition or did not; none failed, and they are gone.
    const names = await partitions();
    for (const old of olds) {
      expect(results.some((r) => r.dropped.includes(iso(old).replaceAll('-', '')))).toBe(true);
      expect(names).not.toContain(`job_history_p${iso(old).replaceAll('-', '')}`);
    }
    for (const d of ['20300901', '20300902', '20300903', '20300904']) expect(names).toContain(`job_history_p${d}`);
    expect((await jobIds()).filter((id) => id.startsWith('race-old'))).toEqual([]);
  });

  it('never drops a partition that is not a day of job history', async () => {
    await sql`CREATE TABLE job_history_pmanual PARTITION OF job_history FOR VALUES FROM ('1990-01-01') TO ('1990-01-02')`.execute(t.app.database.db);
    await maintenance(1).maintain(new Date(Date.UTC(2030, 9, 1)));
    expect(await partitions()).toContain('job_history_pmanual');
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { completeJobRows, failJobRows } from '../../src/platform/queue/outbox-fixed.js';
import { enqueueInTx } from '../../src/platform/queue/outbox.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Review of issue 17 (whose snooze wake-ups and quiet-hours held emails are fixed-id jobs): the
 * relay adds a fixed-id job to Redis inside its transaction and commits the row's relayed_at
 * after. A job due at once (a wake-up relayed after its `until`, a held email after its window)
 * can run and finish before that commit; the worker then completed "the relayed rows" on a
 * snapshot where the row was not relayed yet, and the row stayed open for good (re-driven after
 * every Redis flush; a drain never ended). Here the relay's transaction is held open by hand at
 * that moment, deterministically.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
});
afterAll(() => t.close());

const db = () => t.app.database.db;
const add = (jobId: string) =>
  db().transaction().execute((tx) => enqueueInTx(tx, 'blog-publish', 'BlogPublish', { postId: jobId }, { jobId, runAt: new Date(Date.now() - 1_000) }));
const row = async (jobId: string) => (await sql<{ relayed: boolean; completed: boolean; failed: boolean }>`
  SELECT relayed_at IS NOT NULL AS relayed, completed_at IS NOT NULL AS completed, failed_at IS NOT NULL AS failed FROM outbox WHERE job_id = ${jobId}`.execute(db())).rows[0]!;
const waitingForLock = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM outbox%'`.execute(db())).rows[0]!.n > 0;

/** Runs `finish` while a relay's transaction holds the row claimed and has not committed relayed_at yet. */
async function whileRelayCommits(jobId: string, finish: () => Promise<unknown>) {
  const relay = await t.app.database.pool.connect();
  try {
    await relay.query('BEGIN');
    await relay.query('SELECT id FROM outbox WHERE job_id = $1 FOR UPDATE SKIP LOCKED', [jobId]);
    // (the relay adds the job to Redis here; the worker runs it and reports it done)
    let settled = false;
    const done = finish().finally(() => { settled = true; });
    expect(await waitFor(async () => settled || (await waitingForLock()), 10_000, 10)).toBe(true);
    await relay.query('UPDATE outbox SET relayed_at = now() WHERE job_id = $1', [jobId]);
    await relay.query('COMMIT');
    await done;
  } finally {
    relay.release();
  }
}

describe('a fixed-id job that finishes before its relay committed', () => {
  it('its success completes the row it was relayed from', async () => {
    await add('race-complete');
    await whileRelayCommits('race-complete', () => completeJobRows(db(), 'blog-publish', 'race-complete', { relayedOnly: true }));
    expect(await row('race-complete')).toEqual({ relayed: true, completed: true, failed: false });
  });

  it('its failure for good fails that row', async () => {
    await add('race-fail');
    await whileRelayCommits('race-fail', () => failJobRows(db(), 'blog-publish', 'race-fail'));
    expect(await row('race-fail')).toEqual({ relayed: true, completed: false, failed: true });
  });
});

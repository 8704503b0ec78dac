import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ingestionApp } from '../analytics/helpers.js';
import { idSequence } from '../analytics/id-sequence.js';

// Review of 9c5e34d: blocks a process held across a lowered increment were said to stay its own,
// but the last block reserved started at the sequence's last value L, and after the increment was
// lowered the next nextval of any other writer (an INSERT's default, one nextval a row, no check)
// was L+step, inside it: an id stored twice. Now a reservation never uses its highest value
// (usableBlocks), so L+step falls in that unused block. The ingest-id-prefetch test's 'blocks held
// ahead' case, with the other writer after the ALTER.
const held = ingestionApp({ ANALYTICS_ID_PREFETCH: '4', ANALYTICS_ID_PREFETCH_MAX_AGE_MS: '60000' });
const seq = idSequence(held);

it('a block held across a lowered increment stays the process\'s own: a writer after the ALTER stores no id twice', async () => {
  const post = await seq.poster();
  const asset = randomUUID();
  expect((await post(seq.events(10, asset))).status).toBe(202); // reserves 4 blocks, takes 1; 3 held
  await seq.alterStep(100);
  try {
    // Another writer after the ALTER (an INSERT's default, as the previous release's code path does).
    await held.db().insertInto('analytics_events').values({ occurred_at: new Date(), event_type: 'asset_viewed', asset_id: asset }).execute();
    for (let i = 0; i < 3; i++) expect((await post(seq.events(500, asset))).status).toBe(202);
  } finally {
    await seq.realign();
  }
  const twice = await sql<{ id: string; n: number }>`SELECT id::text, count(*)::int AS n FROM analytics_events GROUP BY id HAVING count(*) > 1`.execute(held.db());
  expect(twice.rows).toEqual([]);
});

import { describe, expect, it } from 'vitest';
import { BATCH_MAX_CHARS, batchLength } from '../../src/platform/queue/job-history.js';
import type { JobHistoryRow } from '../../src/platform/queue/job-history.rules.js';

const row = (dataChars: number): JobHistoryRow => ({
  queue: 'q', job_id: '1', name: 'n', state: 'completed', data: dataChars ? `"${'x'.repeat(dataChars - 2)}"` : null, return_summary: null,
  failed_reason: null, stacktrace: null, attempts: 1, created_at: '2026-12-06T00:00:00.000Z', processed_at: null,
  finished_at: '2026-12-06T00:00:00.000Z', wait_ms: null, run_ms: null, worker: null, schedule_id: null, search_text: '1 n',
});

/**
 * One history INSERT stays within BATCH_MAX_CHARS of row text whatever JOB_HISTORY_BATCH and
 * JOB_HISTORY_DATA_MAX_BYTES allow: a batch of 10,000 rows of 1 MiB each would build a statement
 * past V8's string limit, fail every tick and be retried forever (the review's poison batch).
 */
describe('batchLength', () => {
  it('takes a whole batch of small rows, or what is buffered', () => {
    expect(batchLength(Array.from({ length: 700 }, () => row(100)), 500)).toBe(500);
    expect(batchLength(Array.from({ length: 70 }, () => row(100)), 500)).toBe(70);
    expect(batchLength([], 500)).toBe(0);
  });

  it('stops before the rows pass the character bound', () => {
    const big = Array.from({ length: 10_000 }, () => row(1_048_576));
    const n = batchLength(big, 10_000);
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThan(40);
    expect(n * 1_048_576).toBeLessThanOrEqual(BATCH_MAX_CHARS);
  });

  it('takes one row even when that row alone passes the bound (it is written, or refused alone)', () => {
    expect(batchLength([row(5_000), row(5_000)], 500, 1_000)).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { historyRunView, isRunOf, liveRunView, manualRunDedupId, mergeRuns, RUNS_SHOWN, triggerOf, type RunView } from '../../src/job-console/schedules.rules.js';
import { catchUpJobId, manualRunJobId } from '../../src/platform/queue/schedules.js';

// The schedules part's pure rules, without the app (the endpoints: schedules.test.ts).

describe('triggerOf', () => {
  it('tells an iteration, a keeper catch-up and an admin run apart by id', () => {
    expect(triggerOf('repeat:digest-daily:1760000000000')).toBe('schedule');
    expect(triggerOf(catchUpJobId('digest-daily', 1760000000000))).toBe('catch-up');
    expect(triggerOf(manualRunJobId('digest-daily', 1760000000000))).toBe('manual');
  });
});

describe('isRunOf', () => {
  it('claims the runs of one schedule exactly, not those of one sharing its prefix', () => {
    const ms = 1760000000000;
    for (const id of [`repeat:digest-daily:${ms}`, catchUpJobId('digest-daily', ms), manualRunJobId('digest-daily', ms)]) {
      expect(isRunOf(id, 'digest-daily')).toBe(true);
      expect(isRunOf(id, 'digest-daily-zoned')).toBe(false);
      expect(isRunOf(id, 'digest')).toBe(false);
    }
    expect(isRunOf(manualRunJobId('digest-daily-zoned', 3), 'digest-daily')).toBe(false);
    expect(isRunOf('repeat:digest-daily-zoned:1', 'digest-daily')).toBe(false);
    expect(isRunOf('outbox-12', 'digest-daily')).toBe(false);
    expect(isRunOf('schedule-run-digest-daily-', 'digest-daily')).toBe(false);
    expect(isRunOf('repeat:digest-daily:x', 'digest-daily')).toBe(false);
    // The whole id, not a part of it.
    expect(isRunOf('old-repeat:digest-daily:1', 'digest-daily')).toBe(false);
    expect(isRunOf('repeat:digest-daily:12abc', 'digest-daily')).toBe(false);
    expect(isRunOf('x-schedule-run-digest-daily-1', 'digest-daily')).toBe(false);
    expect(isRunOf('schedule-run-digest-daily-12abc', 'digest-daily')).toBe(false);
  });

  it('names the deduplication key of a schedule\'s run-now by the schedule alone', () => {
    expect(manualRunDedupId('digest-daily')).toBe('schedule-run-digest-daily');
  });
});

describe('run views', () => {
  const row = { job_id: 'repeat:media-sweep:1', state: 'completed', processed_at: new Date('2025-10-18T09:00:00.010Z'), finished_at: new Date('2025-10-18T09:00:01.010Z'), run_ms: 1000, failed_reason: null, return_summary: '{"scanned":4}' };

  it('reads a history row as a run, an iteration the worker skipped while paused as skipped', () => {
    expect(historyRunView(row)).toEqual({
      jobId: 'repeat:media-sweep:1', trigger: 'schedule', state: 'completed', startedAt: '2025-10-18T09:00:00.010Z', finishedAt: '2025-10-18T09:00:01.010Z', durationMs: 1000, failedReason: null,
    });
    expect(historyRunView({ ...row, return_summary: '{"skipped":"paused"}' }).state).toBe('skipped');
    expect(historyRunView({ ...row, state: 'failed', return_summary: '{"skipped":"paused"}', failed_reason: 'x' })).toMatchObject({ state: 'failed', failedReason: 'x' });
    expect(historyRunView({ ...row, processed_at: null, run_ms: null })).toMatchObject({ startedAt: null, durationMs: null });
  });

  it('reads a live job as a run not yet finished', () => {
    expect(liveRunView({ id: manualRunJobId('media-sweep', 5), state: 'active', processedOn: Date.parse('2025-10-18T09:00:00Z') })).toEqual({
      jobId: 'schedule-run-media-sweep-5', trigger: 'manual', state: 'active', startedAt: '2025-10-18T09:00:00.000Z', finishedAt: null, durationMs: null, failedReason: null,
    });
    expect(liveRunView({ id: 'repeat:media-sweep:9', state: 'waiting' }).startedAt).toBeNull();
  });

  it('puts live runs first, each job once (the live one wins), RUNS_SHOWN in all', () => {
    const run = (jobId: string, state = 'completed'): RunView => ({ jobId, trigger: triggerOf(jobId), state, startedAt: null, finishedAt: null, durationMs: null, failedReason: null });
    const finished = Array.from({ length: 30 }, (_, i) => run(`repeat:s:${100 - i}`));
    const live = [run('schedule-run-s-200', 'waiting'), run('repeat:s:100', 'active')];
    const merged = mergeRuns(live, finished);
    expect(merged).toHaveLength(RUNS_SHOWN);
    expect(merged.slice(0, 3).map((r) => [r.jobId, r.state])).toEqual([['schedule-run-s-200', 'waiting'], ['repeat:s:100', 'active'], ['repeat:s:99', 'completed']]);
    expect(new Set(merged.map((r) => r.jobId)).size).toBe(RUNS_SHOWN);
    expect(mergeRuns([], finished.slice(0, 3))).toHaveLength(3);
  });
});

import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { JOB_SCHEMAS, QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { SCHEDULES } from '../../src/platform/queue/schedules.js';
import { payloadIssues } from '../../src/platform/queue/workers.js';

/** The registry's payload schemas, without Redis: what the code itself produces must pass them. */
describe('job payload schemas', () => {
  const schemaOf = (queue: string, job: string) => (JOB_SCHEMAS as unknown as Record<string, Record<string, z.ZodType>>)[queue]![job]!;

  it('cover every queue of the registry', () => {
    expect(Object.keys(JOB_SCHEMAS).sort()).toEqual([...QUEUE_NAMES].sort());
  });

  it('accept the data of every schedule (a scheduler job that failed its schema would never run)', () => {
    const refused = SCHEDULES.filter((s) => !schemaOf(s.queue, s.job).safeParse(s.data).success).map((s) => s.id);
    expect(refused).toEqual([]);
  });

  it('accept {} for jobs without a payload and leave optional fields optional', () => {
    for (const [queue, job] of [['analytics-aggregation', 'AnalyticsMaintain'], ['analytics-aggregation', 'AnalyticsLatePass'], ['media-scan', 'MediaSweep'], ['blog-publish', 'BlogReconcile']] as const) {
      expect({ queue, job, ok: schemaOf(queue, job).safeParse({}).success }).toEqual({ queue, job, ok: true });
    }
    expect(JOB_SCHEMAS['notification-digest'].DigestSend.safeParse({ runId: null, frequency: 'DAILY', runAt: '2026-01-01T09:00:00.000Z', users: [] }).success).toBe(true);
    // The rows migration 0014's trigger writes when assets are deleted.
    expect(JOB_SCHEMAS['media-scan'].MediaFilesDelete.safeParse({ keys: [], uploads: ['assets/a/u/original'] }).success).toBe(true);
  });

  it('refuse what the payload types do not allow', () => {
    expect(JOB_SCHEMAS['search-index-update'].SearchIndexUpdate.safeParse({ entityType: 'brand', entityId: 'b' }).success).toBe(true);
    expect(JOB_SCHEMAS['search-index-bulk'].SearchIndexBulk.safeParse({ entityType: 'brand', entityIds: [] }).success).toBe(false);
    expect(JOB_SCHEMAS['notification-digest'].DigestSend.safeParse({ frequency: 'DAILY', runAt: 'x', users: [] }).success).toBe(false);
  });

  it('report a few issues with their paths, and how many more there were', () => {
    const result = JOB_SCHEMAS['notification-delivery'].NotificationsDeliver.safeParse({ notificationIds: [1, 2, 3, 4, 5, 6, 7] });
    expect(result.success).toBe(false);
    expect(payloadIssues(result.error!, 2)).toBe(
      'notificationIds.0: Invalid input: expected string, received number; notificationIds.1: Invalid input: expected string, received number (and 5 more)',
    );
  });
});

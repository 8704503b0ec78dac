import type pg from 'pg';

/**
 * Job history rows for the search bench, set-based (one INSERT … SELECT generate_series per UTC
 * day): a realistic mix of queues and job names, ~6 % failures with reasons from a small set of
 * real-looking errors (one of them rare: 'quasar', about 1 row in 10,000), data with uuids, spread
 * evenly over `days` days ending now. search_text is built as the writer builds it
 * (platform/queue/job-history.rules.ts searchText): job id, name, failure reason and the data's leaf
 * values (no keys), lower-cased.
 */

/** Queue, job name, share (per mille) and how its data looks (`$u1`/`$u2`: uuids, `$n`: a number). */
const KINDS: ReadonlyArray<readonly [queue: string, name: string, perMille: number, data: string]> = [
  ['notification-delivery', 'NotificationsDeliver', 420, '{"notificationIds": ["$u1", "$u2"]}'],
  ['search-index-update', 'SearchIndexUpdate', 180, '{"entityType": "asset", "entityId": "$u1"}'],
  ['webhook-delivery', 'WebhookDeliver', 120, '{"id": "$u1"}'],
  ['analytics-enrichment', 'AnalyticsEnrich', 80, '{"fromId": "$n", "toId": "$n9", "from": "2025-10-18T09:00:00.000Z", "to": "2025-10-18T09:01:00.000Z"}'],
  ['notification-fanout', 'NotificationBatchFanOut', 40, '{"batchId": "$u1"}'],
  ['notification-digest', 'DigestSend', 40, '{"runId": "$u2", "runAt": "2025-10-18T09:00:00.000Z", "users": [{"userId": "$u1", "periodKey": "2025-10-18"}]}'],
  ['media-scan', 'MediaScan', 40, '{"assetId": "$u1", "storageKey": "assets/$u1/original.mp4", "uploadedBy": "$u2"}'],
  ['media-thumbnail', 'MediaThumbnail', 30, '{"assetId": "$u1", "storageKey": "assets/$u1/original.jpg"}'],
  ['file-preview-generation', 'PreviewGenerate', 30, '{"assetId": "$u1", "storageKey": "assets/$u1/original.mov", "trigger": "upload"}'],
  ['notification-inbox', 'NotificationWake', 15, '{"id": "$u1", "until": "2025-10-18T09:00:00.000Z"}'],
  ['blog-publish', 'BlogPublish', 5, '{"postId": "$u1"}'],
];

/** Failure reasons (about 6 % of rows fail), the last one rare. */
export const REASONS = [
  'connect ECONNREFUSED 10.0.3.12:587',
  'SMTP 421 4.7.0 Try again later, closing connection',
  'Timeout of 30000ms exceeded while waiting for the webhook endpoint',
  'webhook endpoint answered 503 Service Unavailable',
  'ffmpeg exited with code 1: moov atom not found',
  'clamd: INSTREAM size limit exceeded',
  'deadlock detected while updating analytics_rollups',
  'quasar flux capacitor misaligned',
] as const;

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Fills `rows` history rows over the last `days` UTC days (ending at `now`); returns the seconds it took. */
export async function fillJobHistory(client: pg.Client, rows: number, days = 30, now = new Date(), onDay?: (day: number) => void): Promise<number> {
  const started = performance.now();
  const perDay = Math.ceil(rows / days);
  const cumulative: number[] = [];
  KINDS.reduce((sum, k) => (cumulative.push(sum + k[2]), sum + k[2]), 0);
  const kindCase = KINDS.map((k, i) => `WHEN r.k < ${cumulative[i]! / 1000} THEN ${i}`).join(' ');
  const kindValues = KINDS.map((k, i) => `(${i}, ${literal(k[0])}, ${literal(k[1])}, ${literal(k[3])})`).join(', ');
  const reasons = `(ARRAY[${REASONS.map(literal).join(', ')}])`;
  const end = now.getTime();
  let left = rows;
  for (let d = days - 1; d >= 0 && left > 0; d--) {
    const n = Math.min(perDay, left);
    left -= n;
    // The day's window: [dayStart, dayEnd) clipped to now.
    const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - d);
    const dayEnd = Math.min(dayStart + 86_400_000, end);
    await client.query(`SELECT job_history_ensure_partition($1::date)`, [new Date(dayStart).toISOString().slice(0, 10)]);
    await client.query(`
      WITH kinds(i, queue, name, data) AS (VALUES ${kindValues}),
      r AS (
        SELECT g, random() AS k, random() AS f, random() AS t, random() AS rr, gen_random_uuid()::text AS u1, gen_random_uuid()::text AS u2,
          (random() * 1000)::int AS wait, (random() * random() * 5000)::int AS run
        FROM generate_series(1, $1::int) g
      ),
      rows AS (
        SELECT kinds.queue, kinds.name,
          CASE WHEN kinds.queue IN ('webhook-delivery', 'notification-delivery', 'search-index-update') THEN 'outbox-' || ($4::bigint * 100000 + g) ELSE r.u2 END AS job_id,
          replace(replace(replace(kinds.data, '$u1', r.u1), '$u2', r.u2), '$n', g::text)::jsonb AS data,
          CASE WHEN r.f < 0.06 THEN CASE WHEN r.rr < 0.0017 THEN ${reasons}[8] ELSE ${reasons}[1 + (r.rr * 7)::int % 7] END END AS failed_reason,
          to_timestamp(($2::bigint + r.t * ($3::bigint - $2::bigint)) / 1000.0) AS finished_at, r.wait, r.run
        FROM r JOIN kinds ON kinds.i = CASE ${kindCase} ELSE ${KINDS.length - 1} END
      )
      INSERT INTO job_history (queue, job_id, name, state, data, failed_reason, stacktrace, attempts, created_at, processed_at, finished_at, wait_ms, run_ms, worker, schedule_id, search_text)
      SELECT queue, job_id, name, CASE WHEN failed_reason IS NULL THEN 'completed' ELSE 'failed' END, data, failed_reason,
        CASE WHEN failed_reason IS NOT NULL THEN 'Error: ' || failed_reason || E'\n    at handler (src/' || name || '.ts:42:11)' END,
        CASE WHEN failed_reason IS NULL THEN 1 ELSE 5 END,
        finished_at - make_interval(secs => (wait + run) / 1000.0), finished_at - make_interval(secs => run / 1000.0), finished_at, wait, run,
        'worker-' || (abs(hashtext(job_id)) % 4) || '-4242-a1b2c3', NULL,
        lower(concat_ws(' ', job_id, name, failed_reason,
          (SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(data, 'strict $.**') v WHERE jsonb_typeof(v) NOT IN ('object', 'array'))))
      FROM rows`, [n, dayStart, dayEnd, d]);
    onDay?.(days - d);
  }
  await client.query('ANALYZE job_history');
  return (performance.now() - started) / 1000;
}

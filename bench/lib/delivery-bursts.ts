import type { CountingSink } from './counting-sink.js';
import { CONTENT } from './delivery-helpers.js';

/**
 * Issue 21's delivery line: a burst of IMMEDIATE emails timed from the first API call (POST
 * /api/admin/notifications, `perCall` users a call) until the sink has the last email. The
 * clock starts before the first request, so the outbox relay, the job pick-up and the first
 * claims (the latency a small burst feels most) are inside the figure, not only the sending rate.
 */

export interface BurstResult {
  emails: number;
  seconds: number;
  emailsPerSec: number;
  calls: number;
  /** From the first request until the last one answered (the rows and their outbox rows committed). */
  callsSeconds: number;
  /** From the first request until the sink had the first email of this burst. */
  firstEmailSeconds: number;
  /** Messages the sink took in this burst beyond `emails` (after a settle), and repeated notification ids. */
  extraMessages: number;
  duplicates: number;
}

/** The users of a burst of `count` notifications: rounds over `userIds`, `perCall` a call. */
export function burstCalls(userIds: readonly string[], count: number, perCall: number): string[][] {
  const calls: string[][] = [];
  for (let left = count; left > 0;) {
    for (let i = 0; i < userIds.length && left > 0; i += perCall) {
      const slice = userIds.slice(i, i + Math.min(perCall, left));
      calls.push(slice);
      left -= slice.length;
    }
  }
  return calls;
}

export async function apiBurst(options: {
  baseUrl: string; adminToken: string; userIds: readonly string[]; count: number; sink: CountingSink; perCall: number; timeoutMs: number; settleMs?: number;
}): Promise<BurstResult> {
  const { sink, count } = options;
  const calls = burstCalls(options.userIds, count, options.perCall);
  const before = sink.count;
  const duplicatesBefore = sink.duplicates;
  let firstEmailAt = 0;
  const started = performance.now();
  const watchFirst = (async () => {
    while (sink.count === before && performance.now() - started < options.timeoutMs) await new Promise((r) => setTimeout(r, 1));
    firstEmailAt = performance.now();
  })();
  for (const userIds of calls) {
    const res = await fetch(`${options.baseUrl}/api/admin/notifications`, {
      method: 'POST', headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userIds, type: CONTENT.type, title: CONTENT.title, message: CONTENT.message, actionUrl: CONTENT.actionUrl, priority: CONTENT.priority, metadata: CONTENT.metadata }),
    });
    const body = await res.json() as { data?: { created?: number } };
    if (res.status !== 202 || body.data?.created !== userIds.length) throw new Error(`POST /api/admin/notifications: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  const callsSeconds = (performance.now() - started) / 1000;
  if (!(await sink.waitFor(`burst of ${count}`, before + count, options.timeoutMs))) throw new Error(`burst of ${count}: only ${sink.count - before} emails within ${options.timeoutMs / 1000} s`);
  const seconds = (performance.now() - started) / 1000;
  await watchFirst;
  // A late duplicate would arrive now.
  await new Promise((r) => setTimeout(r, options.settleMs ?? 1_000));
  return {
    emails: count, seconds: Number(seconds.toFixed(3)), emailsPerSec: Math.round(count / seconds), calls: calls.length,
    callsSeconds: Number(callsSeconds.toFixed(3)), firstEmailSeconds: Number(((firstEmailAt - started) / 1000).toFixed(3)),
    extraMessages: sink.count - before - count, duplicates: sink.duplicates - duplicatesBefore,
  };
}

/** The median of a few runs' values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

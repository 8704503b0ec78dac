import type { Executor } from '../platform/db/client.js';
import { completeJobRows, removeJobInTx } from '../platform/queue/outbox-fixed.js';
import { enqueueInTx } from '../platform/queue/outbox.js';

export const PUBLISH_QUEUE = 'blog-publish' as const;

/**
 * The publication job of a post, in the transaction that schedules it: one delayed job whose id is
 * the post's id, so scheduling again moves it. Call with the post's row locked (FOR UPDATE): the
 * outbox takes the newest row of a job id as the intent, so rows must be written in order.
 */
export function armPublishInTx(tx: Executor, postId: string, publishAt: Date): Promise<void> {
  return enqueueInTx(tx, PUBLISH_QUEUE, 'BlogPublish', { postId }, { jobId: postId, runAt: publishAt });
}

/** The post left SCHEDULED: its job goes (a running one finds nothing to do). Same locking as above. */
export function disarmPublishInTx(tx: Executor, postId: string): Promise<void> {
  return removeJobInTx(tx, PUBLISH_QUEUE, postId);
}

/** The post's publication is settled: its outbox rows are done (`relayedOnly`: keep those written since the running job). */
export function settlePublishRows(tx: Executor, postId: string, relayedOnly = false): Promise<number> {
  return completeJobRows(tx, PUBLISH_QUEUE, postId, { relayedOnly });
}

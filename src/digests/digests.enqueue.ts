import type { Executor } from '../platform/db/client.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { DigestKind } from './digest.time.js';

/** A user left DAILY/WEEKLY for IMMEDIATE: what their digests still owed them goes out once. */
export interface DigestFlush {
  readonly userId: string;
  /** The frequency the user left. */
  readonly frequency: DigestKind;
  /** When the switch happened: the flush's period is `switch-<ms>`. */
  readonly at: Date;
  /**
   * The switch transaction's snapshot xmax: the flush waits until every transaction older than the
   * switch has finished (docs/ARCHITECTURE.md, "Digests: each notification in exactly one").
   */
  readonly until: string;
}

/**
 * The port notifications asks digests to flush through: call it in the transaction that changed
 * the frequency, so the flush is written (to the outbox) exactly when the switch commits. The
 * DigestSend payload stays digests' own business.
 */
export function enqueueDigestFlushInTx(tx: Executor, flush: DigestFlush): Promise<void> {
  return enqueueInTx(tx, 'notification-digest', 'DigestSend', {
    runId: null, frequency: flush.frequency, runAt: flush.at.toISOString(), users: [{ userId: flush.userId, periodKey: `switch-${flush.at.getTime()}` }], flush: true, until: flush.until,
  });
}

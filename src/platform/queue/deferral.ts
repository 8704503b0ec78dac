/**
 * Thrown by a handler whose work is held elsewhere until `until` (an email claim leased by another
 * attempt, perhaps one in a worker that was killed): the worker pool puts the job back as delayed
 * until then without using up an attempt. Retrying on the usual backoff instead would spend every
 * attempt in seconds, long before a crashed holder's lease runs out, and fail the job for good.
 */
export class DeferUntilError extends Error {
  override readonly name = 'DeferUntilError';

  constructor(readonly until: Date, message: string) {
    super(message);
  }
}

/** Past the holder's lease, so the next attempt finds the claim free (clocks of PostgreSQL and workers differ a little). */
export const DEFER_MARGIN_MS = 250;

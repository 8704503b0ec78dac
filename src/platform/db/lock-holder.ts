import { sql } from 'kysely';
import type { Db, Tx } from './client.js';

/**
 * Takes a transaction-scoped lock (pg_try_advisory_xact_lock) in `tx`: false when another holds
 * it. One statement without parameters (keys inlined with sql.lit), so pg sends it as a simple
 * query: a parameterised one leaves its unnamed portal, and with it a snapshot (backend_xmin),
 * open for as long as the holder lives, which holds back vacuum and makes CREATE INDEX
 * CONCURRENTLY wait for the holder.
 */
export type TryLock = (tx: Tx) => Promise<boolean>;

/**
 * Runs `work` while an open transaction of its own holds a lock, released when it ends (commit,
 * rollback, or its connection dropping with a crashed process). Single-flight work is held this
 * way, never by a session-level advisory lock: behind PgBouncer in transaction mode a session
 * lock stays on whichever server connection ran it, shared with other clients, and its unlock may
 * run on another one. A transaction keeps its server connection to itself from BEGIN to COMMIT.
 * `work` runs on other connections (its statements commit on their own), so the holder costs one
 * connection, idle in its transaction, for as long as the work lasts. Null when the lock is busy.
 */
export async function whileHeld<T>(db: Db, tryLock: TryLock, work: () => Promise<T>): Promise<{ value: T } | null> {
  return db.transaction().execute(async (tx) => {
    // Idle in its transaction for the whole run: a server-wide idle_in_transaction_session_timeout
    // shorter than the run would end the holder and free the lock mid-run (a second run beside it).
    await sql`SET LOCAL idle_in_transaction_session_timeout = 0`.execute(tx);
    return (await tryLock(tx)) ? { value: await work() } : null;
  });
}

/**
 * whileHeld, waiting its turn: retried with a growing pause (up to `maxPauseMs`) while another
 * holds the lock. A blocking pg_advisory_xact_lock would wait holding a connection; behind a
 * small PgBouncer pool, waiters could pin every server connection while the holder's work waits
 * for one. Trying again costs a connection only for the moment of the try.
 */
export async function untilHeld<T>(db: Db, tryLock: TryLock, work: () => Promise<T>, maxPauseMs = 1_000): Promise<T> {
  for (let pause = 25; ; pause = Math.min(pause * 2, maxPauseMs)) {
    const held = await whileHeld(db, tryLock, work);
    if (held) return held.value;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

import type { Executor } from './client.js';

/**
 * Every repository's base: it holds one executor, the pool or a transaction. A module builds each
 * repository once over the pool and hands it to its services in their deps; a service that works
 * in a transaction takes the same repository over it with `in(tx)`, so no service constructs one.
 */
export abstract class Repository {
  /**
   * `readDb` is for the few reads that tolerate replica lag (docs/OPERATIONS.md lists them): the
   * read replica's Kysely when the module passes it, else `db`. Over a transaction both are it.
   */
  constructor(protected readonly db: Executor, protected readonly readDb: Executor = db) {}

  /** This repository over `tx` (a transaction, or the pool again), its reads included. */
  in(tx: Executor): this {
    return new (this.constructor as new (db: Executor) => this)(tx);
  }
}

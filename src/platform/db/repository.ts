import type { Executor } from './client.js';

/**
 * Every repository's base: it holds one executor, the pool or a transaction. A module builds each
 * repository once over the pool and hands it to its services in their deps; a service that works
 * in a transaction takes the same repository over it with `in(tx)`, so no service constructs one.
 */
export abstract class Repository {
  constructor(protected readonly db: Executor) {}

  /** This repository over `tx` (a transaction, or the pool again). */
  in(tx: Executor): this {
    return new (this.constructor as new (db: Executor) => this)(tx);
  }
}

/**
 * Id blocks (idBlock) reserved ahead by this process, so that a request without idempotency keys
 * needs no statement of its own to learn its ids: its BEGIN, day locks, COPY, late flags and COMMIT
 * then go to PostgreSQL in one write (copyInOneRoundTrip). One statement reserves `perFetch` blocks
 * (EventsRepository.reserveIdBlocks: durable before use, its highest value never used); measured on
 * bench:analytics, the round trip saved was ~8 % of PostgreSQL's CPU a request and as much of the
 * API's (docs/BENCHMARKS.md, issue 21).
 *
 * A block older than `maxAgeMs` is dropped, never taken: an operator who resets the sequence from
 * max(id) rather than as OPERATIONS says (from its last value too) could hand a block out again, and
 * a bounded age keeps the blocks a process holds to its last moments of traffic. (A request that
 * took one may still store it later, after waiting for a connection or a day lock.) Dropped and
 * unused blocks leave gaps in the ids, nothing else (ids are not dense).
 */
export interface IdBlocksOptions {
  /** Blocks one statement reserves (ANALYTICS_ID_PREFETCH). */
  readonly perFetch: number;
  /** Oldest a reserved block may be when taken (ANALYTICS_ID_PREFETCH_MAX_AGE_MS). */
  readonly maxAgeMs: number;
  /** Milliseconds of a clock that only moves forward (performance.now: a wall clock can be stepped back). */
  readonly now?: () => number;
}

export class IdBlocks {
  private blocks: string[] = [];
  private fetchedAt = 0;
  private pending: Promise<void> | null = null;

  /** `reserve(n)`: the first ids of n blocks of the events' id sequence (EventsRepository.reserveIdBlocks). */
  constructor(private readonly reserve: (count: number) => Promise<string[]>, private readonly options: IdBlocksOptions) {}

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /**
   * One reserved block's first id. Concurrent callers share one reservation statement; a caller that
   * waited for one takes from it whatever its age (else a maxAgeMs below a statement's duration
   * would never serve anyone), and callers beyond its blocks wait for the next.
   */
  async take(): Promise<string> {
    if (this.blocks.length > 0 && this.now() - this.fetchedAt <= this.options.maxAgeMs) return this.blocks.shift()!;
    for (;;) {
      this.pending ??= this.refill();
      await this.pending;
      const block = this.blocks.shift();
      if (block !== undefined) return block;
    }
  }

  private refill(): Promise<void> {
    return this.reserve(this.options.perFetch)
      .then((blocks) => {
        // Whatever was left is older than maxAgeMs (take() refills only then, or when none are left).
        this.blocks = blocks;
        this.fetchedAt = this.now();
      })
      .finally(() => {
        this.pending = null;
      });
  }
}

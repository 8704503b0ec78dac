/**
 * Group commit: requests submitted while a statement is running wait and go together in the next
 * one, so a burst pays one round trip (and one parse, plan and client-side build) per group
 * instead of one per request, and an idle process still sends a lone request at once (no timer).
 *
 * A group never holds two requests of one key (the second waits for the next group: one statement
 * must not update a row twice). A group that fails is run again request by request (`one`), so
 * one bad request fails alone, as it would have without grouping.
 */
export class GroupCommit<Req, Res> {
  private readonly pending: Array<{ req: Req; resolve: (res: Res) => void; reject: (err: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;

  constructor(private readonly options: {
    /** Runs a group; answers one result per request, in order. */
    readonly many: (reqs: readonly Req[]) => Promise<readonly Res[]>;
    /** Runs one request alone (a lone request, and each request of a group that failed). */
    readonly one: (req: Req) => Promise<Res>;
    readonly keyOf: (req: Req) => string;
    readonly maxGroup: number;
    /** Groups running at once. */
    readonly concurrency: number;
  }) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ req, resolve, reject });
      // Requests made in the same tick (a job starting its first hand-offs) form one group.
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.pending.length > 0) {
      const group = this.take();
      this.running++;
      void this.runGroup(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private take() {
    const keys = new Set<string>();
    const group: typeof this.pending = [];
    for (let i = 0; i < this.pending.length && group.length < this.options.maxGroup;) {
      const key = this.options.keyOf(this.pending[i]!.req);
      if (keys.has(key)) {
        i++;
        continue;
      }
      keys.add(key);
      group.push(...this.pending.splice(i, 1));
    }
    return group;
  }

  private async runGroup(group: typeof this.pending): Promise<void> {
    if (group.length === 1) {
      const [only] = group;
      await this.options.one(only!.req).then(only!.resolve, only!.reject);
      return;
    }
    try {
      const results = await this.options.many(group.map((g) => g.req));
      group.forEach((g, i) => g.resolve(results[i]!));
    } catch {
      await Promise.all(group.map((g) => this.options.one(g.req).then(g.resolve, g.reject)));
    }
  }
}

import type { WebhooksRepository } from './webhooks.repository.js';

/**
 * Which event types some enabled endpoint subscribes to, cached per process for `ttlMs` so that
 * the hot paths (every notification, every email) pay nothing while no endpoint wants their
 * event. The window this opens is closed on the other side: a change that adds a subscription
 * answers only `ttlMs` after its commit (WebhooksService.settle), by when every process's cache
 * was read after that commit. A stale cache answers "maybe" (the caller runs the exact statement)
 * and refreshes in the background; a removed subscription costs at most one empty statement.
 */
export class SubscriptionCache {
  private types: ReadonlySet<string> = new Set();
  /** performance.now() when the cached read started; the answer holds until fetchedAt + ttlMs. */
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly repo: WebhooksRepository, readonly ttlMs: number) {}

  /** False only when no enabled endpoint subscribes to `type` as of a read started within ttlMs. */
  wants(type: string): boolean {
    if (this.ttlMs > 0 && performance.now() < this.fetchedAt + this.ttlMs) return this.types.has(type);
    void this.refresh();
    return true;
  }

  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const started = performance.now();
      try {
        this.types = new Set(await this.repo.subscribedTypes());
        this.fetchedAt = started;
      } catch {
        // PostgreSQL away: stay stale (every emission runs its statement, which fails with its transaction).
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }
}

import { z } from 'zod';
import { int } from './config.values.js';

/** Outbound webhooks' knobs (docs/OPERATIONS.md, Outbound webhooks), parsed with the rest of the environment by config.ts. */
export const webhooksEnv = {
  // Outbound webhooks: private/loopback targets refused unless true (tests, a receiver on the LAN).
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  WEBHOOK_RESPONSE_MAX_BYTES: int(0, 1_048_576).default(2_048),
  // How long a delivery is retried (JOB_BACKOFF_MS doubling) before it fails for good.
  WEBHOOK_RETRY_HOURS: int(1, 720).default(24),
  // How long each process trusts its cached list of subscribed event types (0: never, a statement per event).
  WEBHOOK_SUBSCRIPTION_CACHE_MS: int(0, 60_000).default(1_000),
};

type WebhooksEnv = { [K in keyof typeof webhooksEnv]: z.output<(typeof webhooksEnv)[K]> };

/**
 * Whether private/loopback targets are allowed, the per-attempt timeout, how much of a response is
 * kept, how long (ms) a delivery is retried before it fails, and how long a process trusts its
 * cached list of subscribed event types.
 */
export interface WebhooksConfig {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly responseMaxBytes: number;
  readonly retryMs: number;
  readonly subscriptionCacheMs: number;
}

export function webhooksConfig(e: WebhooksEnv): WebhooksConfig {
  return {
    allowPrivate: e.WEBHOOK_ALLOW_PRIVATE, timeoutMs: e.WEBHOOK_TIMEOUT_MS, responseMaxBytes: e.WEBHOOK_RESPONSE_MAX_BYTES,
    retryMs: e.WEBHOOK_RETRY_HOURS * 3_600_000, subscriptionCacheMs: e.WEBHOOK_SUBSCRIPTION_CACHE_MS,
  };
}

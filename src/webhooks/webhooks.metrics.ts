import { Counter, Histogram, type Registry } from 'prom-client';

/** The webhook figures of /metrics, in the process's registry (platform Metrics). */
export function webhookMetrics(registry: Registry) {
  return {
    deliveries: new Counter({
      name: 'herald_webhook_deliveries_total', help: 'Webhook delivery attempts by event type and outcome (delivered, retry: failed and retried, failed: out of attempts)',
      labelNames: ['event', 'outcome'] as const, registers: [registry],
    }),
    failures: new Counter({ name: 'herald_webhook_failures_total', help: 'Failed webhook delivery attempts (non-2xx, timeout, refused connection or target) by event type', labelNames: ['event'] as const, registers: [registry] }),
    deferred: new Counter({ name: 'herald_webhook_deferred_total', help: 'Webhook deliveries held back because an older event of their ordering key was still pending', labelNames: ['event'] as const, registers: [registry] }),
    duration: new Histogram({
      name: 'herald_webhook_delivery_duration_seconds', help: 'Webhook attempt duration (request to answer) by event type',
      labelNames: ['event'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
  };
}
export type WebhookMetrics = ReturnType<typeof webhookMetrics>;

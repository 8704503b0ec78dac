import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queues } from './queue/queues.js';
import { QUEUE_NAMES } from './queue/registry.js';
import { sameSecret } from './secret.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/**
 * Prometheus metrics (a registry per app, so several apps in one test process do not collide).
 * `registry` is this process's own (GET /metrics: scrape every process, `sum()` over them is
 * right). `queueRegistry` holds the queue depths, read from BullMQ's counters at scrape time:
 * one cluster-wide figure that every process would report alike, so it is served apart
 * (GET /metrics/queues) to be scraped once, through the load balancer; in /metrics a `sum()`
 * over processes multiplied it by their number.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly queueRegistry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'herald_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'herald_job_duration_seconds', help: 'Job run time by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const, buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [this.registry],
  });
  readonly jobFailures = new Counter({ name: 'herald_job_failures_total', help: 'Failed job attempts by queue and job name', labelNames: ['queue', 'job'] as const, registers: [this.registry] });
  // `transport` (smtp-1, smtp-2…, captured) is set on sent and captured only: sums by kind and outcome are unchanged.
  readonly emails = new Counter({ name: 'herald_emails_total', help: 'Emails by kind, outcome (sent, captured, already-sent, failed, retry, claim-lost: another attempt took the claim over) and, once handed off, the transport that took it', labelNames: ['kind', 'outcome', 'transport'] as const, registers: [this.registry] });
  readonly smtpOpen = new Gauge({ name: 'herald_smtp_transport_open', help: 'SMTP transport circuit breaker in this process: 1 open or half-open (mail goes to the next transport), 0 closed', labelNames: ['transport'] as const, registers: [this.registry] });
  readonly smtpTrips = new Counter({ name: 'herald_smtp_breaker_trips_total', help: 'SMTP circuit breaker openings by transport (first failure, or a failed half-open trial)', labelNames: ['transport'] as const, registers: [this.registry] });
  readonly suppressions = new Counter({ name: 'herald_email_suppressions_total', help: 'Addresses suppressed (or upgraded to a complaint) by reason and source (smtp, ses, postmark, generic)', labelNames: ['reason', 'source'] as const, registers: [this.registry] });
  readonly suppressionLifts = new Counter({ name: 'herald_email_suppression_lifts_total', help: 'Suppressions lifted by an admin, by the reason they had', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly jobHistoryDropped = new Counter({ name: 'herald_job_history_dropped_total', help: 'Job outcomes not written to job history, by queue and reason (buffer-full: PostgreSQL away longer than JOB_HISTORY_BUFFER_MAX outcomes; invalid: a row PostgreSQL refused; shutdown: still buffered when the final flush timed out)', labelNames: ['queue', 'reason'] as const, registers: [this.registry] });
  readonly schedulesRestored = new Counter({ name: 'herald_schedules_restored_total', help: 'Job schedulers found missing from Redis and restored, by queue and schedule', labelNames: ['queue', 'schedule'] as const, registers: [this.registry] });

  constructor({ queues }: { readonly queues: Queues }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
    new Gauge({
      name: 'herald_queue_jobs', help: 'Jobs in each queue by state (BullMQ counters; the same from every process: scrape once)', labelNames: ['queue', 'state'] as const, registers: [this.queueRegistry],
      async collect() {
        const all = await Promise.all(QUEUE_NAMES.map(async (q) => [q, await queues.get(q).getJobCounts(...STATES)] as const));
        for (const [queue, counts] of all) for (const state of STATES) this.set({ queue, state }, counts[state] ?? 0);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  renderQueues(): Promise<string> {
    return this.queueRegistry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * With METRICS_TOKEN or MONITORING_TOKEN set, a scrape must present one of them as a bearer
 * token (compared in constant time, every one of them, so the time taken does not tell which
 * matched); with neither set, anyone who reaches the port may scrape.
 */
export function metricsAuthorized(tokens: string | readonly (string | undefined)[] | undefined, header: string | undefined): boolean {
  const set = (typeof tokens === 'string' ? [tokens] : tokens ?? []).filter((t): t is string => t !== undefined);
  if (set.length === 0) return true;
  return set.map((token) => sameSecret(header ?? '', `Bearer ${token}`)).includes(true);
}

/** For processes without the HTTP API (worker, scheduler): /metrics and /metrics/queues on their own port. */
export function serveMetrics(metrics: Metrics, port: number, host: string, tokens: readonly (string | undefined)[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const render = req.url === '/metrics' ? () => metrics.render() : req.url === '/metrics/queues' ? () => metrics.renderQueues() : null;
    if (!render) return void res.writeHead(404).end();
    if (!metricsAuthorized(tokens, req.headers.authorization)) return void res.writeHead(401).end();
    render().then((body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body), () => res.writeHead(500).end());
  });
  // A port in use must reject (and become main.ts's one line), not be an unhandled 'error' event.
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queues } from './queue/queues.js';
import { QUEUE_NAMES } from './queue/registry.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/**
 * Prometheus metrics of one process (a registry per app, so several apps in one test process
 * do not collide). Queue depth is read from BullMQ's counters at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'herald_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'herald_job_duration_seconds', help: 'Job run time by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const, buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [this.registry],
  });
  readonly jobFailures = new Counter({ name: 'herald_job_failures_total', help: 'Failed job attempts by queue and job name', labelNames: ['queue', 'job'] as const, registers: [this.registry] });
  readonly emails = new Counter({ name: 'herald_emails_total', help: 'Emails by kind and outcome (sent, captured, already-sent, failed, retry, claim-lost: another attempt took the claim over)', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] });
  readonly schedulesRestored = new Counter({ name: 'herald_schedules_restored_total', help: 'Job schedulers found missing from Redis and restored, by schedule', labelNames: ['schedule'] as const, registers: [this.registry] });

  constructor({ queues }: { readonly queues: Queues }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
    new Gauge({
      name: 'herald_queue_jobs', help: 'Jobs in each queue by state (BullMQ counters)', labelNames: ['queue', 'state'] as const, registers: [this.registry],
      async collect() {
        const all = await Promise.all(QUEUE_NAMES.map(async (q) => [q, await queues.get(q).getJobCounts(...STATES)] as const));
        for (const [queue, counts] of all) for (const state of STATES) this.set({ queue, state }, counts[state] ?? 0);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * With METRICS_TOKEN set, a scrape must present it as a bearer token. Compared as equal-length
 * digests in constant time: how long a refusal takes says nothing about how much of the token matched.
 */
export function metricsAuthorized(token: string | undefined, header: string | undefined): boolean {
  if (!token) return true;
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

/** For processes without the HTTP API (worker, scheduler): /metrics on its own port. */
export function serveMetrics(metrics: Metrics, port: number, host: string, token: string | undefined): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    if (!metricsAuthorized(token, req.headers.authorization)) return void res.writeHead(401).end();
    metrics.render().then((body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body), () => res.writeHead(500).end());
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

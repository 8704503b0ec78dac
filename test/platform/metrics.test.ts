import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsAuthorized } from '../../src/platform/metrics.js';
import { freePort, waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/env.js';
import { spawnHerald } from '../helpers/processes.js';
import { outboxDrained } from '../helpers/wait.js';

const TOKEN = 'scrape-token-0123456789';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ METRICS_TOKEN: TOKEN });
});
afterAll(() => t.close());

const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`${t.url}/metrics`, { headers });

describe('GET /metrics', () => {
  it('requires METRICS_TOKEN when set', async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer wrong-token-0000000000' })).status).toBe(401);
    expect((await scrape()).status).toBe(200);
  });

  it('accepts exactly the token: not a prefix, an extension, another of the same length, or another scheme', () => {
    const right = `Bearer ${TOKEN}`;
    expect(metricsAuthorized(TOKEN, right)).toBe(true);
    for (const wrong of [undefined, '', 'Bearer', `Bearer ${TOKEN.slice(0, -1)}`, `${right}x`, `Bearer ${TOKEN.slice(0, -1)}X`, `Basic ${TOKEN}`, TOKEN]) {
      expect(metricsAuthorized(TOKEN, wrong), String(wrong)).toBe(false);
    }
    expect(metricsAuthorized(undefined, undefined)).toBe(true); // unset: open (docs/OPERATIONS.md, Metrics)
  });

  it('exposes queue depth, job durations and failures, emails, HTTP latency and process metrics', async () => {
    const viewer = await t.user('VIEWER');
    await t.call('GET', '/api/notifications', { as: viewer });
    await t.app.services.notifications.notify({ userIds: [viewer.user.id], type: 'SYSTEM', title: 'Hi', message: 'm' });
    expect(await outboxDrained(t.app)).toBe(true);
    const res = await scrape();
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/herald_queue_jobs\{queue="notification-delivery",state="completed"\} [1-9]/);
    expect(text).toMatch(/herald_job_duration_seconds_count\{queue="notification-delivery",job="NotificationsDeliver",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/herald_emails_total\{kind="notification",outcome="captured"\} 1/);
    expect(text).toMatch(/herald_http_request_duration_seconds_count\{method="GET",route="\/api\/notifications",status="200"\} 1/);
    expect(text).toContain('herald_process_cpu_user_seconds_total');
    expect(text).toContain('# TYPE herald_job_failures_total counter');
  });

  it('is served on METRICS_PORT by a worker process without the API', async () => {
    const port = await freePort();
    const worker = spawnHerald(['worker'], { DATABASE_URL: t.databaseUrl, REDIS_URL, QUEUE_PREFIX: t.prefix, METRICS_PORT: String(port), HOST: '127.0.0.1' });
    try {
      const ok = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).status === 200, 30_000, 200);
      expect(ok, worker.output()).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('herald_queue_jobs');
    } finally {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  }, 60_000);
});

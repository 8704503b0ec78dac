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

const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, url = `${t.url}/metrics`) => fetch(url, { headers });
const AUTH = { authorization: `Bearer ${TOKEN}` };
/** `herald_queue_jobs` series of a scrape: `queue/state` → value. */
const queueSeries = (text: string) => new Map([...text.matchAll(/^herald_queue_jobs\{queue="([^"]+)",state="([^"]+)"\} (\d+)$/gm)].map((m) => [`${m[1]}/${m[2]}`, Number(m[3])]));

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

  it('exposes job durations and failures, emails, HTTP latency and process metrics; queue depth at /metrics/queues', async () => {
    const viewer = await t.user('VIEWER');
    await t.call('GET', '/api/notifications', { as: viewer });
    await t.app.services.notifications.notify({ userIds: [viewer.user.id], type: 'SYSTEM', title: 'Hi', message: 'm' });
    expect(await outboxDrained(t.app)).toBe(true);
    const res = await scrape();
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(await (await scrape(AUTH, `${t.url}/metrics/queues`)).text()).toMatch(/herald_queue_jobs\{queue="notification-delivery",state="completed"\} [1-9]/);
    expect(text).toMatch(/herald_job_duration_seconds_count\{queue="notification-delivery",job="NotificationsDeliver",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/herald_emails_total\{kind="notification",outcome="captured",transport="captured"\} 1/);
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
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('herald_job_failures_total');
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics/queues`)).text()).toContain('herald_queue_jobs{queue="notification-delivery",state="completed"}');
    } finally {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  }, 60_000);

  it('serves queue depths once per cluster: no process\'s /metrics carries them, /metrics/queues has the true counts from any process', async () => {
    const sibling = await t.sibling();
    try {
      const viewer = await t.user('VIEWER');
      for (let i = 0; i < 3; i += 1) await t.app.services.notifications.notify({ userIds: [viewer.user.id], type: 'SYSTEM', title: `Hi ${i}`, message: 'm' });
      expect(await outboxDrained(t.app)).toBe(true);
      const truth = await t.app.queues.get('notification-delivery').getJobCounts('completed', 'failed');
      expect(truth.completed).toBeGreaterThanOrEqual(3);
      // A sum over both processes' /metrics (what Prometheus does per job) would have doubled them.
      for (const url of [t.url, sibling.url!]) {
        const perProcess = await (await scrape(AUTH, `${url}/metrics`)).text();
        expect(perProcess).toContain('herald_process_cpu_user_seconds_total');
        expect(queueSeries(perProcess).size, url).toBe(0);
      }
      const read = async (url: string) => queueSeries(await (await scrape(AUTH, `${url}/metrics/queues`)).text());
      const [mine, theirs] = [await read(t.url), await read(sibling.url!)];
      expect(mine.get('notification-delivery/completed')).toBe(truth.completed);
      expect(mine.get('notification-delivery/failed')).toBe(truth.failed);
      expect(theirs).toEqual(mine);
      expect((await scrape({}, `${t.url}/metrics/queues`)).status).toBe(401);
    } finally {
      await sibling.stop();
    }
  });
});

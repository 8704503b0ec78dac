import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientEvents, makeCatalog } from './analytics-data.js';
import { ProcessSet, privateBuild, type PrivateBuild } from './scaling-processes.js';

/**
 * bench:analytics' HTTP ingestion: the load generator (events, bodies, fetch) and, for the headline
 * figure, herald's API as OS processes of their own (the compiled build of HEAD, `node dist/main.js
 * api`, as production runs it). Measured in the bench's process, the API shared its one thread with
 * the generator building, sending and reading: the ratio then charged herald for the client's work.
 */

export const BATCH = 500;

export interface Login {
  readonly email: string;
  readonly password: string;
}

export async function loginToken(url: string, login: Login): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

/**
 * `count` events (the bench's clientEvents of `seed`) in bodies of BATCH, `concurrency` requests at a
 * time; with several API URLs, request slot k goes to urls[k % urls.length]. The bodies are made
 * before the clock starts.
 */
export async function ingestOverHttp(urls: readonly string[], token: string, count: number, concurrency: number, seed: number) {
  const events = clientEvents(seed, count, makeCatalog(0.2));
  const bodies = Array.from({ length: Math.ceil(events.length / BATCH) }, (_, i) => JSON.stringify({ events: events.slice(i * BATCH, (i + 1) * BATCH) }));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, k) => {
    const url = urls[k % urls.length]!;
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${url}/api/analytics/events`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'bench' } });
      if (res.status !== 202) throw new Error(`ingestion answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  }));
  const s = (performance.now() - t0) / 1000;
  return { events: events.length, batch: BATCH, concurrency, seconds: Number(s.toFixed(2)), eventsPerSec: Math.round(events.length / s) };
}

export interface ApiProcesses {
  readonly build: PrivateBuild;
  readonly urls: readonly string[];
  /** Names of API processes that exited during the run (a crash must not pass as a slow phase). */
  dead(): string[];
  stop(): Promise<void>;
}

/** `count` API processes of a private build of HEAD with `env` (the in-process app's settings). */
export async function startApiProcesses(count: number, env: Record<string, string>): Promise<ApiProcesses> {
  const build = await privateBuild(process.env.BENCH_API_REF ?? 'HEAD');
  const logDir = await mkdtemp(path.join(tmpdir(), 'herald-analytics-api-'));
  const procs = new ProcessSet(build, { HOST: '127.0.0.1', ...env }, logDir);
  const stop = async () => {
    await procs.stop().catch(() => undefined);
    await build.remove();
    if (!process.env.BENCH_KEEP_LOGS) await rm(logDir, { recursive: true, force: true });
  };
  try {
    await procs.startApis(count);
  } catch (err) {
    await stop();
    throw err;
  }
  return { build, urls: procs.apis.map((p) => p.url), dead: () => procs.dead(), stop };
}

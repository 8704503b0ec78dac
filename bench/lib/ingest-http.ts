import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientEvents, makeCatalog, type ClientEvent } from './analytics-data.js';
import { msPerUnit, type Snapshot } from './resource-usage.js';
import { ProcessSet, privateBuild, type PrivateBuild } from './scaling-processes.js';

/**
 * bench:analytics' HTTP ingestion: the load generator (events, bodies, requests) and, for the headline
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
 * The load generator's HTTP client. `http` (the default): node:http with a keep-alive agent of
 * `concurrency` sockets; `fetch`: Node's fetch (undici), which the bench used before. On this
 * 2-core machine the generator shares the cores with the API and PostgreSQL, and whatever CPU it
 * spends a request is taken from them; fetch spent about twice node:http's (clientCpuMsPerRequest).
 * BENCH_HTTP_CLIENT picks one.
 */
export type HttpClient = 'http' | 'fetch';
/** The generator's User-Agent, a browser's (the API stores it on every row, as the COPY baseline does). */
export const BENCH_USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
export const HTTP_CLIENT: HttpClient = process.env.BENCH_HTTP_CLIENT === 'fetch' ? 'fetch' : 'http';

/** Posts one body; resolves to the events the API says it stored (`accepted`). */
type Post = (url: string, body: string) => Promise<number>;

const acceptedOf = (text: string) => (JSON.parse(text) as { data: { accepted: number } }).data.accepted;

function fetchPost(token: string): Post {
  return async (url, body) => {
    const res = await fetch(`${url}/api/analytics/events`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': BENCH_USER_AGENT } });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`ingestion answered ${res.status}: ${text}`);
    return acceptedOf(text);
  };
}

function httpPost(token: string, agent: http.Agent): Post {
  return (url, body) => new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/analytics/events`, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}`, 'user-agent': BENCH_USER_AGENT },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 202) return reject(new Error(`ingestion answered ${res.statusCode}: ${text}`));
        try {
          resolve(acceptedOf(text));
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The events of one HTTP phase of `seed` (its catalog's ids are random: a round builds its headline events once, for both phases). */
export const phaseEvents = (seed: number, count: number) => clientEvents(seed, count, makeCatalog(0.2));

/**
 * `count` events (the bench's clientEvents of `seed`) in bodies of BATCH, `concurrency` requests at a
 * time; with several API URLs, request slot k goes to urls[k % urls.length]. The bodies are made
 * before the clock starts. clientCpuMsPerRequest: this process's CPU (user + system) a request
 * while the requests ran, the generator's share of the machine; with `snapshot`, cpuPerRequest
 * says whose CPU a request took (msPerUnit).
 */
export async function ingestOverHttp(urls: readonly string[], token: string, count: number, concurrency: number, seed: number, options: { client?: HttpClient; snapshot?: () => Promise<Snapshot>; events?: readonly ClientEvent[] } = {}) {
  const client = options.client ?? HTTP_CLIENT;
  const events = options.events ?? phaseEvents(seed, count);
  const bodies = Array.from({ length: Math.ceil(events.length / BATCH) }, (_, i) => JSON.stringify({ events: events.slice(i * BATCH, (i + 1) * BATCH) }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = client === 'fetch' ? fetchPost(token) : httpPost(token, agent);
  let next = 0;
  let accepted = 0;
  const machine0 = options.snapshot ? await options.snapshot() : null;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, async (_, k) => {
      const url = urls[k % urls.length]!;
      while (next < bodies.length) {
        const stored = await post(url, bodies[next++]!); // not `accepted += await …`: that reads `accepted` before the await
        accepted += stored;
      }
    }));
  } finally {
    agent.destroy();
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Every event stored (no key repeats in these events): a 202 that stored less would flatter the rate.
  if (accepted !== events.length) throw new Error(`the API stored ${accepted} of ${events.length} events`);
  const machine = machine0 ? msPerUnit(machine0, await options.snapshot!(), bodies.length) : undefined;
  return {
    events: events.length, batch: BATCH, concurrency, client, seconds: Number(s.toFixed(2)), eventsPerSec: Math.round(events.length / s),
    clientCpuMsPerRequest: Number(((cpu.user + cpu.system) / 1000 / bodies.length).toFixed(3)), ...(machine ? { cpuPerRequest: machine } : {}),
  };
}

export interface ApiProcesses {
  readonly build: PrivateBuild;
  readonly urls: readonly string[];
  /** The API processes' pids (resource-usage's snapshots). */
  pids(): number[];
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
  return { build, urls: procs.apis.map((p) => p.url), pids: () => procs.apis.map((p) => p.pid), dead: () => procs.dead(), stop };
}

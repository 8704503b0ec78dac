import { hashPassword } from '../src/platform/password.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, type Cluster } from './cluster.js';
import type { Knobs } from './knobs.js';
import type { Sample } from './stats.js';

/**
 * HTTP traffic through the API processes: the client (round robin over the processes, timed,
 * a timeout recorded as status 0), the drill's users and sessions, the five operations of the mix,
 * and an open-loop generator that keeps a steady rate whatever the answers take.
 */

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly sample: Sample;
}

export class Client {
  private next = 0;

  constructor(private readonly bases: () => readonly string[], private readonly timeoutMs: number) {}

  /** One request to the next API process in turn. `endpoint` names the route in the report. */
  async call(method: string, path: string, opts: { endpoint: string; token?: string; body?: unknown; base?: string; timeoutMs?: number }): Promise<Answer> {
    const bases = this.bases();
    const base = opts.base ?? bases[this.next++ % bases.length]!;
    const started = performance.now();
    let status: number;
    let body: unknown = null;
    try {
      const res = await fetch(base + path, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs),
      });
      status = res.status;
      const text = await res.text();
      body = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    } catch {
      status = 0; // refused, reset or timed out: no answer
    }
    return { status, body, sample: { endpoint: opts.endpoint, status, ms: performance.now() - started, at: Date.now() } };
  }
}

export interface DrillUser {
  readonly id: string;
  readonly email: string;
  token: string;
}

/**
 * Users straight into PostgreSQL (as test/notifications/delivery-drills.test.ts does): one
 * statement for any number, all with one password hash so that those who need a session can log
 * in. Addresses are `<tag>-<n>@drill.test`, so each drill's emails are told apart by recipient.
 */
export async function seedUsers(cluster: Pick<Cluster, 'db'>, tag: string, count: number): Promise<DrillUser[]> {
  const hash = await hashPassword(USER_PASSWORD);
  const rows = await cluster.db.query<{ id: string; email: string }>(
    `INSERT INTO users (email, role, password_hash, name)
     SELECT $1 || '-' || g || '@drill.test', 'VIEWER', $2, 'Drill ' || g FROM generate_series(1, $3::int) g
     RETURNING id, email`, [tag, hash, count]);
  return rows.rows.map((r) => ({ id: r.id, email: r.email, token: '' }));
}

/** Logs each user in through the API (argon2 verification: a few at a time, it is CPU work). */
export async function login(client: Client, users: DrillUser[], concurrency = 4): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < users.length) {
      const user = users[i++]!;
      user.token = await loginToken(client, user.email, USER_PASSWORD);
    }
  }));
}

export async function loginToken(client: Client, email: string, password: string): Promise<string> {
  const res = await client.call('POST', '/api/auth/login', { endpoint: 'login', body: { email, password } });
  const token = (res.body as { data?: { token?: string } } | null)?.data?.token;
  if (res.status !== 200 || !token) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return token;
}

export const adminToken = (client: Client) => loginToken(client, ADMIN_EMAIL, ADMIN_PASSWORD);

/**
 * Creates notifications through the admin API, 10,000 recipients per request at most (the
 * contract's cap). Setup, not a measured request: it may take longer than the traffic's timeout
 * (one transaction inserts the rows and their outbox entries), so it gets two minutes, and its
 * time is returned for the report.
 */
export async function notifyUsers(client: Client, token: string, userIds: readonly string[], title: string): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < userIds.length; i += 10_000) {
    const chunk = userIds.slice(i, i + 10_000);
    const res = await client.call('POST', '/api/admin/notifications', {
      endpoint: 'POST /api/admin/notifications', token, timeoutMs: 120_000,
      body: { userIds: chunk, type: 'SYSTEM', title, message: `${title}: drill message`, idempotencyKey: `${title}-${i}` },
    });
    if (res.status !== 202) throw new Error(`creating "${title}" failed: ${res.status} ${JSON.stringify(res.body)} after ${Math.round(res.sample.ms)} ms`);
    ms.push(Math.round(res.sample.ms));
  }
  return ms;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
/** Types a preference change may switch off: SYSTEM (what the drills send) always stays on, so emails keep flowing. */
const OPTIONAL_TYPES = ['LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'MESSAGE', 'POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG'] as const;

/**
 * The operations of the mix, with what a drill needs to check afterwards: which writes were
 * acknowledged (2xx), so that "every acknowledged write is present" can be verified.
 */
export class Operations {
  /** Notification ids per user, unread first (seeded from SQL, grown from list answers). */
  private readonly unread = new Map<string, string[]>();
  private readonly prefBusy = new Set<string>();
  private created = 0;
  readonly acked = {
    /** Notifications whose mark-read got a 2xx. */
    reads: new Set<string>(),
    /** Per user, the enabledTypes of the last preference change, when it got a 2xx (undefined: last attempt unanswered or failed). */
    prefs: new Map<string, string[] | undefined>(),
    /** Titles of notifications whose creation got a 202. */
    creations: new Set<string>(),
  };

  constructor(private readonly client: Client, private readonly users: readonly DrillUser[], private readonly admin: string, private readonly tag: string) {}

  /** Known unread notification ids of the users, from the database (the drill's own connection). */
  async loadNotifications(cluster: Pick<Cluster, 'db'>): Promise<void> {
    const rows = await cluster.db.query<{ id: string; user_id: string }>(
      'SELECT id, user_id FROM notifications WHERE user_id = ANY($1::uuid[]) AND NOT read', [this.users.map((u) => u.id)]);
    for (const r of rows.rows) {
      const ids = this.unread.get(r.user_id);
      if (ids) ids.push(r.id);
      else this.unread.set(r.user_id, [r.id]);
    }
  }

  async list(): Promise<Sample> {
    const user = pick(this.users);
    const res = await this.client.call('GET', '/api/notifications?page=1&pageSize=20', { endpoint: 'GET /api/notifications', token: user.token });
    return res.sample;
  }

  async markRead(): Promise<Sample> {
    const user = pick(this.users);
    const ids = this.unread.get(user.id) ?? [];
    // Each id is marked once: the verdict "acknowledged reads are read" then concerns distinct rows.
    const id = ids.pop();
    if (!id) return this.list();
    const res = await this.client.call('POST', `/api/notifications/${id}/read`, { endpoint: 'POST /api/notifications/:id/read', token: user.token });
    if (res.status === 200) this.acked.reads.add(id);
    else if (res.status !== 404) ids.unshift(id); // not acknowledged: may be tried again later
    return res.sample;
  }

  async preferences(): Promise<Sample> {
    const user = pick(this.users);
    // One change per user in flight, so "the last acknowledged value is what is stored" is well defined.
    if (this.prefBusy.has(user.id)) return this.list();
    this.prefBusy.add(user.id);
    try {
      const enabledTypes = ['SYSTEM', ...OPTIONAL_TYPES.filter(() => Math.random() < 0.5)];
      const res = await this.client.call('PATCH', '/api/notifications/preferences', {
        endpoint: 'PATCH /api/notifications/preferences', token: user.token, body: { enabledTypes },
      });
      this.acked.prefs.set(user.id, res.status === 200 ? enabledTypes : undefined);
      return res.sample;
    } finally {
      this.prefBusy.delete(user.id);
    }
  }

  /** A notification for one user with email on (IMMEDIATE, SYSTEM enabled): one email expected. */
  async create(): Promise<Sample> {
    const user = pick(this.users);
    const title = `${this.tag}-${++this.created}`;
    const res = await this.client.call('POST', '/api/admin/notifications', {
      endpoint: 'POST /api/admin/notifications', token: this.admin,
      body: { userIds: [user.id], type: 'SYSTEM', title, message: 'drill traffic', idempotencyKey: title },
    });
    if (res.status === 202) this.acked.creations.add(title);
    return res.sample;
  }

  async analytics(): Promise<Sample> {
    const user = pick(this.users);
    const res = await this.client.call('POST', '/api/analytics/events', {
      endpoint: 'POST /api/analytics/events', token: user.token,
      body: { events: [{ eventType: 'drill_view', sessionId: `drill-${user.id}` }] },
    });
    return res.sample;
  }
}

/**
 * The traffic drills' users (soak, postgres): DRILL_USERS signed in, with three notifications each
 * so mark-read has unread rows to work on, and the operations they run.
 */
export async function trafficUsers(cluster: Pick<Cluster, 'db' | 'apis'>, knobs: Pick<Knobs, 'users' | 'requestTimeoutMs'>, tag: string): Promise<Operations> {
  const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
  const users = await seedUsers(cluster, tag, knobs.users);
  await login(client, users);
  const admin = await adminToken(client);
  for (let i = 1; i <= 3; i++) await notifyUsers(client, admin, users.map((u) => u.id), `${tag}-welcome-${i}`);
  const ops = new Operations(client, users, admin, tag);
  await ops.loadNotifications(cluster);
  return ops;
}

/** An operation chosen by weight (weights need not add up to anything). */
export function weighted(mix: readonly (readonly [number, () => Promise<Sample>])[]): () => Promise<Sample> {
  const total = mix.reduce((s, [w]) => s + w, 0);
  return () => {
    let r = Math.random() * total;
    for (const [w, op] of mix) if ((r -= w) < 0) return op();
    return mix[mix.length - 1]![1]();
  };
}

export interface TrafficResult {
  readonly samples: Sample[];
  /** Requests not sent because maxInFlight were outstanding (the service could not keep up). */
  readonly skipped: number;
  readonly seconds: number;
}

/**
 * Open loop at `rate` requests/s until `until()` says stop: requests start on schedule whether or
 * not earlier ones answered (a closed loop would slow down with the service and hide its latency),
 * bounded by `maxInFlight` so a hung service cannot pile up sockets without end.
 */
export async function drive(opts: { rate: number; maxInFlight: number; until: () => boolean; op: () => Promise<Sample>; onSample?: (s: Sample) => void }): Promise<TrafficResult> {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  let launched = 0, skipped = 0;
  const started = performance.now();
  while (!opts.until()) {
    const due = Math.floor(((performance.now() - started) / 1000) * opts.rate);
    while (launched < due) {
      launched++;
      if (inFlight.size >= opts.maxInFlight) {
        skipped++;
        continue;
      }
      const p: Promise<void> = opts.op().then((s) => {
        samples.push(s);
        opts.onSample?.(s);
      }, () => undefined).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  return { samples, skipped, seconds: (performance.now() - started) / 1000 };
}

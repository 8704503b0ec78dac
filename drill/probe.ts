import { countStatuses, isOk } from './stats.js';
import type { Client, DrillUser } from './traffic.js';

/**
 * A steady prober for the outage drills: every `intervalMs` it asks each API process in turn for
 * an inbox page (session, rate limit, PostgreSQL) and for /api/health, labelling each answer with
 * the phase the drill was in when the request started ("down", "up", ...).
 */
/** The service answered as a healthy one would: 2xx, or 429 (the limiter, which lives in Redis, works). */
export const answered = (status: number) => isOk(status) || status === 429;

export interface Probe {
  readonly phase: string;
  readonly endpoint: string;
  readonly status: number;
  readonly ms: number;
  readonly startedAt: number;
}

export class Prober {
  phase = 'before';
  readonly probes: Probe[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly client: Client, private readonly bases: () => readonly string[], private readonly users: readonly DrillUser[], private readonly intervalMs = 250) {}

  start(): void {
    let turn = 0;
    this.timer = setInterval(() => {
      const bases = this.bases();
      const base = bases[turn % bases.length]!;
      const user = this.users[turn++ % this.users.length]!;
      for (const [endpoint, path, token] of [['GET /api/notifications', '/api/notifications?pageSize=5', user.token], ['GET /api/health', '/api/health', undefined]] as const) {
        const phase = this.phase;
        const startedAt = Date.now();
        const p = this.client.call('GET', path, { endpoint, token, base }).then((a) => {
          this.probes.push({ phase, endpoint, status: a.status, ms: Math.round(a.sample.ms), startedAt });
        }).finally(() => this.pending.delete(p));
        this.pending.add(p);
      }
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.pending);
  }

  /** Status counts per phase and endpoint, plus the slowest answer of each phase. */
  byPhase(): Record<string, Record<string, { statuses: Record<string, number>; maxMs: number }>> {
    const out: Record<string, Record<string, { statuses: Record<string, number>; maxMs: number }>> = {};
    for (const phase of new Set(this.probes.map((p) => p.phase))) {
      out[phase] = {};
      for (const endpoint of new Set(this.probes.map((p) => p.endpoint))) {
        const list = this.probes.filter((p) => p.phase === phase && p.endpoint === endpoint);
        if (list.length) out[phase]![endpoint] = { statuses: countStatuses(list), maxMs: Math.max(...list.map((p) => p.ms)) };
      }
    }
    return out;
  }

  /** Whether the last `n` probes of every endpoint were answered (the service is back). */
  recovered(n = 4): boolean {
    for (const endpoint of new Set(this.probes.map((p) => p.endpoint))) {
      const last = this.probes.filter((p) => p.endpoint === endpoint).slice(-n);
      if (last.length < n || !last.every((p) => answered(p.status))) return false;
    }
    return this.probes.length > 0;
  }
}

/**
 * Seconds from `since` until the service was back for good: the start of the first probe after
 * the last unanswered one (not 2xx or 429) (probes started at or after `since`). Null if it never recovered.
 */
export function recoverySeconds(probes: readonly Pick<Probe, 'status' | 'startedAt'>[], since: number): number | null {
  const after = probes.filter((p) => p.startedAt >= since).sort((a, b) => a.startedAt - b.startedAt);
  if (!after.length) return null;
  let lastBad = -1;
  after.forEach((p, i) => { if (!answered(p.status)) lastBad = i; });
  const firstGood = after[lastBad + 1];
  if (!firstGood) return null;
  return Math.round((firstGood.startedAt - since) / 100) / 10;
}

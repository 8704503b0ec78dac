import type { TransportView } from '../platform/email/failover.transport.js';

/**
 * The email group's SMTP transports, from the views the worker processes publish with their
 * heartbeats. Each worker has its own breakers (it learns of an outage by its own first failure),
 * so a transport is shown with the worst state any worker holds and in how many it is not closed.
 */
export interface TransportHealth extends TransportView {
  // openUntil: the latest cool-down end among the workers holding it open; sent and trips: summed
  // over the workers (since each started).
  /** Workers reporting it, and those among them whose breaker is open or half-open. */
  readonly workers: number;
  readonly openIn: number;
}

/** From least to most severe: a transport shows the worst state any worker holds. */
const BY_SEVERITY: readonly TransportView['state'][] = ['closed', 'half-open', 'open'];
const worse = (a: TransportView['state'], b: TransportView['state']) => BY_SEVERITY[Math.max(BY_SEVERITY.indexOf(a), BY_SEVERITY.indexOf(b))]!;
const later = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);

export function aggregateTransports(reports: ReadonlyArray<readonly TransportView[]>, now: Date): { transports: TransportHealth[]; problems: string[]; warnings: string[] } {
  const byName = new Map<string, TransportHealth>();
  for (const views of reports) {
    for (const v of views) {
      const seen = byName.get(v.name);
      const notClosed = v.state === 'closed' ? 0 : 1;
      if (!seen) {
        byName.set(v.name, { ...v, workers: 1, openIn: notClosed });
        continue;
      }
      // The newest error wins (ISO timestamps compare as strings); a tie keeps the first worker's.
      const newer = later(seen.lastErrorAt, v.lastErrorAt) !== seen.lastErrorAt;
      byName.set(v.name, {
        name: v.name, address: v.address,
        state: worse(seen.state, v.state),
        openUntil: later(seen.openUntil, v.openUntil),
        consecutiveFailures: Math.max(seen.consecutiveFailures, v.consecutiveFailures),
        lastError: newer ? v.lastError : seen.lastError, lastErrorAt: newer ? v.lastErrorAt : seen.lastErrorAt,
        sent: seen.sent + v.sent, trips: seen.trips + v.trips, workers: seen.workers + 1, openIn: seen.openIn + notClosed,
      });
    }
  }
  const transports = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const problems: string[] = [];
  const warnings: string[] = [];
  // Mail waits only where a worker holds every transport open in its cool-down; elsewhere it goes to
  // the next one, or to a trial. A lone transport is never held back (nothing to fail over to): a warning.
  const holding = (v: TransportView) => v.state === 'half-open' || (v.state === 'open' && Date.parse(v.openUntil!) > now.getTime());
  const stuck = reports.filter((views) => views.length > 1 && views.every(holding)).length;
  if (stuck > 0) problems.push(`every SMTP transport is open in ${stuck} of ${reports.length} worker(s): their emails wait for the next trial`);
  for (const t of transports) {
    if (t.openIn > 0) warnings.push(`${t.name} (${t.address}) is ${t.state} in ${t.openIn} of ${t.workers} worker(s)${t.lastError ? `: ${t.lastError}` : ''}`);
  }
  return { transports, problems, warnings };
}

/**
 * One SMTP transport's circuit breaker, as a pure state machine (no clock, no I/O: `now` is
 * passed in). closed → open after a connection failure or a run of `max4xx` consecutive 4xx
 * answers; open for a cool-down, then half-open: the message that found the cool-down over is
 * its one trial (nothing else is admitted while it is out); its answer closes the breaker, its
 * failure re-opens it with the cool-down doubled, up to `maxCooldownMs`.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive 4xx answers that open the breaker (a connection failure opens it at once). */
  readonly max4xx: number;
  readonly cooldownMs: number;
  /** Each failed trial doubles the cool-down up to this. */
  readonly maxCooldownMs: number;
}

export interface Breaker {
  /** half-open: a trial message is out; the others go elsewhere until it is answered. */
  readonly state: BreakerState;
  /** While open: when the next trial may go (null otherwise). */
  readonly openUntil: number | null;
  /** The cool-down of the last opening (the next one after a failed trial is twice this). */
  readonly cooldownMs: number;
  /** Failures since the last success (any kind), and the 4xx among them in a row. */
  readonly consecutiveFailures: number;
  readonly consecutive4xx: number;
}

/**
 * What a failed hand-off says about the transport: 'connection' (refused, timed out, closed, bad
 * credentials: the server is unusable), 'transient' (a 4xx answer: busy, greylisting, try later)
 * or 'permanent' (a 5xx about this recipient or message: not the server's fault).
 */
export type FailureKind = 'connection' | 'transient' | 'permanent';

export function closedBreaker(settings: BreakerSettings): Breaker {
  return { state: 'closed', openUntil: null, cooldownMs: settings.cooldownMs, consecutiveFailures: 0, consecutive4xx: 0 };
}

/**
 * May a message go through this transport now? An open breaker whose cool-down has passed turns
 * half-open and lets exactly this message through as its trial.
 */
export function admit(b: Breaker, now: number): { readonly admitted: boolean; readonly next: Breaker } {
  if (b.state === 'closed') return { admitted: true, next: b };
  // Open always carries its openUntil; half-open (a trial out) admits nothing more.
  if (b.state === 'open' && now >= b.openUntil!) return { admitted: true, next: { ...b, state: 'half-open', openUntil: null } };
  return { admitted: false, next: b };
}

/** The server answered (accepted, or refused the message for good: it is alive either way). */
export function onAnswer(settings: BreakerSettings): Breaker {
  return closedBreaker(settings);
}

/** A hand-off failed; `tripped` when this failure opened the breaker. */
export function onFailure(b: Breaker, kind: Exclude<FailureKind, 'permanent'>, now: number, settings: BreakerSettings): { readonly next: Breaker; readonly tripped: boolean } {
  const consecutiveFailures = b.consecutiveFailures + 1;
  const consecutive4xx = kind === 'transient' ? b.consecutive4xx + 1 : 0;
  if (b.state === 'half-open') {
    // The trial failed: back to open, waiting longer each time (capped).
    const cooldownMs = Math.min(settings.maxCooldownMs, b.cooldownMs * 2);
    return { next: { state: 'open', openUntil: now + cooldownMs, cooldownMs, consecutiveFailures, consecutive4xx }, tripped: true };
  }
  if (b.state === 'open') {
    // A message admitted before the breaker opened failed too: counted, the cool-down is unchanged.
    return { next: { ...b, consecutiveFailures, consecutive4xx }, tripped: false };
  }
  if (kind === 'connection' || consecutive4xx >= settings.max4xx) {
    return { next: { state: 'open', openUntil: now + settings.cooldownMs, cooldownMs: settings.cooldownMs, consecutiveFailures, consecutive4xx }, tripped: true };
  }
  return { next: { ...b, consecutiveFailures, consecutive4xx }, tripped: false };
}

/**
 * Classifies a nodemailer error. A response code decides when there is one (EAUTH's 535 is about
 * our credentials, so the server is unusable: 'connection'; so is ETLS, a STARTTLS that failed or
 * was refused, even with a 5xx); without one the connection itself
 * failed (ECONNREFUSED, ETIMEDOUT, a greeting or socket timeout, the connection closed).
 */
export function classifySmtpFailure(err: unknown): FailureKind {
  const e = err as { responseCode?: number; code?: string; rejectedErrors?: Array<{ responseCode?: number }> } | null;
  if (e?.code === 'EAUTH' || e?.code === 'ETLS') return 'connection';
  if (typeof e?.responseCode === 'number') {
    const family = Math.floor(e.responseCode / 100);
    if (family === 5) return 'permanent';
    // 421: the server is closing the channel (shutting down, overloaded): the transport, not the message.
    if (e.responseCode === 421) return 'connection';
    if (family === 4) return 'transient';
  }
  if (e?.code === 'EENVELOPE' && e.rejectedErrors?.length) {
    return e.rejectedErrors.every((r) => Math.floor((r.responseCode ?? 0) / 100) === 5) ? 'permanent' : 'transient';
  }
  return 'connection';
}

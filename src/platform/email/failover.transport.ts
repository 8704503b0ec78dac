import { admit, classifySmtpFailure, closedBreaker, onAnswer, onFailure, type Breaker, type BreakerSettings, type BreakerState } from './circuit-breaker.rules.js';
import { createSmtpTransport, PermanentEmailError, type HandOff, type MailTransport, type OutgoingMail } from './transport.js';

/** One transport as health shows it (this process's view): no credentials, only host:port. */
export interface TransportView {
  readonly name: string;
  readonly address: string;
  readonly state: BreakerState;
  readonly openUntil: string | null;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly sent: number;
  readonly trips: number;
}

/**
 * Every transport's breaker is open (some perhaps by this very message's failures): nothing may be
 * tried before `until`, so the job waits until then (a deferral) rather than spending an attempt.
 */
export class TransportsOpenError extends Error {
  constructor(readonly until: Date, detail: string, options?: { cause?: unknown }) {
    const last = options?.cause ? `; last error: ${(options.cause as Error).message}` : '';
    super(`every SMTP transport is open (${detail}); next trial at ${until.toISOString()}${last}`, options);
  }
}

export interface FailoverHooks {
  /** A breaker opened (the first time, or again after a failed trial). */
  readonly onTrip?: (transport: string, error: string) => void;
  /** A breaker changed state (metrics: herald_smtp_transport_open). */
  readonly onState?: (transport: string, state: BreakerState) => void;
}

interface Member {
  readonly name: string;
  readonly address: string;
  readonly transport: MailTransport;
  breaker: Breaker;
  sent: number;
  trips: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface FailoverOptions extends BreakerSettings {
  readonly maxConnections: number;
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly hooks?: FailoverHooks;
}

/**
 * SMTP_URL's servers in order of preference ('smtp-1', 'smtp-2', …), each with its own pool and
 * circuit breaker. A message goes to the first transport whose breaker admits it; one that fails
 * before accepting it (refused, timed out, closed, a 4xx) hands it to the next, under the same
 * claim and Message-ID. A permanent 5xx is the recipient's or message's problem: it is thrown at
 * once, neither tripping the breaker nor tried elsewhere.
 *
 * Exactly once, with one caveat: a connection dropped after DATA went out but before the answer
 * leaves it unknown whether the server took the message; the next transport then sends it again
 * with the same Message-ID (at most once per Message-ID, as after a crash: receivers collapse it).
 *
 * The breakers live in this process: each worker learns about an outage on its own (its first
 * failure there), and health shows each process's view (see the worker heartbeats).
 */
export class FailoverTransport implements MailTransport {
  readonly mode = 'smtp' as const;
  private readonly members: Member[];
  private readonly now: () => number;

  constructor(urls: readonly string[], private readonly options: FailoverOptions) {
    this.now = options.now ?? Date.now;
    this.members = urls.map((url, i) => {
      const name = `smtp-${i + 1}`;
      const parsed = new URL(url);
      const port = parsed.port || (parsed.protocol === 'smtps:' ? '465' : '25');
      return {
        name, address: `${parsed.hostname}:${port}`, breaker: closedBreaker(options), sent: 0, trips: 0, lastError: null, lastErrorAt: null,
        transport: createSmtpTransport(url, { name, maxConnections: options.maxConnections, timeoutMs: options.timeoutMs }),
      };
    });
  }

  async send(mail: OutgoingMail): Promise<HandOff> {
    let lastError: unknown = null;
    for (const m of this.members) {
      // With one server there is nothing to fail over to: holding mail back would only delay it.
      const verdict = this.members.length === 1 ? { admitted: true, next: m.breaker } : admit(m.breaker, this.now());
      if (!verdict.admitted) continue;
      this.setBreaker(m, verdict.next);
      try {
        const handOff = await m.transport.send(mail);
        m.sent += 1;
        this.setBreaker(m, onAnswer(this.options));
        return handOff;
      } catch (err) {
        if (err instanceof PermanentEmailError) {
          // The server answered: it is alive, and another server would refuse the same message.
          this.setBreaker(m, onAnswer(this.options));
          throw err;
        }
        const kind = classifySmtpFailure(err);
        m.lastError = (err as Error).message;
        m.lastErrorAt = this.now();
        const { next, tripped } = onFailure(m.breaker, kind === 'permanent' ? 'transient' : kind, this.now(), this.options);
        this.setBreaker(m, next);
        if (tripped) {
          m.trips += 1;
          this.options.hooks?.onTrip?.(m.name, m.lastError);
        }
        lastError = err;
      }
    }
    // Failures that left every breaker open (a trial included) wait for the next trial like the
    // messages that found them open: a long outage of every server spends no attempts, loses nothing.
    // One server is tried every time instead: its failure is an ordinary retry, as without failover.
    const allOpen = this.members.length > 1 && this.members.every((m) => m.breaker.state !== 'closed');
    if (lastError && !allOpen) throw lastError;
    throw new TransportsOpenError(this.nextTrial(), this.members.map((m) => `${m.name} ${m.breaker.state}`).join(', '), lastError ? { cause: lastError } : undefined);
  }

  /** The earliest moment a transport admits a message again (a trial in flight: a tenth of the cool-down). */
  private nextTrial(): Date {
    const now = this.now();
    const times = this.members.map((m) => (m.breaker.openUntil ?? now + Math.ceil(this.options.cooldownMs / 10)));
    return new Date(Math.max(now, Math.min(...times)));
  }

  private setBreaker(m: Member, next: Breaker): void {
    const before = m.breaker.state;
    m.breaker = next;
    if (next.state !== before) this.options.hooks?.onState?.(m.name, next.state);
  }

  /** This process's view of every transport. */
  views(): TransportView[] {
    return this.members.map((m) => ({
      name: m.name, address: m.address, state: m.breaker.state,
      openUntil: m.breaker.openUntil === null ? null : new Date(m.breaker.openUntil).toISOString(),
      consecutiveFailures: m.breaker.consecutiveFailures, lastError: m.lastError,
      lastErrorAt: m.lastErrorAt === null ? null : new Date(m.lastErrorAt).toISOString(), sent: m.sent, trips: m.trips,
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.transport.close()));
  }
}

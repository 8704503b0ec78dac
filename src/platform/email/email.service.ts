import { randomUUID } from 'node:crypto';
import { gateOf, type ClaimResult, type EmailClaim, type EmailLogRepository } from './email-log.repository.js';
import type { Tx } from '../db/client.js';
import { classifyRefusal } from './bounce.rules.js';
import { PermanentEmailError, type HandOff, type MailTransport } from './transport.js';
import { DeferUntilError } from '../queue/deferral.js';
import { FailoverTransport, TransportsOpenError, type TransportView } from './failover.transport.js';
import { Semaphore } from '../semaphore.js';
import { GroupCommit } from '../group-commit.js';

/** A sent email's completion, as the completions' group commit takes it. */
type CompletionRequest = { key: string; token: string; transport: string; smtpResponse: string | null };

/**
 * 'suppressed': the address is on the suppression list; the email was logged, never handed to a transport.
 * 'cancelled': its notification was recalled (or expired) before any attempt claimed it (issue 19); logged so.
 */
export type SendOutcome = 'sent' | 'captured' | 'already-sent' | 'failed' | 'suppressed' | 'cancelled';

/**
 * The suppression list's port (src/deliverability, plugged in by app.ts): told, inside the
 * transaction that marks the email failed, that the server refused the recipient's address for
 * good (a 5.1.x or a plain 550/551/553 to RCPT TO; bounce.rules.ts).
 */
export type RecipientRefused = (trx: Tx, refusal: { email: string; detail: string; messageId: string; userId: string | null }) => Promise<void>;

/**
 * Outbound webhooks' port (plugged in by app.ts): `record` runs in the transaction that completes
 * an accepted email (email.sent, digest.sent), once per email; `wants` (no I/O) says whether any
 * endpoint may want an email of this kind, so completions stay one statement while none does.
 */
export interface EmailSent {
  wants(kind: EmailToSend['kind']): boolean;
  record(trx: Tx, sent: { key: string; kind: EmailToSend['kind']; notificationId: string | null; userId: string | null; to: string; messageId: string; status: 'sent' | 'captured'; transport: string }): Promise<void>;
}

export interface EmailToSend extends Omit<EmailClaim, 'messageId'> {
  readonly html: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A temporary failure (SMTP down, another attempt holding the claim): the job should retry. */
export class RetryableEmailError extends Error {}

/** The email's claim is leased by another attempt until `until`; only then may it be taken over. */
export class ClaimHeldError extends RetryableEmailError {
  constructor(key: string, readonly until: Date) {
    super(`email ${key} is being sent by another attempt (lease until ${until.toISOString()})`);
  }
}

/**
 * A digest lists a notification recalled or expired since its content was read: nothing was
 * claimed; the caller reads the content again (issue 19).
 */
export class StaleContentError extends RetryableEmailError {
  constructor(key: string) {
    super(`email ${key} lists a notification recalled or expired since it was read`);
  }
}

/**
 * Every SMTP transport's breaker is open until `until` (its claim was released untouched): the
 * job waits for the next trial instead of spending its attempts against servers known to be down.
 */
export class TransportsDownError extends RetryableEmailError {
  constructor(key: string, readonly until: Date, cause: unknown) {
    super(`email ${key} not sent: ${(cause as Error).message}`, { cause });
  }
}

/**
 * When every email a job could not send is held by another attempt or waits for an SMTP
 * transport's cool-down, the job should wait for the last of them rather than retry (see
 * DeferUntilError); null when anything else went wrong too.
 */
export function deferralForHeldClaims(reasons: readonly unknown[]): DeferUntilError | null {
  if (reasons.length === 0 || !reasons.every((r) => r instanceof ClaimHeldError || r instanceof TransportsDownError)) return null;
  const until = new Date(Math.max(...reasons.map((r) => (r as ClaimHeldError | TransportsDownError).until.getTime())));
  return new DeferUntilError(until, `${reasons.length} email(s) held by another attempt or waiting for an SMTP transport's cool-down`);
}

export interface EmailServiceDeps {
  readonly emailLog: EmailLogRepository;
  readonly transport: MailTransport;
  readonly from: string;
  readonly leaseMs: number;
  readonly domain: string;
  readonly maxInFlight: number;
  /** Told every outcome (metrics): sent, captured, already-sent, failed, retry, claim-lost. */
  readonly onOutcome?: (kind: string, outcome: SendOutcome | 'retry' | 'claim-lost', transport?: string) => void;
  /** Told when a claim turned out to be another attempt's (its lease ran out and was taken over). */
  readonly onClaimLost?: (key: string, stage: 'renew' | 'complete' | 'release' | 'fail') => void;
}

/**
 * At most one email per key: the email_log row is claimed right before the SMTP hand-off and
 * completed right after it. Each claim carries a random token of its attempt, and only that
 * attempt may complete, release or fail the row: a stale attempt cannot cancel or overwrite the
 * claim of the attempt that took over after its lease ran out (it is reported as lost instead).
 *
 * A claim never waits in a local queue past its lease: sendOnce takes its claim only when one of
 * the `maxInFlight` slots (= pooled SMTP connections) is free, so the message goes straight onto
 * a connection; sendMany (a job's digests) claims them together and holds each until its slot,
 * handing off only a claim still this attempt's with a third of its lease left. Held claims'
 * leases are renewed every third of a lease (one UPDATE for all), so a slow server cannot make a
 * live attempt's claim expire. Only an
 * attempt that stopped (killed, paused, cut off from PostgreSQL) loses its lease; a crash between
 * the server's acceptance and the completion resends at most `maxInFlight` emails of that process,
 * with the same Message-ID, which receivers use to collapse it.
 */
export class EmailService {
  private readonly slots: Semaphore;
  /** Claims this process holds (key → token), renewed while their hand-off is in flight. */
  private readonly held = new Map<string, string>();
  /** When each held claim's lease ends at the earliest (token → ms), as of its claim or last renewal. */
  private readonly leaseEnds = new Map<string, number>();
  /** Tokens the renewal found taken over (reported there, not again at completion). */
  private readonly lostTokens = new Set<string>();
  private renewal: NodeJS.Timeout | null = null;
  private renewing = false;
  private recipientRefused: RecipientRefused | null = null;
  private emailSent: EmailSent | null = null;
  /**
   * Issue 21: the claims and completions of a burst go to PostgreSQL in groups (group commit):
   * those made while a statement runs wait for the next, one statement for all. A claim is still
   * taken only with a free slot, so the claims in flight stay at most `maxInFlight`; two groups of
   * claims may run at once, so a freed slot rarely waits behind a running one. Each email was two
   * statements of its own: their loopback writes alone took a fifth of the process's thread in a
   * burst (~0.4 ms an email; profile in BENCHMARKS.md, issue 21).
   */
  private readonly claims: GroupCommit<{ c: EmailClaim; token: string }, ClaimResult>;
  private readonly completions: GroupCommit<CompletionRequest, boolean>;

  constructor(private readonly deps: EmailServiceDeps) {
    this.slots = new Semaphore(deps.maxInFlight);
    this.claims = new GroupCommit({
      many: (reqs) => deps.emailLog.claimMany(reqs, deps.leaseMs), one: ({ c, token }) => deps.emailLog.claim(c, token, deps.leaseMs),
      keyOf: (req) => req.c.key, maxGroup: deps.maxInFlight, concurrency: 2,
    });
    this.completions = new GroupCommit({
      many: (reqs) => deps.emailLog.completeMany(reqs),
      one: (req) => deps.emailLog.complete(req.key, req.token, { status: 'sent', transport: req.transport, smtpResponse: req.smtpResponse }),
      keyOf: (req) => req.key, maxGroup: 500, concurrency: 1,
    });
  }

  get mode() {
    return this.deps.transport.mode;
  }

  /** The suppression list, built after the platform (a capability): app.ts plugs it in before any role starts. */
  onRecipientRefused(port: RecipientRefused): void {
    this.recipientRefused = port;
  }

  /** Outbound webhooks, built after the platform: app.ts plugs them in before any role starts. */
  onSent(port: EmailSent): void {
    this.emailSent = port;
  }

  /** This process's view of each SMTP transport's breaker (empty when mail is captured). */
  transports(): TransportView[] {
    return this.deps.transport instanceof FailoverTransport ? this.deps.transport.views() : [];
  }

  messageIdFor(key: string): string {
    return `<${key.replace(/[^\w.-]+/g, '.')}@${this.deps.domain}>`;
  }

  async sendOnce(email: EmailToSend): Promise<SendOutcome> {
    const token = randomUUID();
    // The slot covers the claim and the hand-off only: the completion that follows needs no
    // SMTP connection, so the next email's claim does not wait for it.
    return this.finish(email, token, () => this.slots.run(() => this.claimAndHandOff(email, token)));
  }

  /**
   * sendOnce for a job's emails (a DigestSend's digests, each gated on what it lists, distinct
   * keys): their claims go to PostgreSQL in one statement (claimMany), then each claimed email
   * waits for a free slot and is handed off. One settled result per email, in order.
   *
   * A claim taken here may wait for a slot, which sendOnce's never does: it is held (renewed
   * every third of a lease, like a hand-off's) from the claim on, and it is handed off only if it
   * is still this attempt's and the renewals left it at least a third of its lease (the last
   * renewal failed at most once); otherwise it is released (RetryableEmailError) or, if another
   * attempt took it over, reported lost and not sent. A claim that waited longer than a third of a
   * lease checks its gate again first (regate: a recall committed since its claim stops it, as it
   * stops a claim taken after it; a recall waits at most a lease for the claims it finds). A process
   * that stops loses these claims as it loses a hand-off's: the lease runs out and the job's retry
   * takes them over.
   */
  async sendMany(emails: readonly EmailToSend[]): Promise<Array<PromiseSettledResult<SendOutcome>>> {
    const gated = emails.every((e) => gateOf(e).length > 0);
    if (emails.length < 2 || !gated || new Set(emails.map((e) => e.key)).size < emails.length) return Promise.allSettled(emails.map((e) => this.sendOnce(e)));
    const reqs = emails.map((email) => ({ email, token: randomUUID(), c: { ...email, messageId: this.messageIdFor(email.key) } }));
    const since = Date.now();
    let claims: ClaimResult[];
    try {
      claims = await this.deps.emailLog.claimMany(reqs, this.deps.leaseMs);
    } catch {
      // One statement: nothing of it was written, or (a lost answer) its claims are held until their leases end.
      return Promise.allSettled(emails.map((e) => this.sendOnce(e)));
    }
    reqs.forEach(({ c, token }, i) => {
      const claim = claims[i];
      if (claim && claim !== 'stale' && claim.status === 'sending') this.hold(c.key, token, since);
    });
    return Promise.allSettled(reqs.map(({ email, token, c }, i) => this.finish(email, token, async () => {
      const settled = await this.settleClaim(email, claims[i]!);
      if (settled) return settled;
      return this.slots.run(async () => {
        if (this.held.get(c.key) !== token) throw new RetryableEmailError(`email ${c.key}: claim taken over by another attempt before its hand-off`);
        if (Date.now() > this.leaseEnds.get(token)! - this.deps.leaseMs / 3) {
          this.unhold(c.key, token);
          if (!(await this.deps.emailLog.release(c.key, token, 'lease not renewed while waiting for a slot'))) this.lost(email, token, 'release');
          throw new RetryableEmailError(`email ${c.key}: its lease was not renewed while it waited for a slot`);
        }
        // A recall waits at most a lease for the claims it finds: one that waited longer than a
        // third of a lease checks its gate again before its hand-off, as a claim taken now would.
        if (Date.now() - since > this.deps.leaseMs / 3) {
          const at = Date.now();
          const gate = await this.deps.emailLog.regate(c, token, this.deps.leaseMs);
          if (gate !== 'open') this.unhold(c.key, token);
          if (gate === 'lost') {
            this.lost(email, token, 'release');
            throw new RetryableEmailError(`email ${c.key}: claim taken over by another attempt before its hand-off`);
          }
          if (gate === 'closed') {
            if (email.kind === 'notification') return 'cancelled';
            throw new StaleContentError(email.key);
          }
          this.leaseEnds.set(token, at + this.deps.leaseMs);
        }
        return this.handOff(email, token, c.messageId);
      });
    })));
  }

  /** The outcome of one email's attempt, completed and reported. */
  private async finish(email: EmailToSend, token: string, attempt: () => Promise<SendOutcome | HandOff>): Promise<SendOutcome> {
    try {
      const handed = await attempt();
      const outcome = typeof handed === 'string' ? handed : await this.complete(email, token, handed);
      this.deps.onOutcome?.(email.kind, outcome, typeof handed === 'string' ? undefined : handed.transport);
      return outcome;
    } catch (err) {
      this.deps.onOutcome?.(email.kind, 'retry');
      throw err;
    } finally {
      this.lostTokens.delete(token);
    }
  }

  private async claimAndHandOff(email: EmailToSend, token: string): Promise<SendOutcome | HandOff> {
    const messageId = this.messageIdFor(email.key);
    const c: EmailClaim = { ...email, messageId };
    const since = Date.now();
    // A gated email (a notification's own, on its row; a digest, on the rows it lists) is claimed
    // in a group; one that shows no notification alone.
    const claim = gateOf(email).length > 0
      ? await this.claims.submit({ c, token }) : await this.deps.emailLog.claim(c, token, this.deps.leaseMs);
    const settled = await this.settleClaim(email, claim);
    if (settled) return settled;
    this.hold(email.key, token, since);
    return this.handOff(email, token, messageId);
  }

  /** A claim that gave this attempt no lease: its outcome, or the error to retry on; null when it is ours to send. */
  private async settleClaim(email: EmailToSend, claim: ClaimResult): Promise<SendOutcome | null> {
    if (claim === 'stale') throw new StaleContentError(email.key);
    if (!claim) {
      const current = await this.deps.emailLog.status(email.key);
      if (current && current.status !== 'sending') return current.status === 'failed' || current.status === 'suppressed' || current.status === 'cancelled' ? current.status : 'already-sent';
      throw new ClaimHeldError(email.key, current?.claimedUntil ?? new Date(Date.now() + this.deps.leaseMs));
    }
    // The claim statement itself found the address suppressed and logged the email so: no hand-off.
    if (claim.status === 'suppressed') return 'suppressed';
    // Its notification was recalled before this attempt could claim it: logged, never handed off.
    if (claim.status === 'cancelled') return 'cancelled';
    return null;
  }

  /** The hand-off of a held claim; a refusal fails or releases it. */
  private async handOff(email: EmailToSend, token: string, messageId: string): Promise<SendOutcome | HandOff> {
    let handOff: HandOff;
    try {
      handOff = await this.deps.transport.send({ from: this.deps.from, to: email.to, subject: email.subject, html: email.html, text: email.text, headers: email.headers, messageId });
      this.unhold(email.key, token);
    } catch (err) {
      this.unhold(email.key, token);
      const message = (err as Error).message;
      if (err instanceof PermanentEmailError) {
        // A refusal of the address itself suppresses it in the transaction that fails the email;
        // one of the message (policy, size) fails this email only.
        const refusal = classifyRefusal(err);
        const port = this.recipientRefused;
        const suppress = refusal.about === 'recipient' && port
          ? (trx: Tx) => port(trx, { email: email.to, detail: refusal.response, messageId, userId: email.userId })
          : undefined;
        if (!(await this.deps.emailLog.fail(email.key, token, message, suppress))) this.lost(email, token, 'fail');
        return 'failed';
      }
      if (!(await this.deps.emailLog.release(email.key, token, message))) this.lost(email, token, 'release');
      if (err instanceof TransportsOpenError) throw new TransportsDownError(email.key, err.until, err);
      throw new RetryableEmailError(`sending ${email.key} failed: ${message}`, { cause: err });
    }
    return handOff;
  }

  /** The server accepted it; if the claim was taken over meanwhile, the newer attempt's row stands. */
  private async complete(email: EmailToSend, token: string, handOff: HandOff): Promise<SendOutcome> {
    const captured = this.deps.transport.mode === 'captured';
    const delivery = { transport: handOff.transport, smtpResponse: handOff.response };
    const outcome = captured ? { status: 'captured' as const, ...delivery, html: email.html, text: email.text, headers: { ...email.headers } } : { status: 'sent' as const, ...delivery };
    const port = this.emailSent;
    const record = port?.wants(email.kind)
      ? (trx: Tx) => port.record(trx, {
        key: email.key, kind: email.kind, notificationId: email.notificationId, userId: email.userId, to: email.to, messageId: this.messageIdFor(email.key), status: outcome.status, transport: handOff.transport,
      })
      : undefined;
    // An email sent with nothing else to write (no email.sent wanted, not captured) completes in a group.
    const completed = outcome.status === 'sent' && !record
      ? await this.completions.submit({ key: email.key, token, transport: handOff.transport, smtpResponse: handOff.response })
      : await this.deps.emailLog.complete(email.key, token, outcome, record);
    if (!completed) this.lost(email, token, 'complete');
    return outcome.status;
  }

  /** Reported once per claim: the renewal may have seen the loss before the completion did. */
  private lost(email: Pick<EmailToSend, 'key' | 'kind'>, token: string, stage: 'renew' | 'complete' | 'release' | 'fail'): void {
    if (stage !== 'renew' && this.lostTokens.delete(token)) return;
    this.deps.onOutcome?.(email.kind, 'claim-lost');
    this.deps.onClaimLost?.(email.key, stage);
  }

  /** `since`: when the claim's statement was sent (its lease ends no earlier than since + leaseMs). */
  private hold(key: string, token: string, since: number): void {
    this.held.set(key, token);
    this.leaseEnds.set(token, since + this.deps.leaseMs);
    if (!this.renewal) {
      this.renewal = setInterval(() => void this.renewHeld(), Math.max(100, Math.floor(this.deps.leaseMs / 3)));
      this.renewal.unref();
    }
  }

  private unhold(key: string, token: string): void {
    if (this.held.get(key) === token) this.held.delete(key);
    this.leaseEnds.delete(token);
    if (this.held.size === 0 && this.renewal) {
      clearInterval(this.renewal);
      this.renewal = null;
    }
  }

  /** Extends the leases of every claim in hand-off; a failed renewal is retried on the next tick. */
  private async renewHeld(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const claims = [...this.held].map(([key, token]) => ({ key, token }));
    const since = Date.now();
    try {
      const missing = await this.deps.emailLog.renew(claims, this.deps.leaseMs);
      const gone = new Set(missing);
      for (const c of claims) if (!gone.has(c.key) && this.leaseEnds.has(c.token)) this.leaseEnds.set(c.token, since + this.deps.leaseMs);
      for (const key of missing) {
        const token = claims.find((c) => c.key === key)!.token;
        // Still in hand-off, so nothing of ours changed the row: another attempt took it over.
        if (this.held.get(key) !== token) continue;
        this.held.delete(key);
        this.leaseEnds.delete(token);
        this.lostTokens.add(token);
        this.lost({ key, kind: key.startsWith('digest:') ? 'digest' : 'notification' }, token, 'renew');
      }
    } catch {
      // PostgreSQL unreachable: the lease keeps its margin (two thirds of it) for the next tick.
    } finally {
      this.renewing = false;
    }
  }

  listEmails(filter: Parameters<EmailLogRepository['list']>[0]) {
    return Promise.all([this.deps.emailLog.list(filter), this.deps.emailLog.count(filter)]);
  }

  close(): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
    return this.deps.transport.close();
  }
}

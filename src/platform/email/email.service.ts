import { EmailLogRepository, type EmailClaim } from './email-log.repository.js';
import { PermanentEmailError, type MailTransport } from './transport.js';
import type { Db } from '../db/client.js';
import { DeferUntilError } from '../queue/deferral.js';
import { Semaphore } from '../semaphore.js';

export type SendOutcome = 'sent' | 'captured' | 'already-sent' | 'failed';

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
 * When every email a job could not send is held by another attempt, the job should wait for the
 * last lease rather than retry (see DeferUntilError); null when anything else went wrong too.
 */
export function deferralForHeldClaims(reasons: readonly unknown[]): DeferUntilError | null {
  if (reasons.length === 0 || !reasons.every((r) => r instanceof ClaimHeldError)) return null;
  const until = new Date(Math.max(...reasons.map((r) => (r as ClaimHeldError).until.getTime())));
  return new DeferUntilError(until, `${reasons.length} email(s) held by another attempt; waiting for their lease`);
}

/**
 * At most one email per key: the email_log row is claimed right before the SMTP hand-off and
 * completed right after it. Claims are taken only when a connection is free (at most `maxInFlight`
 * per process), so a claim never waits in a local queue and outlives its lease. Only a crash
 * between the server's acceptance and the completion can resend (at most `maxInFlight` emails per
 * crashed process); the resend carries the same Message-ID, which receivers use to collapse it.
 */
export class EmailService {
  private readonly log: EmailLogRepository;
  private readonly slots: Semaphore;

  constructor(db: Db, private readonly transport: MailTransport, private readonly options: {
    from: string; leaseMs: number; domain: string; maxInFlight: number;
    /** Told every outcome (metrics): sent, captured, already-sent, failed, retry. */
    onOutcome?: (kind: string, outcome: SendOutcome | 'retry') => void;
  }) {
    this.log = new EmailLogRepository(db);
    this.slots = new Semaphore(options.maxInFlight);
  }

  get mode() {
    return this.transport.mode;
  }

  messageIdFor(key: string): string {
    return `<${key.replace(/[^\w.-]+/g, '.')}@${this.options.domain}>`;
  }

  async sendOnce(email: EmailToSend): Promise<SendOutcome> {
    try {
      // The slot covers the claim and the hand-off only: the completion that follows needs no
      // SMTP connection, so the next email's claim does not wait for it.
      let outcome = await this.slots.run(() => this.claimAndHandOff(email));
      if (outcome === 'handed-off') outcome = await this.complete(email);
      this.options.onOutcome?.(email.kind, outcome);
      return outcome;
    } catch (err) {
      this.options.onOutcome?.(email.kind, 'retry');
      throw err;
    }
  }

  private async claimAndHandOff(email: EmailToSend): Promise<SendOutcome | 'handed-off'> {
    const messageId = this.messageIdFor(email.key);
    const claim = await this.log.claim({ ...email, messageId }, this.options.leaseMs);
    if (!claim) {
      const current = await this.log.status(email.key);
      if (current && current.status !== 'sending') return current.status === 'failed' ? 'failed' : 'already-sent';
      throw new ClaimHeldError(email.key, current?.claimedUntil ?? new Date(Date.now() + this.options.leaseMs));
    }
    try {
      await this.transport.send({ from: this.options.from, to: email.to, subject: email.subject, html: email.html, text: email.text, headers: email.headers, messageId });
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof PermanentEmailError) {
        await this.log.fail(email.key, message);
        return 'failed';
      }
      await this.log.release(email.key, message);
      throw new RetryableEmailError(`sending ${email.key} failed: ${message}`, { cause: err });
    }
    return 'handed-off';
  }

  private async complete(email: EmailToSend): Promise<SendOutcome> {
    if (this.transport.mode === 'captured') {
      await this.log.complete(email.key, { status: 'captured', html: email.html, text: email.text, headers: { ...email.headers } });
      return 'captured';
    }
    await this.log.complete(email.key, { status: 'sent' });
    return 'sent';
  }

  listEmails(filter: Parameters<EmailLogRepository['list']>[0]) {
    return Promise.all([this.log.list(filter), this.log.count(filter)]);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

import type { IncomingHttpHeaders } from 'node:http';
import type { Db } from '../platform/db/client.js';
import { AppError, InvalidError, NotFoundError, UnauthorizedError, UnavailableError } from '../platform/errors.js';
import { INVALID_BODY } from '../platform/http/validation.js';
import type { Logger } from '../platform/logger.js';
import type { ParsedEvent, ParseResult } from './email-event.rules.js';
import type { EmailLogReads } from '../platform/email/email-log.reads.js';
import type { EmailEventsRepository } from './email-events.repository.js';
import type { SuppressionsPort, WebhookEmitPort } from './email-events.ports.js';
import { genericSignatureValid, parseGeneric, postmarkAuthorized } from './generic.rules.js';
import { parsePostmark } from './postmark.rules.js';
import { parseSesEvent } from './ses.rules.js';
import type { SnsClient } from './sns.client.js';
import { parseSnsEnvelope, snsSignatureValid, topicAllowed, type SnsEnvelope } from './sns.rules.js';

export const PROVIDERS = ['ses', 'postmark', 'generic'] as const;
export type Provider = (typeof PROVIDERS)[number];
const isProvider = (p: string): p is Provider => (PROVIDERS as readonly string[]).includes(p);
const GENERIC_SIGNATURE_HEADER = 'x-herald-signature';

/** Why a request was refused: the `reason` label of herald_email_webhook_rejected_total. */
export type RejectReason =
  | 'unknown-provider' | 'not-configured' | 'unsigned' | 'bad-signature' | 'bad-credentials' | 'cert-url' | 'cert-fetch' | 'topic'
  | 'subscribe-url' | 'confirm-failed' | 'bad-json' | 'bad-payload';

/** A refusal that says why (counted by the routes' error hook). */
export const rejected = <E extends AppError>(error: E, reason: RejectReason): E & { reason: RejectReason } => Object.assign(error, { reason });

export interface IntakeResult {
  /** What the request was: events (recorded/duplicates counts), an SNS subscription step, or nothing herald acts on. */
  readonly outcome: 'events' | 'subscription-confirmed' | 'unsubscribe-confirmed' | 'ignored';
  readonly recorded: number;
  readonly duplicates: number;
}

export interface EmailEventsServiceDeps {
  readonly db: Db;
  readonly repository: EmailEventsRepository;
  /** The email log (platform/email's): which of our emails a report's Message-IDs name. */
  readonly emailLog: EmailLogReads;
  readonly sns: SnsClient;
  readonly webhookSecret: string | undefined;
  readonly topicArns: readonly string[];
  readonly log: Logger;
  readonly suppressions?: SuppressionsPort;
  readonly webhooks?: WebhookEmitPort;
  /** Called once per newly recorded event, after commit (metrics). */
  readonly onRecorded?: (provider: Provider, event: ParsedEvent, matched: boolean) => void;
  readonly now?: () => Date;
}

/**
 * Bounce, complaint and delivery reports from the providers: authenticate the request its
 * provider's way, parse it into events, then record them in one transaction with what follows
 * (the suppression of a permanently bounced or complaining address, the outbound webhook events).
 */
export class EmailEventsService {
  constructor(private readonly deps: EmailEventsServiceDeps) {}

  async receive(providerName: string, raw: Buffer, headers: IncomingHttpHeaders): Promise<IntakeResult> {
    if (!isProvider(providerName)) throw rejected(new NotFoundError(), 'unknown-provider');
    const provider = providerName;
    const receivedAt = this.deps.now?.() ?? new Date();
    if (provider === 'ses') {
      // Anyone can create an SNS topic, subscribe this URL (it confirms itself) and publish validly
      // signed fake bounces: a valid signature proves only that SNS sent it. Without the list of our
      // own topics the endpoint does not exist, like the secret-authenticated ones below.
      if (this.deps.topicArns.length === 0) throw rejected(new NotFoundError(), 'not-configured');
      return this.receiveSns(raw, receivedAt);
    }

    // postmark and generic share EMAIL_WEBHOOK_SECRET; without it they do not exist (never open).
    const secret = this.deps.webhookSecret;
    if (!secret) throw rejected(new NotFoundError(), 'not-configured');
    if (provider === 'generic') {
      const signature = headers[GENERIC_SIGNATURE_HEADER];
      if (signature === undefined) throw rejected(new UnauthorizedError('Unauthorized: missing X-Herald-Signature'), 'unsigned');
      if (!genericSignatureValid(secret, raw, signature)) throw rejected(new UnauthorizedError('Unauthorized: bad signature'), 'bad-signature');
      const parsed = parseGeneric(json(raw));
      if ('error' in parsed) throw rejected(new InvalidError(`Invalid event: ${parsed.error}`), 'bad-payload');
      return this.record(provider, parsed.result);
    }
    if (!postmarkAuthorized(secret, headers.authorization, headers['x-herald-webhook-secret'])) throw rejected(new UnauthorizedError(), 'bad-credentials');
    const result = parsePostmark(json(raw), receivedAt);
    if (!result) throw rejected(new InvalidError('Invalid event: not a Postmark webhook (RecordType missing, or no recipient and id)'), 'bad-payload');
    return this.record(provider, result);
  }

  /** SNS: signature first (nothing of an unverified message is acted on), then the message's type. */
  private async receiveSns(raw: Buffer, receivedAt: Date): Promise<IntakeResult> {
    const envelope = parseSnsEnvelope(json(raw));
    if (!envelope) throw rejected(new UnauthorizedError('Unauthorized: not a signed SNS message'), 'unsigned');
    await this.verifySns(envelope);
    if (envelope.Type === 'SubscriptionConfirmation') {
      const url = envelope.SubscribeURL ?? '';
      if (!this.deps.sns.allowed(url)) throw rejected(new UnauthorizedError('Unauthorized: SubscribeURL not on an allowed host'), 'subscribe-url');
      try {
        await this.deps.sns.confirm(url);
      } catch (err) {
        // SNS resends the confirmation: answer 503 so it does, rather than pretend.
        this.deps.log.warn({ topicArn: envelope.TopicArn, err: (err as Error).message }, 'SNS subscription confirmation failed');
        throw rejected(new UnavailableError('Could not confirm the SNS subscription'), 'confirm-failed');
      }
      this.deps.log.info({ topicArn: envelope.TopicArn }, 'SNS subscription confirmed');
      return { outcome: 'subscription-confirmed', recorded: 0, duplicates: 0 };
    }
    if (envelope.Type === 'UnsubscribeConfirmation') {
      this.deps.log.warn({ topicArn: envelope.TopicArn }, 'SNS topic unsubscribed herald: its bounces and complaints no longer arrive');
      return { outcome: 'unsubscribe-confirmed', recorded: 0, duplicates: 0 };
    }
    let message: unknown;
    try {
      message = JSON.parse(envelope.Message);
    } catch {
      throw rejected(new InvalidError('Invalid event: the SNS Message is not JSON'), 'bad-payload');
    }
    const result = parseSesEvent(message, receivedAt);
    if (!result) throw rejected(new InvalidError('Invalid event: the SNS Message is not an SES event'), 'bad-payload');
    return this.record('ses', result);
  }

  private async verifySns(m: SnsEnvelope): Promise<void> {
    if (!topicAllowed(m.TopicArn, this.deps.topicArns)) throw rejected(new UnauthorizedError('Unauthorized: topic not accepted'), 'topic');
    if (!this.deps.sns.certAllowed(m.SigningCertURL)) throw rejected(new UnauthorizedError('Unauthorized: SigningCertURL not an SNS certificate on an allowed host'), 'cert-url');
    let key;
    try {
      key = await this.deps.sns.signingKey(m.SigningCertURL);
    } catch (err) {
      // An allowed host that does not answer: SNS retries a 5xx, so the event is not lost.
      this.deps.log.warn({ url: m.SigningCertURL, err: (err as Error).message }, 'SNS signing certificate fetch failed');
      throw rejected(new UnavailableError('Could not fetch the SNS signing certificate'), 'cert-fetch');
    }
    if (!snsSignatureValid(m, key)) throw rejected(new UnauthorizedError('Unauthorized: bad signature'), 'bad-signature');
  }

  /**
   * The events in one transaction. A repeat (same provider event id) changes nothing: its insert
   * does nothing, and only a new row leads to a suppression and a webhook event, so ten parallel
   * deliveries of one event make one of each.
   */
  private async record(provider: Provider, result: ParseResult): Promise<IntakeResult> {
    if (result.kind === 'ignored') {
      this.deps.log.debug({ provider, what: result.what }, 'email event ignored');
      return { outcome: 'ignored', recorded: 0, duplicates: 0 };
    }
    const { suppressions, webhooks } = this.deps;
    const done: Array<{ event: ParsedEvent; matched: boolean }> = [];
    await this.deps.db.transaction().execute(async (trx) => {
      const repository = this.deps.repository.in(trx);
      for (const event of result.events) {
        // The first candidate (in the parser's order of trust) that names an email of ours.
        const logs = await this.deps.emailLog.in(trx).logsByMessageIds(event.messageIds);
        const found = event.messageIds.map((m) => logs.find((l) => l.messageId === m)).find((l) => l !== undefined);
        // The email is the one the event names, but its user is only the event's when the event is
        // about that email's recipient: a report naming another address (a forward, a mistaken or
        // hostile sender) must not turn a stranger's email preference off.
        const log = found ? { id: found.id, messageId: found.messageId, userId: found.to.toLowerCase() === event.email.toLowerCase() ? found.userId : null } : null;
        const messageId = log?.messageId ?? event.messageIds[0] ?? null;
        const id = await repository.insert({ provider, ...event, messageId, emailLogId: log?.id ?? null });
        if (id === null) continue;
        done.push({ event, matched: log !== null });
        const input = { email: event.email, source: provider, detail: event.detail, messageId, userId: log?.userId ?? null };
        if (event.type === 'complaint') await suppressions?.complaint(trx, input);
        else if (event.type === 'bounce' && event.permanent) await suppressions?.suppress(trx, { ...input, reason: 'hard-bounce' });
        if (event.type !== 'delivered' && webhooks) {
          await webhooks.emit(trx, [{
            type: event.type === 'bounce' ? 'email.bounced' : 'email.complained', orderingKey: `email:${event.email}`,
            data: { provider, email: event.email, messageId, emailLogId: log?.id ?? null, userId: log?.userId ?? null, permanent: event.permanent, detail: event.detail, occurredAt: event.occurredAt.toISOString() },
          }]);
        }
      }
    });
    for (const { event, matched } of done) {
      if (!matched) this.deps.log.info({ provider, type: event.type, email: event.email, messageIds: event.messageIds }, 'email event names no email of ours: stored unmatched');
      this.deps.onRecorded?.(provider, event, matched);
    }
    return { outcome: 'events', recorded: done.length, duplicates: result.events.length - done.length };
  }
}

/** The body as JSON; the contract's 400 when it is not. */
function json(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw rejected(new InvalidError(INVALID_BODY, [{ code: 'invalid_json', path: [], message: 'Body is not valid JSON' }]), 'bad-json');
  }
}

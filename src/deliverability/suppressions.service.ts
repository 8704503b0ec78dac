import type { AuditRepository } from '../admin/index.js';
import type { Db, Executor } from '../platform/db/client.js';
import type { SuppressionReason } from '../platform/db/schema.delivery.js';
import { NotFoundError } from '../platform/errors.js';
import { normalizeAddress } from './suppression.rules.js';
import type { SuppressionsRepository } from './suppressions.repository.js';

/** What a bounce or complaint report says about an address (the SMTP answer, a provider event). */
export interface SuppressInput {
  readonly email: string;
  readonly reason: SuppressionReason;
  /** 'smtp' (a permanent refusal at hand-off) or the reporting provider: 'ses', 'postmark', 'generic'. */
  readonly source: string;
  /** The SMTP answer or the provider's diagnostic, shown to the admin deciding whether to lift it. */
  readonly detail?: string | null;
  readonly messageId?: string | null;
  readonly userId?: string | null;
}
export type ComplaintInput = Omit<SuppressInput, 'reason'>;

/**
 * The port bounce/complaint intake (src/email-events) and the send path call, in their own
 * transaction: the suppression commits or rolls back with the event that caused it. `created` is
 * true only when the address was not suppressed before (a repeated report changes nothing; a
 * complaint after a hard bounce upgrades the reason and reports created: false).
 */
export interface Suppressions {
  suppress(trx: Executor, input: SuppressInput): Promise<{ created: boolean }>;
  /** A complaint: suppresses the address and turns the user's email preference off. */
  complaint(trx: Executor, input: ComplaintInput): Promise<{ created: boolean }>;
}

/** Notifications' port: email off for the user (by id, else by address), in the caller's transaction. */
export interface EmailOptOut {
  disableEmail(trx: Executor, target: { userId: string | null; email: string }): Promise<void>;
}

/** Outbound webhooks' port (src/webhooks), optional until it is wired. */
export interface SuppressionWebhooks {
  emit(trx: Executor, events: ReadonlyArray<{ type: 'email.suppressed'; orderingKey: string; data: Record<string, unknown> }>): Promise<void>;
}

export interface SuppressionsServiceDeps {
  readonly db: Db;
  readonly suppressions: SuppressionsRepository;
  readonly audit: AuditRepository;
  readonly optOut: EmailOptOut;
  readonly webhooks?: SuppressionWebhooks;
  /** Told each suppression that changed a row (metrics); called inside the transaction, so a rollback still counts it. */
  readonly onSuppressed?: (reason: SuppressionReason, source: string) => void;
  readonly onLifted?: (reason: SuppressionReason) => void;
}

export class SuppressionsService implements Suppressions {
  constructor(private readonly deps: SuppressionsServiceDeps) {}

  async suppress(trx: Executor, input: SuppressInput): Promise<{ created: boolean }> {
    const email = normalizeAddress(input.email);
    const row = await this.deps.suppressions.in(trx).upsert({
      email, reason: input.reason, source: input.source, detail: input.detail ?? null, messageId: input.messageId ?? null, userId: input.userId ?? null,
    });
    if (!row) return { created: false };
    this.deps.onSuppressed?.(row.reason, input.source);
    await this.deps.webhooks?.emit(trx, [{
      type: 'email.suppressed', orderingKey: `email:${email}`,
      data: { email, reason: row.reason, source: input.source, detail: input.detail ?? null, messageId: input.messageId ?? null, userId: input.userId ?? null, upgraded: !row.created },
    }]);
    return { created: row.created };
  }

  async complaint(trx: Executor, input: ComplaintInput): Promise<{ created: boolean }> {
    const result = await this.suppress(trx, { ...input, reason: 'complaint' });
    // Even when the address was suppressed already: the user said no, and a lift must not undo that.
    await this.deps.optOut.disableEmail(trx, { userId: input.userId ?? null, email: normalizeAddress(input.email) });
    return result;
  }

  /**
   * An admin lifts the suppression: the row goes and the lift is audited in one transaction. The
   * DELETE … RETURNING decides who lifted it: of concurrent lifts exactly one finds the row (the
   * others 404), so the audit log has one entry per lift that happened.
   */
  async lift(emailInput: string, adminId: string) {
    const email = normalizeAddress(emailInput);
    const removed = await this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.suppressions.in(tx).remove(email);
      if (!row) return null;
      await this.deps.audit.in(tx).record({
        adminId, action: 'email.suppression.lift',
        details: { email, reason: row.reason, source: row.source, detail: row.detail, suppressedAt: row.created_at.toISOString() },
      });
      return row;
    });
    if (!removed) throw new NotFoundError('Suppression not found');
    this.deps.onLifted?.(removed.reason);
    return removed;
  }

  async list(filter: { page: number; pageSize: number; q?: string }) {
    const q = filter.q?.trim() || undefined;
    const [rows, total] = await Promise.all([
      this.deps.suppressions.list({ q, limit: filter.pageSize, offset: (filter.page - 1) * filter.pageSize }),
      this.deps.suppressions.count({ q }),
    ]);
    return { rows, total };
  }

  async find(email: string) {
    return (await this.deps.suppressions.find(normalizeAddress(email))) ?? null;
  }
}

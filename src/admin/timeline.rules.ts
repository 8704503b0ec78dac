/**
 * The message timeline (GET /api/admin/notifications/:id/timeline): what the service recorded of
 * one notification, put in time order. Pure: the ports read the rows, this names and orders them.
 */

/** The stages, in the order two of them with the same instant are shown (cause before effect). */
export const TIMELINE_STAGES = [
  'created', 'visible', 'relayed', 'email-held', 'email-claimed', 'email-retrying', 'email-sent', 'email-captured', 'email-suppressed',
  'email-cancelled', 'email-failed', 'delivered', 'bounced', 'complained', 'delivery-job-done', 'delivery-job-failed', 'seen', 'read', 'snoozed', 'archived',
  'digest', 'expires',
] as const;
export type TimelineStage = (typeof TIMELINE_STAGES)[number];

export interface TimelineEvent {
  readonly at: Date;
  readonly stage: TimelineStage;
  readonly detail: Record<string, unknown>;
}

export interface TimelineNotification {
  readonly createdAt: Date;
  readonly batchId: string | null;
  readonly priority: string;
  readonly critical: boolean;
  readonly seenAt: Date | null;
  readonly readAt: Date | null;
  readonly archivedAt: Date | null;
  readonly snoozedUntil: Date | null;
  readonly expiresAt: Date | null;
}

export interface TimelineRelay {
  readonly outboxId: string;
  readonly createdAt: Date;
  readonly relayedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  readonly heldUntil: Date | null;
}

export interface TimelineEmail {
  readonly id: string;
  readonly kind: string;
  readonly to: string;
  readonly status: string;
  readonly attempts: number;
  readonly messageId: string;
  readonly transport: string | null;
  readonly smtpResponse: string | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly sentAt: Date | null;
}

export interface TimelineProviderEvent {
  readonly emailLogId: string;
  readonly type: 'delivered' | 'bounce' | 'complaint';
  readonly provider: string;
  readonly permanent: boolean;
  readonly detail: string | null;
  readonly occurredAt: Date;
}

export interface TimelineDigest {
  readonly periodKey: string;
  readonly frequency: string;
  readonly runAt: Date;
  /** The digest's email, when one was logged for it. */
  readonly email: TimelineEmail | null;
}

export interface TimelineInput {
  readonly notification: TimelineNotification;
  readonly relays: readonly TimelineRelay[];
  /** The notification's own emails (email_log rows naming it). */
  readonly emails: readonly TimelineEmail[];
  readonly providerEvents: readonly TimelineProviderEvent[];
  readonly digests: readonly TimelineDigest[];
}

const PROVIDER_STAGE = { delivered: 'delivered', bounce: 'bounced', complaint: 'complained' } as const;

function relayEvents(r: TimelineRelay): TimelineEvent[] {
  const held = r.heldUntil ? { outboxId: r.outboxId, heldUntil: r.heldUntil.toISOString() } : null;
  const out: TimelineEvent[] = [];
  // A held run is written when the first run finds the user in quiet hours; it relays at the end.
  if (held) out.push({ at: r.createdAt, stage: 'email-held', detail: held });
  if (r.relayedAt) out.push({ at: r.relayedAt, stage: 'relayed', detail: { outboxId: r.outboxId, held: held !== null } });
  if (r.completedAt) out.push({ at: r.completedAt, stage: 'delivery-job-done', detail: { outboxId: r.outboxId } });
  if (r.failedAt) out.push({ at: r.failedAt, stage: 'delivery-job-failed', detail: { outboxId: r.outboxId } });
  return out;
}

/** What one email_log row says: its claim, then its outcome (or its last temporary failure). */
export function emailEvents(e: TimelineEmail): TimelineEvent[] {
  const base = { emailLogId: e.id, kind: e.kind, to: e.to, messageId: e.messageId };
  const out: TimelineEvent[] = [{ at: e.createdAt, stage: 'email-claimed', detail: { ...base, attempts: e.attempts } }];
  if ((e.status === 'sent' || e.status === 'captured') && e.sentAt) {
    out.push({ at: e.sentAt, stage: e.status === 'sent' ? 'email-sent' : 'email-captured', detail: { ...base, attempts: e.attempts, transport: e.transport, smtpResponse: e.smtpResponse } });
  } else if (e.status === 'suppressed') {
    out.push({ at: e.updatedAt, stage: 'email-suppressed', detail: { ...base, reason: e.error } });
  } else if (e.status === 'cancelled') {
    // Issue 19: its batch was recalled before any attempt claimed it; never handed to a transport.
    out.push({ at: e.updatedAt, stage: 'email-cancelled', detail: { ...base, reason: e.error } });
  } else if (e.status === 'failed') {
    out.push({ at: e.updatedAt, stage: 'email-failed', detail: { ...base, attempts: e.attempts, error: e.error, smtpResponse: e.smtpResponse } });
  } else if (e.status === 'sending' && e.error) {
    out.push({ at: e.updatedAt, stage: 'email-retrying', detail: { ...base, attempts: e.attempts, error: e.error } });
  }
  return out;
}

function inboxEvents(n: TimelineNotification, now: number): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  // In-app delivery is never held (quiet hours hold only the email): visible from its creation.
  out.push({ at: n.createdAt, stage: 'visible', detail: { reason: 'created' } });
  if (n.seenAt) out.push({ at: n.seenAt, stage: 'seen', detail: {} });
  if (n.readAt) out.push({ at: n.readAt, stage: 'read', detail: {} });
  if (n.archivedAt) out.push({ at: n.archivedAt, stage: 'archived', detail: {} });
  // Only the end of a snooze is recorded, not when it began: a snooze that has ended made the
  // notification visible again (back on top, unread); one still running is shown at its end.
  if (n.snoozedUntil) {
    out.push(n.snoozedUntil.getTime() <= now
      ? { at: n.snoozedUntil, stage: 'visible', detail: { reason: 'snooze-ended' } }
      : { at: n.snoozedUntil, stage: 'snoozed', detail: { until: n.snoozedUntil.toISOString() } });
  }
  if (n.expiresAt) out.push({ at: n.expiresAt, stage: 'expires', detail: { passed: n.expiresAt.getTime() <= now } });
  return out;
}

function digestEvent(d: TimelineDigest): TimelineEvent {
  const e = d.email;
  return {
    at: e?.sentAt ?? d.runAt, stage: 'digest',
    detail: {
      periodKey: d.periodKey, frequency: d.frequency, runAt: d.runAt.toISOString(),
      emailLogId: e?.id ?? null, status: e?.status ?? null, transport: e?.transport ?? null, messageId: e?.messageId ?? null,
    },
  };
}

/** The timeline, oldest first; one instant's stages in TIMELINE_STAGES order. */
export function buildTimeline(input: TimelineInput, now: number): TimelineEvent[] {
  const n = input.notification;
  const events: TimelineEvent[] = [
    { at: n.createdAt, stage: 'created', detail: { batchId: n.batchId, priority: n.priority, critical: n.critical } },
    ...inboxEvents(n, now),
    ...input.relays.flatMap(relayEvents),
    ...input.emails.flatMap(emailEvents),
    ...input.providerEvents.map((p): TimelineEvent => ({
      at: p.occurredAt, stage: PROVIDER_STAGE[p.type], detail: { emailLogId: p.emailLogId, provider: p.provider, permanent: p.permanent, detail: p.detail },
    })),
    ...input.digests.map(digestEvent),
  ];
  const rank = (s: TimelineStage) => TIMELINE_STAGES.indexOf(s);
  // Array.prototype.sort is stable: equal instants and stages keep their input order.
  return events.sort((a, b) => a.at.getTime() - b.at.getTime() || rank(a.stage) - rank(b.stage));
}

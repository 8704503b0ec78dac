import { describe, expect, it } from 'vitest';
import { buildTimeline, emailEvents, TIMELINE_STAGES, type TimelineEmail, type TimelineInput } from '../../src/admin/timeline.rules.js';

// The message timeline's assembly and order, without the app (the endpoint: timeline.test.ts).

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);

const notification = (extra: Partial<TimelineInput['notification']> = {}): TimelineInput['notification'] => ({
  createdAt: at(0), batchId: 'b1', priority: 'HIGH', critical: false, seenAt: null, readAt: null, archivedAt: null, snoozedUntil: null, expiresAt: null, ...extra,
});
const email = (extra: Partial<TimelineEmail> = {}): TimelineEmail => ({
  id: 'e1', kind: 'notification', to: 'a@b.test', status: 'sent', attempts: 1, messageId: '<m1@herald>', transport: 'smtp-2', smtpResponse: '250 2.0.0 OK',
  error: null, createdAt: at(2), updatedAt: at(3), sentAt: at(3), ...extra,
});
const input = (extra: Partial<TimelineInput> = {}): TimelineInput => ({ notification: notification(), relays: [], emails: [], providerEvents: [], digests: [], ...extra });
const stagesOf = (i: TimelineInput, now = T0 + 86_400_000) => buildTimeline(i, now).map((e) => e.stage);

describe('buildTimeline', () => {
  it('orders a whole life by time: created, relayed, claimed, sent, delivered, job done, seen, read, archived', () => {
    const events = buildTimeline(input({
      notification: notification({ seenAt: at(60), readAt: at(61), archivedAt: at(90) }),
      relays: [{ outboxId: '7', createdAt: at(0), relayedAt: at(1), completedAt: at(4), failedAt: null, heldUntil: null }],
      emails: [email()],
      providerEvents: [{ emailLogId: 'e1', type: 'delivered', provider: 'ses', permanent: false, detail: null, occurredAt: at(3.5) }],
    }), T0 + 100_000);
    expect(events.map((e) => e.stage)).toEqual(['created', 'visible', 'relayed', 'email-claimed', 'email-sent', 'delivered', 'delivery-job-done', 'seen', 'read', 'archived']);
    expect(events.map((e) => e.at.getTime())).toEqual([...events.map((e) => e.at.getTime())].sort((a, b) => a - b));
    expect(events.find((e) => e.stage === 'email-sent')!.detail).toEqual({
      emailLogId: 'e1', kind: 'notification', to: 'a@b.test', messageId: '<m1@herald>', attempts: 1, transport: 'smtp-2', smtpResponse: '250 2.0.0 OK',
    });
    expect(events[0]!.detail).toEqual({ batchId: 'b1', priority: 'HIGH', critical: false });
    expect(events.find((e) => e.stage === 'relayed')!.detail).toEqual({ outboxId: '7', held: false });
  });

  it('puts stages of one instant cause first (seen and read together: seen, then read), whatever the input order', () => {
    const i = input({ notification: notification({ seenAt: at(5), readAt: at(5) }), relays: [{ outboxId: '1', createdAt: at(0), relayedAt: at(0), completedAt: at(0), failedAt: null, heldUntil: null }] });
    expect(stagesOf(i)).toEqual(['created', 'visible', 'relayed', 'delivery-job-done', 'seen', 'read']);
    // Every stage has a rank, none twice.
    expect(new Set(TIMELINE_STAGES).size).toBe(TIMELINE_STAGES.length);
  });

  it('keeps events of the same stage and instant in their input order', () => {
    const i = input({ emails: [email({ id: 'x', createdAt: at(2), status: 'sending', error: null }), email({ id: 'y', createdAt: at(2), status: 'sending', error: null })] });
    expect(buildTimeline(i, T0).filter((e) => e.stage === 'email-claimed').map((e) => e.detail.emailLogId)).toEqual(['x', 'y']);
  });

  it('names each email outcome: captured, suppressed, failed, a retry after a temporary failure, still being sent', () => {
    expect(emailEvents(email({ status: 'captured', transport: 'captured', smtpResponse: null })).map((e) => e.stage)).toEqual(['email-claimed', 'email-captured']);
    const suppressed = emailEvents(email({ status: 'suppressed', sentAt: null, transport: null, smtpResponse: null, error: 'address suppressed (hard-bounce)' }));
    expect(suppressed.map((e) => e.stage)).toEqual(['email-claimed', 'email-suppressed']);
    expect(suppressed[1]!.at).toEqual(at(3));
    expect(suppressed[1]!.detail.reason).toBe('address suppressed (hard-bounce)');
    const cancelled = emailEvents(email({ status: 'cancelled', sentAt: null, transport: null, smtpResponse: null, error: 'recalled or expired before its email was claimed' }));
    expect(cancelled.map((e) => e.stage)).toEqual(['email-claimed', 'email-cancelled']);
    expect(cancelled[1]).toEqual({ at: at(3), stage: 'email-cancelled', detail: { emailLogId: 'e1', kind: 'notification', to: 'a@b.test', messageId: '<m1@herald>', reason: 'recalled or expired before its email was claimed' } });
    const failed = emailEvents(email({ status: 'failed', sentAt: null, attempts: 2, error: '550 5.1.1 unknown user', smtpResponse: '550 5.1.1 unknown user' }));
    expect(failed.map((e) => e.stage)).toEqual(['email-claimed', 'email-failed']);
    expect(failed[1]!.detail).toMatchObject({ attempts: 2, error: '550 5.1.1 unknown user' });
    expect(emailEvents(email({ status: 'sending', sentAt: null, error: '421 try later', attempts: 3 })).map((e) => e.stage)).toEqual(['email-claimed', 'email-retrying']);
    expect(emailEvents(email({ status: 'sending', sentAt: null, error: null })).map((e) => e.stage)).toEqual(['email-claimed']);
    const retrying = emailEvents(email({ status: 'sending', sentAt: null, error: '421 try later', attempts: 3 }))[1]!;
    expect(retrying).toEqual({ at: at(3), stage: 'email-retrying', detail: { emailLogId: 'e1', kind: 'notification', to: 'a@b.test', messageId: '<m1@herald>', attempts: 3, error: '421 try later' } });
    // A sent row without its instant (never written so) says no more than its claim, error or not.
    expect(emailEvents(email({ status: 'sent', sentAt: null })).map((e) => e.stage)).toEqual(['email-claimed']);
    expect(emailEvents(email({ status: 'captured', sentAt: null, error: 'stale' })).map((e) => e.stage)).toEqual(['email-claimed']);
    // The status decides, not a sent_at left from an earlier attempt.
    expect(emailEvents(email({ status: 'failed', sentAt: at(3), error: '554 refused' })).map((e) => e.stage)).toEqual(['email-claimed', 'email-failed']);
  });

  it('shows a quiet-hours hold, its later relay and the job that failed for good', () => {
    const events = buildTimeline(input({
      relays: [
        { outboxId: '1', createdAt: at(0), relayedAt: at(1), completedAt: at(2), failedAt: null, heldUntil: null },
        { outboxId: '2', createdAt: at(2), relayedAt: at(3600), completedAt: null, failedAt: at(3700), heldUntil: at(3600) },
        // Written, not relayed yet: nothing but its hold to show.
        { outboxId: '3', createdAt: at(5), relayedAt: null, completedAt: null, failedAt: null, heldUntil: at(7200) },
      ],
    }), T0 + 86_400_000);
    expect(events.map((e) => e.stage)).toEqual(['created', 'visible', 'relayed', 'email-held', 'delivery-job-done', 'email-held', 'relayed', 'delivery-job-failed']);
    expect(events[3]!.detail).toEqual({ outboxId: '2', heldUntil: at(3600).toISOString() });
    expect(events[4]!.detail).toEqual({ outboxId: '1' });
    expect(events[6]!.detail).toEqual({ outboxId: '2', held: true });
    expect(events[7]!.detail).toEqual({ outboxId: '2' });
  });

  it('a snooze: back in view at its end once that passed, shown as pending until then', () => {
    const snoozed = input({ notification: notification({ snoozedUntil: at(600) }) });
    expect(buildTimeline(snoozed, T0 + 599_000)).toEqual([
      { at: at(0), stage: 'created', detail: { batchId: 'b1', priority: 'HIGH', critical: false } },
      { at: at(0), stage: 'visible', detail: { reason: 'created' } },
      { at: at(600), stage: 'snoozed', detail: { until: at(600).toISOString() } },
    ]);
    const back = buildTimeline(snoozed, T0 + 600_000);
    expect(back.map((e) => e.stage)).toEqual(['created', 'visible', 'visible']);
    expect(back.map((e) => e.detail.reason)).toEqual([undefined, 'created', 'snooze-ended']);
  });

  it('maps provider events to bounced and complained, and an expiry to its instant', () => {
    const events = buildTimeline(input({
      notification: notification({ expiresAt: at(100) }),
      providerEvents: [
        { emailLogId: 'e1', type: 'complaint', provider: 'postmark', permanent: true, detail: 'spam', occurredAt: at(50) },
        { emailLogId: 'e1', type: 'bounce', provider: 'generic', permanent: false, detail: '452 mailbox full', occurredAt: at(40) },
      ],
    }), T0 + 50_000);
    expect(events.map((e) => e.stage)).toEqual(['created', 'visible', 'bounced', 'complained', 'expires']);
    expect(events[2]!.detail).toEqual({ emailLogId: 'e1', provider: 'generic', permanent: false, detail: '452 mailbox full' });
    expect(events[4]!.detail).toEqual({ passed: false });
    expect(buildTimeline(input({ notification: notification({ expiresAt: at(100) }) }), T0 + 100_000).at(-1)!.detail).toEqual({ passed: true });
  });

  it('places a digest at its email\'s send, or at its run when none was logged', () => {
    const sent = buildTimeline(input({ digests: [{ periodKey: '2026-03-02', frequency: 'DAILY', runAt: at(1000), email: email({ id: 'd1', kind: 'digest', sentAt: at(1010) }) }] }), T0);
    expect(sent.at(-1)).toEqual({
      at: at(1010), stage: 'digest',
      detail: { periodKey: '2026-03-02', frequency: 'DAILY', runAt: at(1000).toISOString(), emailLogId: 'd1', status: 'sent', transport: 'smtp-2', messageId: '<m1@herald>' },
    });
    const none = buildTimeline(input({ digests: [{ periodKey: 'w10', frequency: 'WEEKLY', runAt: at(2000), email: null }] }), T0);
    expect(none.at(-1)).toEqual({
      at: at(2000), stage: 'digest', detail: { periodKey: 'w10', frequency: 'WEEKLY', runAt: at(2000).toISOString(), emailLogId: null, status: null, transport: null, messageId: null },
    });
  });
});

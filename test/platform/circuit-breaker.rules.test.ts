import { describe, expect, it } from 'vitest';
import { admit, classifySmtpFailure, closedBreaker, onAnswer, onFailure, type Breaker } from '../../src/platform/email/circuit-breaker.rules.js';
import { isPermanentSmtpError } from '../../src/platform/email/transport.js';

/** Issue 18: the SMTP circuit breaker as a pure state machine (no app, no clock). */

const settings = { max4xx: 3, cooldownMs: 1_000, maxCooldownMs: 3_000 };

describe('circuit breaker', () => {
  it('a connection failure opens a closed breaker at once, for the cool-down', () => {
    expect(closedBreaker(settings)).toEqual({ state: 'closed', openUntil: null, cooldownMs: 1_000, consecutiveFailures: 0, consecutive4xx: 0 });
    const { next, tripped } = onFailure(closedBreaker(settings), 'connection', 10_000, settings);
    expect(tripped).toBe(true);
    expect(next).toEqual({ state: 'open', openUntil: 11_000, cooldownMs: 1_000, consecutiveFailures: 1, consecutive4xx: 0 });
    expect(admit(next, 10_999).admitted).toBe(false);
  });

  it('4xx answers open it only after max4xx in a row; an answer in between resets the run', () => {
    let b: Breaker = closedBreaker(settings);
    for (let i = 0; i < 2; i++) {
      const r = onFailure(b, 'transient', 0, settings);
      expect(r.tripped).toBe(false);
      b = r.next;
    }
    expect(b).toMatchObject({ state: 'closed', consecutive4xx: 2 });
    b = onAnswer(settings);
    expect(b.consecutive4xx).toBe(0);
    for (let i = 0; i < 2; i++) b = onFailure(b, 'transient', 0, settings).next;
    expect(b.state).toBe('closed');
    const third = onFailure(b, 'transient', 5, settings);
    expect(third.tripped).toBe(true);
    expect(third.next).toEqual({ state: 'open', openUntil: 1_005, cooldownMs: 1_000, consecutiveFailures: 3, consecutive4xx: 3 });
  });

  it('a connection failure breaks a 4xx run: the run counts 4xx in a row only', () => {
    const b = onFailure(onFailure(closedBreaker({ ...settings, max4xx: 100 }), 'transient', 0, settings).next, 'transient', 0, settings).next;
    expect(b.consecutive4xx).toBe(2);
    expect(onFailure({ ...b, state: 'open', openUntil: 9 }, 'connection', 0, settings).next.consecutive4xx).toBe(0);
  });

  it('after the cool-down exactly one trial goes (half-open); the rest wait until it answers', () => {
    const open = onFailure(closedBreaker(settings), 'connection', 0, settings).next;
    expect(admit(open, 999)).toEqual({ admitted: false, next: open });
    const trial = admit(open, 1_000);
    expect(trial.admitted).toBe(true);
    expect(trial.next).toEqual({ ...open, state: 'half-open', openUntil: null });
    expect(admit(trial.next, 1_001)).toEqual({ admitted: false, next: trial.next });
    expect(admit(trial.next, 99_999).admitted).toBe(false);
  });

  it('a successful trial closes it with the base cool-down again', () => {
    const open = onFailure(closedBreaker(settings), 'connection', 0, settings).next;
    const failedTrial = onFailure(admit(open, 1_000).next, 'connection', 1_000, settings).next;
    expect(failedTrial.cooldownMs).toBe(2_000);
    const closed = onAnswer(settings);
    expect(closed).toEqual(closedBreaker(settings));
    expect(admit(closed, 0).admitted).toBe(true);
  });

  it('a failed trial re-opens it with the cool-down doubled, capped at maxCooldownMs', () => {
    let b = onFailure(closedBreaker(settings), 'connection', 0, settings).next;
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const now = b.openUntil!;
      const r = onFailure(admit(b, now).next, 'transient', now, settings);
      expect(r.tripped).toBe(true);
      expect(r.next.state).toBe('open');
      b = r.next;
      seen.push(b.openUntil! - now);
    }
    expect(seen).toEqual([2_000, 3_000, 3_000, 3_000]);
    expect(b.consecutiveFailures).toBe(5);
  });

  it('a failure of a message admitted before the breaker opened leaves the cool-down alone', () => {
    const open = onFailure(closedBreaker(settings), 'connection', 0, settings).next;
    const late = onFailure(open, 'connection', 500, settings);
    expect(late.tripped).toBe(false);
    expect(late.next).toMatchObject({ state: 'open', openUntil: 1_000, consecutiveFailures: 2 });
  });

  it('classifies nodemailer errors: 5xx permanent, 4xx transient, 421, credentials and connection errors the transport\'s', () => {
    expect(classifySmtpFailure({ responseCode: 550, code: 'EENVELOPE' })).toBe('permanent');
    // The families' edges: 4xx transient, 5xx permanent, anything else the connection's.
    for (const [code, kind] of [[399, 'connection'], [400, 'transient'], [499, 'transient'], [500, 'permanent'], [599, 'permanent'], [600, 'connection'], [250, 'connection']] as const) {
      expect(classifySmtpFailure({ responseCode: code }), String(code)).toBe(kind);
    }
    expect(classifySmtpFailure({ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 500 }, { responseCode: 599 }] })).toBe('permanent');
    expect(classifySmtpFailure({ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 550 }, { responseCode: 600 }] })).toBe('transient');
    expect(classifySmtpFailure({ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 550 }, {}] })).toBe('transient');
    // An envelope error without the refusals is not known to be permanent: the connection's.
    expect(classifySmtpFailure({ code: 'EENVELOPE' })).toBe('connection');
    expect(classifySmtpFailure({ code: 'EENVELOPE', rejectedErrors: [] })).toBe('connection');
    expect(classifySmtpFailure({ responseCode: 552, code: 'EMESSAGE' })).toBe('permanent');
    expect(classifySmtpFailure({ responseCode: 451, code: 'EMESSAGE' })).toBe('transient');
    expect(classifySmtpFailure({ responseCode: 450, code: 'EENVELOPE' })).toBe('transient');
    expect(classifySmtpFailure({ responseCode: 421, code: 'EMESSAGE' })).toBe('connection');
    expect(classifySmtpFailure({ responseCode: 535, code: 'EAUTH' })).toBe('connection');
    // A STARTTLS refused or failed (ETLS), even with a 5xx: the connection, not the message.
    expect(classifySmtpFailure({ responseCode: 500, code: 'ETLS' })).toBe('connection');
    expect(isPermanentSmtpError({ responseCode: 500, code: 'ETLS' })).toBe(false);
    expect(classifySmtpFailure({ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 550 }, { responseCode: 551 }] })).toBe('permanent');
    expect(classifySmtpFailure({ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 550 }, { responseCode: 451 }] })).toBe('transient');
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']) expect(classifySmtpFailure(Object.assign(new Error(code), { code }))).toBe('connection');
    expect(classifySmtpFailure(new Error('Connection closed unexpectedly'))).toBe('connection');
    expect(classifySmtpFailure(null)).toBe('connection');
  });
});

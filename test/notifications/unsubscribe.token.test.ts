import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../../src/notifications/unsubscribe.token.js';
import { tampered } from './tampered.js';

/**
 * One-click unsubscribe tokens cannot be forged or pointed at anyone but the user they were
 * issued for: the token's checks alone (unsubscribe-security.test.ts tries them over HTTP).
 */
const secret = 'a-session-secret-of-the-usual-length-0123456789';
const me = randomUUID();
const victim = randomUUID();
const inAMinute = () => new Date(Date.now() + 60_000);

describe('unsubscribe tokens', () => {
  it('accept only the untouched token of the user it was issued for', () => {
    const good = createUnsubscribeToken(secret, victim, inAMinute());
    expect(verifyUnsubscribeToken(secret, good)).toEqual({ ok: true, userId: victim });
    const [, exp, sig] = good.split('.').slice(-3) as [string, string, string];
    const cases: Array<[string, string]> = [
      ...tampered(good).map((token, i) => [`signature character ${i}`, token] as [string, string]),
      ['truncated signature', good.slice(0, -1)],
      ['signature cut to half', good.slice(0, good.length - 22)],
      ['no signature', good.slice(0, good.lastIndexOf('.'))],
      ['signature extended', `${good}A`],
      ['expiry stretched, same signature', `${victim}.${Number(exp) + 86_400}.${sig}`],
      ['another user with my signature', `${me}.${exp}.${sig}`],
      ['uppercase user id', good.replace(victim, victim.toUpperCase())],
      ['a trailing segment', `${good}.x`],
      ['a leading segment', `x.${good}`],
      ['surrounding whitespace', ` ${good} `],
      ['wrong secret', createUnsubscribeToken('another-secret-another-secret-xx', victim, inAMinute())],
      ['empty secret', createUnsubscribeToken('', victim, inAMinute())],
      // A valid HMAC with this secret, but not of an unsubscribe payload (domain separation).
      ['HMAC without the purpose prefix', `${victim}.${exp}.${createHmac('sha256', secret).update(`${victim}.${exp}`).digest('base64url')}`],
      ['expired', createUnsubscribeToken(secret, victim, new Date(Date.now() - 1_000))],
      ['not a token', 'garbage'],
      ['empty', ''],
    ];
    // The same bytes in standard base64 (only differs when the signature has a - or _).
    const standard = Buffer.from(sig, 'base64url').toString('base64').replace(/=+$/, '');
    if (standard !== sig) cases.push(['standard base64 signature', good.replace(sig, standard)]);
    const accepted = cases.filter(([, token]) => verifyUnsubscribeToken(secret, token).ok).map(([name]) => name);
    expect(accepted).toEqual([]);
  });
});

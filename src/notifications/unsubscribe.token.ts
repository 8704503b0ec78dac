import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click unsubscribe tokens (RFC 8058): `<userId>.<expiry unix s>.<HMAC>`. The signature binds
 * the user and the expiry, so a token cannot be forged, stretched, or pointed at another user.
 */
const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url');

export function createUnsubscribeToken(secret: string, userId: string, expiresAt: Date): string {
  const payload = `${userId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${sign(secret, payload)}`;
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export function verifyUnsubscribeToken(secret: string, token: string, now = new Date()): TokenCheck {
  const match = /^([0-9a-f-]{36})\.(\d{1,12})\.([\w-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, userId, exp, signature] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(sign(secret, `${userId}.${exp}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  if (Number(exp) * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, userId };
}

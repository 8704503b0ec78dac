import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../../src/notifications/unsubscribe.token.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { tampered } from './tampered.js';

/**
 * One-click unsubscribe tokens cannot be forged or pointed at anyone but the user they were
 * issued for. (The basic forged/re-targeted/expired cases and the happy path are in
 * delivery.test.ts; these are the variations an attacker would try next. The tokens' own checks
 * are pure: unsubscribe.token.test.ts.)
 */
let t: TestApp;
let secret: string;
let me: Session;
let victim: Session;
const INVALID = { success: false, error: 'Invalid or expired unsubscribe link' };
const inAMinute = () => new Date(Date.now() + 60_000);

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  secret = (await t.app.database.db.selectFrom('app_settings').select('value').where('key', '=', 'session_secret').executeTakeFirstOrThrow()).value;
  [me, victim] = await Promise.all([t.user('VIEWER'), t.user('CREATOR')]);
});
afterAll(() => t.close());

const emailEnabled = async (userId: string) => (await t.app.services.notifications.getPreferences(userId)).emailEnabled;

async function unsubscribe(token: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${t.url}/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`, { method: init.method ?? 'POST', headers: init.headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* a page */ }
  return { status: res.status, body };
}

describe('unsubscribe tokens', () => {
  it('refuses forged tokens over HTTP without touching anyone\'s preferences', async () => {
    const good = createUnsubscribeToken(secret, victim.user.id, inAMinute());
    const mine = createUnsubscribeToken(secret, me.user.id, inAMinute());
    const [, exp, sig] = good.split('.') as [string, string, string];
    const forged = [
      ...tampered(good).slice(0, 5), good.slice(0, -1), `${good}A`, `${victim.user.id}.${Number(exp) + 86_400}.${sig}`,
      `${victim.user.id}.${mine.split('.')[1]!}.${mine.split('.')[2]!}`, // the victim's id under my signature
      `${me.user.id}.${exp}.${sig}`, // my id under the victim's signature
    ];
    for (const token of forged) {
      expect(await unsubscribe(token), token).toEqual({ status: 400, body: INVALID });
      const page = await unsubscribe(token, { method: 'GET' });
      expect(page.status).toBe(400);
      expect(String(page.body)).not.toContain('<form');
    }
    expect(await emailEnabled(victim.user.id)).toBe(true);
    expect(await emailEnabled(me.user.id)).toBe(true);
  });

  it('acts for the token\'s user only, whoever is signed in, and a repeat changes nothing more', async () => {
    const mine = createUnsubscribeToken(secret, me.user.id, inAMinute());
    // Signed in as the victim, or with the victim's cookie: the token still names only me.
    expect(await unsubscribe(mine, { headers: { authorization: `Bearer ${victim.token}` } })).toEqual({ status: 200, body: { success: true, data: { emailEnabled: false } } });
    expect(await unsubscribe(mine, { headers: { cookie: `herald_session=${victim.token}` } })).toEqual({ status: 200, body: { success: true, data: { emailEnabled: false } } });
    expect(await emailEnabled(me.user.id)).toBe(false);
    expect(await emailEnabled(victim.user.id)).toBe(true);
  });

  it('answers a valid token of a deleted user with 404, not an error', async () => {
    const gone = await t.user('VIEWER');
    const token = createUnsubscribeToken(secret, gone.user.id, inAMinute());
    await t.app.database.db.deleteFrom('users').where('id', '=', gone.user.id).execute();
    expect(await unsubscribe(token)).toEqual({ status: 404, body: { success: false, error: 'Not found' } });
  });

  it('refuses odd query strings (repeated, overlong, missing token) with 400', async () => {
    const good = createUnsubscribeToken(secret, victim.user.id, inAMinute());
    for (const qs of [`token=${good}&token=${good}`, `token=${'a'.repeat(500)}`, '', 'token=', `token[]=${good}`, `token[a]=${good}`]) {
      const res = await fetch(`${t.url}/api/notifications/unsubscribe?${qs}`, { method: 'POST' });
      expect(res.status, qs).toBe(400);
      expect(await res.json(), qs).toMatchObject({ success: false });
      const page = await fetch(`${t.url}/api/notifications/unsubscribe?${qs}`);
      expect(page.status, qs).toBe(400);
    }
    expect(await emailEnabled(victim.user.id)).toBe(true);
  });
});

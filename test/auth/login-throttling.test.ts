import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Login throttling as an attacker sees it (docs/OPERATIONS.md, Login throttling). The test client
 * connects from loopback, which is the trusted proxy here: X-Forwarded-For sets the client's IP.
 * The 15-minute windows and the slow lane's interval follow a clock the tests drive: each test
 * starts at the beginning of a window, and no window ends under it unless it moves the clock.
 */
const QUARTER_HOUR = 15 * 60_000;
const SLOW_INTERVAL_MS = 600_000; // LOGIN_SLOW_INTERVAL_SECONDS below
const clock = createClock();
let t: TestApp;
const PASSWORD = 'password-123';
const TOO_MANY = { success: false, error: 'Too many requests. Please try again later.' };

beforeAll(async () => {
  t = await createTestApp({
    TRUST_PROXY: 'loopback', LOGIN_RATE_LIMIT: '25', LOGIN_FAILED_PER_EMAIL: '3', LOGIN_SLOW_AFTER: '6', LOGIN_SLOW_INTERVAL_SECONDS: String(SLOW_INTERVAL_MS / 1000),
  }, { now: clock.now });
});
beforeEach(() => clock.nextWindow(QUARTER_HOUR));
afterAll(() => t.close());

const login = (email: string, password: string, forwardedFor: string) => fetch(`${t.url}/api/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ email, password }),
});
const sessionIps = async (user: Session) => (await t.app.database.db.selectFrom('sessions').select('ip').where('user_id', '=', user.user.id).execute()).map((r) => r.ip);

describe('TRUST_PROXY', () => {
  it('takes the nearest untrusted address, so the left-most X-Forwarded-For entry the client wrote changes nothing', async () => {
    const user = await t.user();
    expect((await login(user.user.email, PASSWORD, '6.6.6.6, 198.51.100.1')).status).toBe(200);
    expect(await sessionIps(user)).toContain('198.51.100.1');
    // The per-IP limit counts the real address, whatever the spoofed entries say.
    for (let i = 0; i < 25; i++) expect((await login(`nobody${i}@test.local`, 'wrong', `10.${i}.0.1, 198.51.100.2`)).status).toBe(401);
    const limited = await login('nobody@test.local', 'wrong', '10.99.0.1, 198.51.100.2');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual(TOO_MANY);
    expect((await login('nobody@test.local', 'wrong', '10.99.0.1, 198.51.100.3')).status).toBe(401);
  });
});

describe('failed sign-ins', () => {
  it('evaluates at most LOGIN_FAILED_PER_EMAIL of 20 parallel wrong passwords; the rest get 429', async () => {
    const victim = await t.user();
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => login(victim.user.email, `wrong-${i}`, '198.51.100.20').then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });

  it('an attacker failing from one IP locks out only that IP: the owner signs in from theirs, as often as they like', async () => {
    const owner = await t.user();
    for (let i = 0; i < 3; i++) expect((await login(owner.user.email, `guess-${i}`, '203.0.113.66')).status).toBe(401);
    expect((await login(owner.user.email, 'guess-4', '203.0.113.66')).status).toBe(429);
    expect((await login(owner.user.email, PASSWORD, '203.0.113.66')).status).toBe(429);
    // Successful sign-ins are not failures: the owner's own address is never used up by them.
    for (let i = 0; i < 5; i++) expect((await login(owner.user.email, PASSWORD, '198.51.100.30')).status).toBe(200);
  });

  it('counts an IPv6 client by its /64: rotating through its own block changes nothing', async () => {
    const victim = await t.user();
    const statuses = [];
    for (let i = 1; i <= 5; i++) statuses.push((await login(victim.user.email, `guess-${i}`, `2001:db8:1:2::${i.toString(16)}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await login(victim.user.email, PASSWORD, '2001:db8:1:3::1')).status).toBe(200); // the next /64 is someone else
    // How addresses are keyed, alone: addresses.test.ts.
  });

  it('past LOGIN_SLOW_AFTER failures from many IPs the account is slowed, not locked: new addresses share one check per interval, the owner\'s known address is spared', async () => {
    const owner = await t.user();
    expect((await login(owner.user.email, PASSWORD, '198.51.100.40')).status).toBe(200); // the owner's usual address
    // A distributed attack: 3 addresses, 2 failures each (under the per-address limit), 6 in all.
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      for (let i = 0; i < 2; i++) expect((await login(owner.user.email, `guess-${i}`, ip)).status).toBe(401);
    }
    expect((await login(owner.user.email, 'guess-x', '203.0.113.4')).status).toBe(401); // takes the interval's one check
    const paced = await login(owner.user.email, 'guess-y', '203.0.113.5');
    expect(paced.status).toBe(429);
    expect(paced.headers.get('retry-after')).toBe('600'); // the clock stood still: the whole interval
    expect(await paced.json()).toEqual(TOO_MANY);
    // The owner, from the address they signed in from before, is not slowed: a typo, then in.
    expect((await login(owner.user.email, 'typo', '198.51.100.40')).status).toBe(401);
    expect((await login(owner.user.email, PASSWORD, '198.51.100.40')).status).toBe(200);
  });

  it('the slow lane admits the next check exactly LOGIN_SLOW_INTERVAL_SECONDS after the last one, not a millisecond before', async () => {
    const owner = await t.user();
    for (const ip of ['203.0.113.21', '203.0.113.22', '203.0.113.23']) {
      for (let i = 0; i < 2; i++) expect((await login(owner.user.email, `guess-${i}`, ip)).status).toBe(401);
    }
    expect((await login(owner.user.email, 'guess-x', '203.0.113.24')).status).toBe(401); // the interval's one check, now
    const paced = await login(owner.user.email, PASSWORD, '203.0.113.25');
    expect([paced.status, paced.headers.get('retry-after')]).toEqual([429, '600']);
    // The interval's last millisecond: still waiting, even with the right password (no check is made).
    clock.advance(SLOW_INTERVAL_MS - 1);
    const early = await login(owner.user.email, PASSWORD, '203.0.113.25');
    expect([early.status, early.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await early.json()).toEqual(TOO_MANY);
    // The interval has passed (still inside the 15-minute window, so the account is still slowed).
    clock.advance(1);
    expect((await login(owner.user.email, PASSWORD, '203.0.113.25')).status).toBe(200);
    // That check took the next interval: another new address waits all of it.
    const next = await login(owner.user.email, PASSWORD, '203.0.113.26');
    expect([next.status, next.headers.get('retry-after')]).toEqual([429, '600']);
  });

  it('spares the owner\'s known IPv6 network: a privacy address of the same /64 is known, another /64 is not', async () => {
    const owner = await t.user();
    expect((await login(owner.user.email, PASSWORD, '2001:db8:5:6::10')).status).toBe(200);
    for (const ip of ['203.0.113.11', '203.0.113.12', '203.0.113.13']) {
      for (let i = 0; i < 2; i++) expect((await login(owner.user.email, `guess-${i}`, ip)).status).toBe(401);
    }
    expect((await login(owner.user.email, 'guess-x', '203.0.113.14')).status).toBe(401); // the interval's one check
    expect((await login(owner.user.email, PASSWORD, '2001:db8:5:7::1')).status).toBe(429); // a new network waits
    expect((await login(owner.user.email, PASSWORD, '2001:db8:5:6:a1b2:c3d4:e5f6:1')).status).toBe(200); // rotated, same /64
  });
});

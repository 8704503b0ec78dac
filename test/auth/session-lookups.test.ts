import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActiveSession } from '../../src/auth/auth.repository.js';
import { AuthService, type AuthServiceDeps } from '../../src/auth/auth.service.js';
import { SessionCache } from '../../src/auth/session-cache.js';

/**
 * Issue 21: requests of one session that miss the session cache together share one lookup
 * (bench:api counted 0.45 lookups a request with 1,600 users in rotation), and never one begun
 * before a revocation this process has seen. No database: the lookup is a stub that waits to be
 * answered, so the test decides what overlaps.
 */

const session: ActiveSession = { sessionId: 's1', expiresAt: new Date(Date.now() + 3_600_000), id: 'u1', email: 'u1@test.local', name: null, role: 'VIEWER' };
const { expiresAt: _expiresAt, ...user } = session;

function setUp(ttlMs = 60_000) {
  const pending: Array<(found: ActiveSession | undefined) => void> = [];
  const reads = { findActive: () => new Promise<ActiveSession | undefined>((resolve) => pending.push(resolve)) };
  // Only revocations reach Redis here (a publish, answered by the stub); no subscription is started.
  const redis = { publish: async () => 0 } as never;
  const cache = new SessionCache({ redis, redisTarget: {} as never, prefix: 'unit', ttlMs, maxEntries: 10, log: {} as never });
  const auth = new AuthService({ reads, cache, secret: 'unit-secret', sessions: {} as never, db: {} as never, users: {} as never, throttle: {} as never, config: { sessionTtlMs: 3_600_000 } } satisfies AuthServiceDeps);
  return { auth, cache, pending };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('session lookups', () => {
  it('looks a session up once for requests that miss the cache together, and serves the next from the cache', async () => {
    const { auth, pending } = setUp();
    const token = randomBytes(32).toString('base64url');
    const answers = Promise.all(Array.from({ length: 20 }, () => auth.authenticate(token)));
    await flush();
    expect(pending).toHaveLength(1); // one lookup for twenty requests (twenty before issue 21)
    pending[0]!(session);
    expect(await answers).toEqual(Array.from({ length: 20 }, () => user));
    expect(await auth.authenticate(token)).toEqual(user);
    expect(pending).toHaveLength(1);
  });

  it('shares nothing between sessions, and a lookup that finds nothing leaves nothing behind', async () => {
    const { auth, pending } = setUp();
    const [a, b] = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    const answers = Promise.all([auth.authenticate(a), auth.authenticate(b)]);
    await flush();
    expect(pending).toHaveLength(2);
    pending[0]!(undefined);
    pending[1]!(session);
    expect(await answers).toEqual([null, user]);
    const again = auth.authenticate(a); // not cached, not joined to the finished lookup: a new one
    await flush();
    expect(pending).toHaveLength(3);
    pending[2]!(undefined);
    expect(await again).toBeNull();
  });

  it('does not join a lookup begun before a revocation: the request after it looks the session up again', async () => {
    const { auth, cache, pending } = setUp();
    const token = randomBytes(32).toString('base64url');
    const before = auth.authenticate(token);
    await flush();
    const joined = auth.authenticate(token);
    await flush();
    expect(pending).toHaveLength(1);
    // A revocation (of any session: the stamp is per process), then a request of this session.
    await cache.revoke('another-key', 'another-session');
    const after = auth.authenticate(token);
    await flush();
    expect(pending).toHaveLength(2);
    pending[0]!(session); // read before the revocation: answers its own request, caches nothing
    expect(await before).toEqual(user);
    // `joined` came while the revocation was not yet seen here, but perhaps after it committed
    // (in another process): it does not take the stale answer, it joins the lookup begun after.
    pending[1]!(undefined); // the revoked session, as the database now says
    expect(await after).toBeNull();
    expect(await joined).toBeNull();
    expect(pending).toHaveLength(2);
    const next = auth.authenticate(token); // nothing cached by the stale lookup
    await flush();
    expect(pending).toHaveLength(3);
    pending[2]!(undefined);
    expect(await next).toBeNull();
  });

  // Review of issue 21: another process's logout commits while this one's lookup of the session is
  // under way; a request of that session arriving now, before the revocation reaches this process
  // through pub/sub, ran its own lookup before the change (and was refused) but joined the stale one.
  it('does not hand a lookup begun before a revocation to a request that came after it, once the revocation is seen', async () => {
    const { auth, cache, pending } = setUp();
    const token = randomBytes(32).toString('base64url');
    const first = auth.authenticate(token);
    await flush();
    // The logout commits elsewhere; this request comes before its pub/sub message.
    const afterLogout = auth.authenticate(token);
    await flush();
    await cache.revoke('the-key-of-another-process', 's1'); // the message arrives here
    pending[0]!(session); // the first lookup read the session before the logout committed
    expect(await first).toEqual(user); // as before issue 21: its lookup began before the logout
    await flush();
    expect(pending).toHaveLength(2); // the later request looks again (failed: it took the stale answer)
    pending[1]!(undefined);
    expect(await afterLogout).toBeNull();
  });

  it('with SESSION_CACHE_MS=0 shares no lookup: every request reads its session itself', async () => {
    const { auth, pending } = setUp(0);
    const token = randomBytes(32).toString('base64url');
    const first = auth.authenticate(token);
    await flush();
    // Another process's logout commits (its message may come at any time, or never with pub/sub down).
    const afterLogout = auth.authenticate(token);
    await flush();
    expect(pending).toHaveLength(2); // failed: 1, the second request joined the first's lookup
    pending[0]!(session);
    pending[1]!(undefined);
    expect(await first).toEqual(user);
    expect(await afterLogout).toBeNull();
  });
});

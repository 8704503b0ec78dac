import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/notifications/stream.registry.js';
import { legacyEventId } from '../../src/notifications/stream.repository.js';
import type { StreamEndReason, StreamListener, StreamMessage } from '../../src/notifications/stream.service.js';
import { waitFor } from '../../src/platform/net.js';
import { streamRegistryKey } from '../../src/platform/redis/keys.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';

/**
 * Event streams are bounded: per user (the oldest gives way), per process (503), in how often they
 * may be opened, in what a replay sends, and in time (they end with their session).
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ SSE_MAX_CONNECTIONS: '8', RATE_LIMIT_OVERRIDES: 'notifications.stream=12' });
});
afterAll(() => t.close());
// Each test starts from a process without streams (the server notices a client's close a moment later).
beforeEach(async () => {
  expect(await waitFor(async () => t.app.services.stream.openStreams === 0, 5_000, 10)).toBe(true);
});

const openAll = async (sessions: Session[]) => {
  const streams: SseClient[] = [];
  for (const s of sessions) {
    const stream = await SseClient.open(t.url, s);
    streams.push(stream);
    if (stream.res.ok) await stream.next('unread-count'); // registered in the process by now
  }
  return streams;
};

describe('stream caps', () => {
  it('refuses a stream past SSE_MAX_CONNECTIONS with 503, the contract body and Retry-After, and takes one when a slot frees', async () => {
    const users = await Promise.all([t.user(), t.user(), t.user()]);
    const streams = await openAll([users[0]!, users[0]!, users[0]!, users[0]!, users[1]!, users[1]!, users[1]!, users[1]!]);
    try {
      expect(streams.map((s) => s.res.status)).toEqual(Array(8).fill(200));
      const refused = await SseClient.open(t.url, users[2]!);
      expect(refused.res.status).toBe(503);
      expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.res.json()).toEqual({ success: false, error: 'Service unavailable' });
      streams.pop()!.close();
      let admitted: SseClient | null = null;
      expect(await waitFor(async () => {
        const attempt = await SseClient.open(t.url, users[2]!);
        if (attempt.res.ok) admitted = attempt;
        return attempt.res.ok;
      }, 5_000, 50)).toBe(true);
      admitted!.close();
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('a user\'s 6th stream (SSE_MAX_PER_USER=5) ends the oldest, which is told why and to wait before reconnecting', async () => {
    const user = await t.user();
    const streams = await openAll([user, user, user, user, user]);
    try {
      expect(streams.every((s) => s.res.status === 200 && !s.ended)).toBe(true);
      streams.push(...await openAll([user]));
      expect(streams[5]!.res.status).toBe(200);
      const closed = await streams[0]!.next('closed');
      expect(JSON.parse(closed.data!)).toEqual({ reason: 'too-many-streams' });
      expect(closed.retry).toBe('60000');
      expect(await streams[0]!.endedWithin()).toBe(true);
      expect(streams.slice(1).some((s) => s.ended)).toBe(false);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('holds SSE_MAX_PER_USER for the user across API processes: streams opened on another process end the oldest', async () => {
    const b = await t.sibling({ roles: ['api'] });
    const user = await t.user();
    const streams = await openAll([user, user, user]);
    try {
      for (let i = 0; i < 3; i++) {
        const stream = await SseClient.open(b.url!, user);
        streams.push(stream);
        await stream.next('unread-count');
      }
      expect(JSON.parse((await streams[0]!.next('closed')).data!)).toEqual({ reason: 'too-many-streams' });
      expect(await streams[0]!.endedWithin()).toBe(true);
      expect(streams.slice(1).some((s) => s.ended)).toBe(false);
    } finally {
      for (const s of streams) s.close();
      await b.stop();
    }
  });

  it('limits how often a user opens streams (notifications.stream)', async () => {
    const user = await t.user();
    for (let i = 0; i < 12; i++) {
      const s = await SseClient.open(t.url, user);
      expect(s.res.status).toBe(200);
      s.close();
    }
    const limited = await SseClient.open(t.url, user);
    expect(limited.res.status).toBe(429);
    expect(limited.res.headers.get('retry-after')).toBeTruthy();
    expect(await limited.res.json()).toEqual({ success: false, error: 'Too many requests. Please try again later.' });
  });
});

describe('the per-user cap whatever order Redis sees (race review)', () => {
  /** A stream as the service sees it, without HTTP. */
  const listener = () => {
    const l: StreamListener & { ended: StreamEndReason | 'resync' | null; delivered: StreamMessage[] } = {
      ended: null, delivered: [], deliver: (message) => { l.delivered.push(message); }, end: (reason) => { l.ended ??= reason ?? 'resync'; },
    };
    return l;
  };

  it('a process registers a stream only once it hears the user\'s channel, so an eviction by another process reaches it', async () => {
    const a = t.app.services.stream;
    const b = await t.sibling({ roles: ['api'] });
    const user = await t.user();
    const key = streamRegistryKey(t.prefix, user.user.id);
    // Process A's subscription is slow: it completes only when the test says so.
    let subscribed!: () => void;
    const gate = new Promise<void>((resolve) => { subscribed = resolve; });
    const slow = a as unknown as { subscribe(channel: string): Promise<void> };
    const subscribe = slow.subscribe.bind(a);
    slow.subscribe = async (channel) => { await gate; await subscribe(channel); };
    const first = listener();
    const others = Array.from({ length: 5 }, listener);
    const stops: Array<() => void> = [];
    try {
      const listening = a.listen(user.user.id, first);
      stops.push(listening.stop);
      // Not registered while unsubscribed: this count goes on A's command connection after anything
      // listen() sent at once (no 500 ms wait for a registration that must not come).
      expect(await t.app.redis.zcard(key)).toBe(0);
      // Five streams on process B, each registered after its subscription: the fifth is the sixth of the user.
      for (const l of others) {
        const other = b.services.stream.listen(user.user.id, l);
        stops.push(other.stop);
        await other.ready;
        const count = await t.app.redis.zcard(key);
        await waitFor(async () => (await t.app.redis.zcard(key)) > count || count === 5, 1_000, 10);
      }
      subscribed();
      await listening.ready;
      await waitFor(async () => [first, ...others].filter((l) => !l.ended).length <= 5, 3_000, 20);
      // Any eviction in flight has arrived: A published its eviction on the user's channel right
      // after ending its own stream, on its one command connection; a marker A publishes there now
      // comes after it, so once B's five streams all hold the marker, B has heard the eviction.
      expect(others.some((l) => l.delivered.length > 0)).toBe(false);
      await a.publishUnreadChanged(user.user.id);
      expect(await waitFor(async () => others.every((l) => l.delivered.length === 1), 5_000, 10)).toBe(true);
      expect(others.map((l) => l.delivered)).toEqual(Array(5).fill([{ kind: 'unread-changed' }]));
      // SSE_MAX_PER_USER (5) streams open, the newest: A's (opened first, registered last) ends, and knows it.
      expect([first, ...others].filter((l) => !l.ended)).toHaveLength(5);
      expect(first.ended).toBe('too-many-streams');
      expect(others.map((l) => l.ended)).toEqual([null, null, null, null, null]);
      expect(await t.app.redis.zcard(key)).toBe(5);
    } finally {
      delete (slow as Partial<typeof slow>).subscribe;
      subscribed();
      for (const stop of stops) stop();
      await b.stop();
    }
  });

  describe('with a 1 s heartbeat', () => {
    let h: TestApp;
    beforeAll(async () => {
      h = await createTestApp({ SSE_HEARTBEAT_MS: '1000' });
    });
    afterAll(() => h.close());

    it('a stream whose entry left the user\'s set without its process hearing of it ends at the next heartbeat', async () => {
      const user = await h.user();
      const key = streamRegistryKey(h.prefix, user.user.id);
      const stream = await SseClient.open(h.url, user);
      try {
        await stream.next('unread-count');
        expect(await waitFor(async () => (await h.app.redis.zcard(key)) === 1, 2_000, 10)).toBe(true);
        const [own] = await h.app.redis.zrange(key, '0', '-1');
        // What an eviction whose message was lost leaves: five newer streams, this one gone.
        const now = Date.now();
        for (let i = 0; i < 5; i++) await h.app.redis.zadd(key, now, StreamRegistry.newId(now + 1));
        await h.app.redis.zrem(key, own!);
        expect(JSON.parse((await stream.next('closed', 5_000)).data!)).toEqual({ reason: 'too-many-streams' });
        expect(await stream.endedWithin()).toBe(true);
        expect(await h.app.redis.zrange(key, '0', '-1')).not.toContain(own);
      } finally {
        stream.close();
      }
    });

    it('after Redis lost the set altogether (a flush), the heartbeat enters the stream again instead of ending it', async () => {
      const user = await h.user();
      const key = streamRegistryKey(h.prefix, user.user.id);
      const stream = await SseClient.open(h.url, user);
      try {
        await stream.next('unread-count');
        expect(await waitFor(async () => (await h.app.redis.zcard(key)) === 1, 2_000, 10)).toBe(true);
        await h.app.redis.del(key);
        expect(await waitFor(async () => (await h.app.redis.zcard(key)) === 1, 3_000, 20)).toBe(true);
        expect(stream.ended).toBe(false);
      } finally {
        stream.close();
      }
    });
  });
});

describe('replay', () => {
  /** `n` notifications after a seen one, 1 ms apart; returns the seen one's event id. */
  async function missed(user: Session, n: number, metadataBytes: number): Promise<string> {
    const db = t.app.database.db;
    const base = Date.now() - 60_000;
    const seen = await db.insertInto('notifications').values({ user_id: user.user.id, type: 'SYSTEM', title: 'Seen', message: 'm', created_at: new Date(base) })
      .returning(['id', 'created_at']).executeTakeFirstOrThrow();
    const metadata = JSON.stringify({ blob: 'x'.repeat(metadataBytes) });
    await db.insertInto('notifications').values(Array.from({ length: n }, (_, i) => ({
      user_id: user.user.id, type: 'SYSTEM' as const, title: `Missed ${i}`, message: 'm', metadata, created_at: new Date(base + 1 + i),
    }))).execute();
    return legacyEventId(seen.created_at, seen.id);
  }

  async function replay(user: Session, lastEventId: string) {
    const stream = await SseClient.open(t.url, user, { lastEventId });
    try {
      await stream.next('unread-count', 20_000); // the count follows the replay
      const events = stream.events();
      const notifications = events.filter((e) => e.event === 'notification');
      return {
        first: events[0]!,
        titles: notifications.map((e) => JSON.parse(e.data!).title as string),
        bytes: notifications.reduce((sum, e) => sum + Buffer.byteLength(e.data!), 0),
      };
    } finally {
      stream.close();
    }
  }

  it('sends at most 256 KiB of the newest missed notifications, after telling the client to refetch', async () => {
    const user = await t.user();
    const last = await missed(user, 150, 16 * 1024);
    const got = await replay(user, last);
    expect(got.first).toEqual({ event: 'resync', data: JSON.stringify({ reason: 'replay-truncated' }) });
    expect(got.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(got.titles.length).toBeGreaterThan(0);
    expect(got.titles.at(-1)).toBe('Missed 149'); // the newest, in order
    expect(got.titles).toEqual(got.titles.map((_, i) => `Missed ${150 - got.titles.length + i}`));
  });

  it('sends at most 100 missed notifications, after telling the client to refetch; a replay that fits is not flagged', async () => {
    const user = await t.user();
    const last = await missed(user, 150, 0);
    const got = await replay(user, last);
    expect(got.first.event).toBe('resync');
    expect(got.titles).toEqual(Array.from({ length: 100 }, (_, i) => `Missed ${50 + i}`));

    const other = await t.user();
    const small = await replay(other, await missed(other, 3, 100));
    expect(small.first.event).toBe('notification');
    expect(small.titles).toEqual(['Missed 0', 'Missed 1', 'Missed 2']);
  });
});

describe('streams end with their session', () => {
  const sessionOf = (user: Session) => t.app.database.db.updateTable('sessions').where('user_id', '=', user.user.id);

  it('ends a stream whose session was revoked without a message reaching this process', async () => {
    const user = await t.user();
    const [stream] = await openAll([user]);
    try {
      await sessionOf(user).set({ revoked_at: new Date() }).execute(); // no pub/sub: only the check can see it
      await t.app.services.stream.checkSessions();
      expect(JSON.parse((await stream!.next('closed')).data!)).toEqual({ reason: 'session-ended' });
      expect(await stream!.endedWithin()).toBe(true);
    } finally {
      stream!.close();
    }
  });

  it('ends a stream whose session expired, and one whose session expires before the next check at that moment', async () => {
    const [expired, expiring, other] = await Promise.all([t.user(), t.user(), t.user()]);
    const streams = await openAll([expired, expiring, other]);
    try {
      await sessionOf(expired).set({ expires_at: new Date(Date.now() - 1_000) }).execute();
      await sessionOf(expiring).set({ expires_at: new Date(Date.now() + 1_000) }).execute();
      await t.app.services.stream.checkSessions();
      expect(await streams[0]!.endedWithin()).toBe(true);
      expect(streams[1]!.ended).toBe(false);
      expect(await streams[1]!.endedWithin(5_000)).toBe(true); // no further check ran
      expect(JSON.parse((await streams[1]!.next('closed')).data!)).toEqual({ reason: 'session-ended' });
      expect(streams[2]!.ended).toBe(false);
    } finally {
      for (const s of streams) s.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { NotificationView } from '../../src/notifications/notifications.schemas.js';
import { legacyEventId, parseEventId, StreamRepository } from '../../src/notifications/stream.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';

let t: TestApp;
let b: App;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp();
  b = await t.sibling({ roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  await b.stop();
  await t.close();
});

const notify = async (user: Session, title: string) => {
  const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { userIds: [user.user.id], type: 'SYSTEM', title, message: 'm' } });
  expect(res.status).toBe(202);
};
const inbox = async (user: Session) => (await t.call('GET', '/api/notifications', { as: user })).body.data as NotificationView[];
const count = (n: number, unseen = n) => ({ event: 'unread-count', data: JSON.stringify({ count: n, unseen }) });
const deliveriesDone = () => waitFor(async () =>
  (await t.app.database.db.selectFrom('outbox').select('id').where('completed_at', 'is', null).execute()).length === 0, 10_000);

describe('GET /api/notifications/stream', () => {
  it('opens an event stream and sends the current unread count at once', async () => {
    const user = await t.user();
    await t.app.database.db.insertInto('notifications').values({ user_id: user.user.id, type: 'SYSTEM', title: 'Old', message: 'm' }).execute();
    const stream = await SseClient.open(t.url, user);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toBe('text/event-stream');
      expect(stream.res.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(stream.res.headers.get('x-accel-buffering')).toBe('no');
      expect(await stream.next()).toEqual(count(1));
      expect(stream.frames[0]).toEqual({ retry: '3000' });
    } finally {
      stream.close();
    }
  });

  it('pushes a notification created on one instance to a stream open on another, then the new count', async () => {
    const user = await t.user();
    const stream = await SseClient.open(b.url!, user);
    try {
      expect(await stream.next()).toEqual(count(0));
      await notify(user, 'Across processes');
      const pushed = await stream.next();
      const [listed] = await inbox(user);
      expect(pushed).toMatchObject({ event: 'notification', id: expect.stringMatching(new RegExp(`^c\\d+_${listed!.id}$`)) });
      expect(JSON.parse(pushed.data!)).toEqual(listed);
      expect(await stream.next()).toEqual(count(1));
    } finally {
      stream.close();
    }
  });

  it('sends a fresh unread count to every instance when the user reads on another', async () => {
    const user = await t.user();
    await notify(user, 'One');
    await notify(user, 'Two');
    const [first] = await inbox(user);
    await deliveriesDone();
    const onB = await SseClient.open(b.url!, user);
    try {
      expect(await onB.next()).toEqual(count(2));
      expect((await t.call('POST', `/api/notifications/${first!.id}/read`, { as: user })).status).toBe(200);
      // What changed, then the new counts (issue 17: a second tab's list follows as well as its badge).
      expect(await onB.next()).toEqual({ event: 'notifications-changed', data: JSON.stringify({ action: 'read', ids: [first!.id] }) });
      expect(await onB.next()).toEqual(count(1));
      expect((await t.call('POST', '/api/notifications/read-all', { as: user })).status).toBe(200);
      expect(await onB.next()).toEqual({ event: 'notifications-changed', data: JSON.stringify({ action: 'read-all', ids: [] }) });
      expect(await onB.next()).toEqual(count(0));
    } finally {
      onB.close();
    }
  });

  it('replays exactly what was missed after Last-Event-ID, in order, before live events', async () => {
    const user = await t.user();
    const first = await SseClient.open(t.url, user);
    await notify(user, 'Seen');
    const seen = await first.next('notification');
    expect(JSON.parse(seen.data!).title).toBe('Seen');
    first.close();

    await notify(user, 'Missed 1');
    await notify(user, 'Missed 2');
    await deliveriesDone();
    const missed = (await inbox(user)).filter((n) => n.title.startsWith('Missed')).reverse();
    const during = { ...missed[0]!, id: '7e57e57e-0000-4000-8000-000000000001', title: 'During replay' };
    // Hold the replay query on a table lock, and publish meanwhile: the replayed notifications again
    // (a retried delivery job) and a new one. Each must arrive exactly once, after the replay.
    const lock = await t.app.database.pool.connect();
    await lock.query('BEGIN; LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE');
    let again: SseClient | null = null;
    try {
      again = await SseClient.open(b.url!, user, { lastEventId: seen.id! });
      const replayWaits = async () => (await lock.query(
        `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE d.datname = current_database() AND l.relation = 'notifications'::regclass AND NOT l.granted`)).rowCount === 1;
      expect(await waitFor(replayWaits, 5_000)).toBe(true);
      for (const view of [...missed].reverse().concat(during)) await t.app.services.stream.publishNotification(user.user.id, view);
      // Nothing may be sent while the replay waits. Whatever would be, this same connection would
      // carry ahead of the replay: the stream's first events, read below once the lock is gone, show
      // it (published in the order Missed 2, Missed 1, During replay, they would come first).
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    try {
      const titles = async (n: number) => {
        const frames = [];
        for (let i = 0; i < n; i++) frames.push(await again.next('notification'));
        return frames.map((f) => JSON.parse(f.data!).title);
      };
      // The stream's first notifications (titles reads from its first event): the replay, then the live one.
      expect(await titles(3)).toEqual(['Missed 1', 'Missed 2', 'During replay']);
      expect(again.events().slice(0, 3).map((f) => f.event)).toEqual(['notification', 'notification', 'unread-count']);
      await notify(user, 'Live');
      expect(await titles(1)).toEqual(['Live']);
      expect(await again.next()).toEqual(count(4));
      expect(again.events().filter((f) => f.event === 'notification')).toHaveLength(4);
    } finally {
      again.close();
    }

    const byQuery = await SseClient.open(t.url, user, { query: `?lastEventId=${encodeURIComponent(seen.id!)}` });
    const bogus = await SseClient.open(t.url, user, { lastEventId: 'not-an-id' });
    try {
      expect(JSON.parse((await byQuery.next()).data!).title).toBe('Missed 1');
      expect(await bogus.next()).toEqual(count(4));
    } finally {
      byQuery.close();
      bogus.close();
    }
  });

  it('event ids of the previous format (created_at ms) round-trip through PostgreSQL microseconds', async () => {
    const user = await t.user();
    const later = 'ffffffff-0000-4000-8000-00000000000a';
    const earlier = '00000000-0000-4000-8000-00000000000b';
    // Same millisecond; by microseconds `later` is first, by (millisecond, id) it is last.
    await t.app.database.db.insertInto('notifications').values([
      { id: later, user_id: user.user.id, type: 'SYSTEM', title: 'a', message: 'm', created_at: '2025-01-01T00:00:00.123100Z' },
      { id: earlier, user_id: user.user.id, type: 'SYSTEM', title: 'b', message: 'm', created_at: '2025-01-01T00:00:00.123900Z' },
    ]).execute();
    const repo = new StreamRepository(t.app.database.db);
    const ids = async (after: string) => (await repo.since(user.user.id, parseEventId(after)!, 500)).map((r) => r.id);
    const rows = await repo.since(user.user.id, { kind: 'time', ms: 0, id: earlier }, 500);
    expect(rows.map((r) => r.id)).toEqual([earlier, later]);
    expect(await ids(legacyEventId(rows[0]!.created_at, earlier))).toEqual([later]);
    expect(await ids(legacyEventId(rows[1]!.created_at, later))).toEqual([]);
  });

  it('signing out ends that session\'s streams in every process, and its reconnect is refused', async () => {
    const user = await t.user();
    const other = await t.login(user.user.email, 'password-123');
    const mine = await SseClient.open(b.url!, user);
    const theirs = await SseClient.open(b.url!, other);
    try {
      expect(await mine.next()).toEqual(count(0));
      expect(await theirs.next()).toEqual(count(0));
      expect((await t.call('POST', '/api/auth/logout', { as: user })).status).toBe(200);
      expect(await waitFor(async () => mine.ended, 3_000, 20)).toBe(true);
      expect(theirs.ended).toBe(false); // the same user's other session stays open
      expect((await SseClient.open(b.url!, user)).res.status).toBe(401);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('requires a session and never shows another user\'s notifications', async () => {
    const anonymous = await SseClient.open(t.url, null);
    expect(anonymous.res.status).toBe(401);
    expect(await anonymous.res.json()).toEqual({ success: false, error: 'Unauthorized' });

    const [me, other] = await Promise.all([t.user(), t.user()]);
    const mine = await SseClient.open(b.url!, me);
    const theirs = await SseClient.open(t.url, other);
    try {
      await Promise.all([mine.next(), theirs.next()]);
      await notify(other, 'Not yours');
      expect((await theirs.next()).event).toBe('notification');
      await deliveriesDone();
      const replay = await SseClient.open(t.url, me, { lastEventId: `0_${(await inbox(other))[0]!.id}` });
      expect(await replay.next()).toEqual(count(0));
      replay.close();
      expect(mine.events()).toEqual([count(0)]);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('sends heartbeat comments, and closing the app with streams open does not hang', async () => {
    const h = await createTestApp({ SSE_HEARTBEAT_MS: '1000' }, { roles: ['api'] });
    const user = await h.user();
    const stream = await SseClient.open(h.url, user);
    try {
      expect(await waitFor(async () => stream.frames.some((f) => f.comment === 'ping'), 5_000)).toBe(true);
    } finally {
      const started = Date.now();
      await h.close();
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    expect(await waitFor(async () => stream.ended, 2_000)).toBe(true);
    stream.close();
  });
});

describe('replay follows commit order (issue 16, point 8)', () => {
  it('a fan-out row that began before a newer URGENT one and commits after it is replayed to a client that saw the URGENT one', async () => {
    const user = await t.user();
    const stream = await SseClient.open(b.url!, user);
    const fanout = await t.app.database.pool.connect();
    let urgentId: string;
    try {
      expect(await stream.next()).toEqual(count(0));
      // A fan-out page inserts the user's row and is still writing (its created_at is the older one).
      await fanout.query('BEGIN');
      await fanout.query(`INSERT INTO notifications (user_id, type, title, message) VALUES ($1, 'BLOG', 'Older fan-out', 'm')`, [user.user.id]);
      await t.call('POST', '/api/admin/notifications', { as: admin, body: { userIds: [user.user.id], type: 'SYSTEM', title: 'Newer urgent', message: 'm', priority: 'URGENT' } });
      const urgent = await stream.next('notification');
      expect(JSON.parse(urgent.data!).title).toBe('Newer urgent');
      urgentId = urgent.id!;
    } finally {
      stream.close();
      await fanout.query('COMMIT');
      fanout.release();
    }
    // The fan-out's live push never reached this client (it had gone): the replay must bring it.
    const again = await SseClient.open(b.url!, user, { lastEventId: urgentId });
    try {
      expect(JSON.parse((await again.next('notification')).data!).title).toBe('Older fan-out');
      expect(await again.next()).toEqual(count(2));
      expect(again.events().filter((e) => e.event === 'notification')).toHaveLength(1); // the URGENT one is not sent again
    } finally {
      again.close();
    }
  });
});

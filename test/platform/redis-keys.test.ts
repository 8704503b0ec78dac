import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { REDIS_CLUSTER } from '../helpers/env.js';
import { keySlot, onEveryMaster, scanKeysByMaster } from '../helpers/redis.js';
import { outboxSettled } from '../helpers/wait.js';

/**
 * Issue 20 (Redis Cluster): every key herald writes after real work, as the Redis holds them. A
 * queue's keys must share one hash slot (BullMQ's scripts touch many at once), different queues
 * must not (they spread over the shards), and each user's rate-limit keys sit in that user's slot
 * (users spread). Outside the cluster group the slots are computed; in it (TEST_REDIS_CLUSTER=1)
 * they are also where the keys really are: on which master, and CLUSTER KEYSLOT.
 */
let t: TestApp;
let admin: Session;
const users: Session[] = [];
let byMaster: string[][];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.admin();
  for (let i = 0; i < 12; i++) users.push(await t.user());
  // Fan-out and delivery jobs, a worker's heartbeats, scheduled jobs; a rate-limited read per user.
  const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { userIds: users.map((u) => u.user.id), type: 'SYSTEM', title: 'Spread', message: 'm' } });
  expect(res.status).toBe(202);
  expect((await outboxSettled(t.app)).drained).toBe(true);
  for (const user of users) expect((await t.call('GET', '/api/notifications', { as: user })).status).toBe(200);
  byMaster = await scanKeysByMaster(`${t.prefix}:*`);
});
afterAll(() => t.close());

const queueKeys = (keys: string[], queue: string) => keys.filter((k) => k.startsWith(`${t.prefix}:${bullQueueName(queue)}:`));

describe('Redis keys on a cluster (issue 20)', () => {
  it('the slot function is Redis Cluster\'s (known values)', () => {
    expect(keySlot('123456789')).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{foo}bar')).toBe(12182);
    expect(keySlot('a{}b')).not.toBe(keySlot('{}'));
  });

  it('each queue is whole in one slot, and the queues are spread over slots (and masters)', async () => {
    const all = byMaster.flat();
    const used = QUEUE_NAMES.filter((q) => queueKeys(all, q).length > 0);
    // The notification queues did work; every queue a worker serves has at least its own markers.
    expect(used).toEqual(expect.arrayContaining(['notification-fanout', 'notification-delivery']));
    expect(used.length).toBeGreaterThan(3);
    const slotOf = new Map(used.map((q) => {
      const slots = new Set(queueKeys(all, q).map(keySlot));
      expect([...slots], `${q}: ${queueKeys(all, q).join(' ')}`).toHaveLength(1);
      return [q, [...slots][0]!] as const;
    }));
    expect(new Set(slotOf.values()).size).toBe(used.length);
    if (!REDIS_CLUSTER) return;
    // Where they really are: each queue's keys on one master, the queues on more than one.
    const masterOf = (q: string) => byMaster.flatMap((keys, i) => (queueKeys(keys, q).length ? [i] : []));
    for (const q of used) expect(masterOf(q), q).toHaveLength(1);
    expect(new Set(used.flatMap(masterOf)).size).toBeGreaterThan(1);
    const [reported] = await onEveryMaster(async (node) => Promise.all(used.map((q) => node.cluster('KEYSLOT', queueKeys(all, q)[0]!))));
    expect(reported).toEqual(used.map((q) => slotOf.get(q)));
  });

  it('rate-limit keys are in their user\'s slot, so different users spread (over masters too)', async () => {
    const all = byMaster.flat();
    const slots = users.map(({ user }) => {
      const keys = all.filter((k) => k.startsWith(`${t.prefix}:rl:`) && k.includes(user.id));
      expect(keys.length, user.id).toBeGreaterThan(0);
      for (const key of keys) expect(keySlot(key), key).toBe(keySlot(user.id));
      return keySlot(user.id);
    });
    expect(new Set(slots).size).toBeGreaterThan(1);
    // The worker heartbeats (one MULTI, one MGET) share a slot too.
    const heartbeats = all.filter((k) => k.startsWith(`${t.prefix}:{workers}`));
    expect(heartbeats.length).toBeGreaterThan(1);
    expect(new Set(heartbeats.map(keySlot)).size).toBe(1);
    if (!REDIS_CLUSTER) return;
    const masters = byMaster.flatMap((keys, i) => (keys.some((k) => k.startsWith(`${t.prefix}:rl:`)) ? [i] : []));
    expect(masters.length).toBeGreaterThan(1);
  });
});

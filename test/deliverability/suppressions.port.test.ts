import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';

/** The Suppressions port as bounce/complaint intake calls it: in the caller's transaction. */
describe('Suppressions port', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { roles: ['api'] });
  });
  afterAll(() => t.close());

  const db = () => t.app.database.db;
  const rowOf = (email: string) => db().selectFrom('email_suppressions').selectAll().where('email', '=', email).executeTakeFirst();
  const prefsOf = (userId: string) => db().selectFrom('notification_preferences').select('email_enabled').where('user_id', '=', userId).executeTakeFirst();
  const port = () => t.app.services.suppressions;

  it('suppresses once, lower-cased; a repeat keeps the first report', async () => {
    const first = await db().transaction().execute((trx) => port().suppress(trx, { email: ' Bounce.Once@Example.COM ', reason: 'hard-bounce', source: 'smtp', detail: '550 5.1.1 first', messageId: '<m1@x>' }));
    expect(first).toEqual({ created: true });
    const again = await db().transaction().execute((trx) => port().suppress(trx, { email: 'bounce.once@example.com', reason: 'hard-bounce', source: 'ses', detail: 'second' }));
    expect(again).toEqual({ created: false });
    expect(await rowOf('bounce.once@example.com')).toMatchObject({ reason: 'hard-bounce', source: 'smtp', detail: '550 5.1.1 first', message_id: '<m1@x>' });
  });

  it('rolls back with the caller\'s transaction', async () => {
    await expect(db().transaction().execute(async (trx) => {
      await port().suppress(trx, { email: 'rolled@example.com', reason: 'hard-bounce', source: 'generic' });
      throw new Error('the event failed');
    })).rejects.toThrow('the event failed');
    expect(await rowOf('rolled@example.com')).toBeUndefined();
  });

  it('a complaint upgrades a hard bounce and turns the user\'s email preference off', async () => {
    const user = await t.user('VIEWER');
    await db().transaction().execute((trx) => port().suppress(trx, { email: user.user.email, reason: 'hard-bounce', source: 'smtp', userId: user.user.id }));
    const res = await db().transaction().execute((trx) => port().complaint(trx, { email: user.user.email.toUpperCase(), source: 'postmark', detail: 'SpamComplaint' }));
    expect(res).toEqual({ created: false });
    expect(await rowOf(user.user.email)).toMatchObject({ reason: 'complaint', source: 'postmark', user_id: user.user.id });
    // No userId given: the user is found by the address.
    expect(await prefsOf(user.user.id)).toEqual({ email_enabled: false });
    // A hard bounce after the complaint does not soften it.
    await db().transaction().execute((trx) => port().suppress(trx, { email: user.user.email, reason: 'hard-bounce', source: 'smtp' }));
    expect(await rowOf(user.user.email)).toMatchObject({ reason: 'complaint' });
  });

  it('a complaint by user id, with an existing preference row, keeps the other preferences', async () => {
    const user = await t.user('VIEWER');
    expect((await t.call('PATCH', '/api/notifications/preferences', { as: user, body: { digestFrequency: 'DAILY' } })).status).toBe(200);
    await db().transaction().execute((trx) => port().complaint(trx, { email: 'other-address@example.com', source: 'generic', userId: user.user.id }));
    expect(await db().selectFrom('notification_preferences').select(['email_enabled', 'digest_frequency']).where('user_id', '=', user.user.id).executeTakeFirst())
      .toEqual({ email_enabled: false, digest_frequency: 'DAILY' });
  });

  it('a complaint naming a deleted user id or an unknown address does not fail the caller', async () => {
    const gone = '00000000-0000-4000-8000-000000000000';
    await db().transaction().execute((trx) => port().complaint(trx, { email: 'nobody@example.com', source: 'ses', userId: gone }));
    expect(await rowOf('nobody@example.com')).toMatchObject({ reason: 'complaint', user_id: null });
  });

  it('ten parallel reports of one address: one row, created exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => db().transaction().execute((trx) =>
      port().suppress(trx, { email: 'Parallel@Example.com', reason: 'hard-bounce', source: 'generic', detail: `report ${i}` }))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const n = await db().selectFrom('email_suppressions').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', 'parallel@example.com').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../src/platform/db/schema.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

let t: TestApp;
let alice: Session;
let bob: Session;

beforeAll(async () => {
  // The real limits (10 updates a minute) are tested in rate-limit.test.ts.
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'notifications.preferences.update=1000,notifications.preferences.get=1000' });
  [alice, bob] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
});
afterAll(() => t.close());

describe('notification preferences', () => {
  it('gives defaults to a user who never saved any', async () => {
    const res = await t.call('GET', '/api/notifications/preferences', { as: alice });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { userId: alice.user.id, enabledTypes: [...NOTIFICATION_TYPES], digestFrequency: 'IMMEDIATE', emailEnabled: true, inAppEnabled: true, timezone: 'UTC', quietHours: null },
    });
  });

  it('updates only the fields given and returns the result', async () => {
    const res = await t.call('PATCH', '/api/notifications/preferences', { as: alice, body: { digestFrequency: 'WEEKLY' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ userId: alice.user.id, enabledTypes: [...NOTIFICATION_TYPES], digestFrequency: 'WEEKLY', emailEnabled: true, inAppEnabled: true, timezone: 'UTC', quietHours: null });
    const next = await t.call('PATCH', '/api/notifications/preferences', { as: alice, body: { enabledTypes: ['PAYOUT', 'LICENSE', 'PAYOUT'], emailEnabled: false } });
    expect(next.body.data).toMatchObject({ enabledTypes: ['LICENSE', 'PAYOUT'], digestFrequency: 'WEEKLY', emailEnabled: false });
    expect((await t.call('GET', '/api/notifications/preferences', { as: alice })).body.data).toEqual(next.body.data);
    // Another user's preferences are untouched.
    expect((await t.call('GET', '/api/notifications/preferences', { as: bob })).body.data.digestFrequency).toBe('IMMEDIATE');
  });

  it('accepts an empty list of enabled types and an empty patch', async () => {
    expect((await t.call('PATCH', '/api/notifications/preferences', { as: bob, body: { enabledTypes: [] } })).body.data.enabledTypes).toEqual([]);
    const empty = await t.call('PATCH', '/api/notifications/preferences', { as: bob, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body.data.enabledTypes).toEqual([]);
  });

  it('shows lastDigestSentAt once a digest was sent', async () => {
    await t.app.database.db.updateTable('notification_preferences').set({ last_digest_sent_at: new Date('2025-10-18T09:00:00Z') })
      .where('user_id', '=', alice.user.id).execute();
    const res = await t.call('GET', '/api/notifications/preferences', { as: alice });
    expect(res.body.data.lastDigestSentAt).toBe('2025-10-18T09:00:00.000Z');
  });

  it('accepts an IANA time zone for digests, and null or UTC to reset it', async () => {
    const set = await t.call('PATCH', '/api/notifications/preferences', { as: bob, body: { timezone: 'America/New_York' } });
    expect(set.status).toBe(200);
    expect(set.body.data.timezone).toBe('America/New_York');
    expect((await t.call('PATCH', '/api/notifications/preferences', { as: bob, body: { emailEnabled: true } })).body.data.timezone).toBe('America/New_York');
    expect((await t.call('PATCH', '/api/notifications/preferences', { as: bob, body: { timezone: null } })).body.data.timezone).toBe('UTC');
    expect((await t.call('PATCH', '/api/notifications/preferences', { as: bob, body: { timezone: 'UTC' } })).body.data.timezone).toBe('UTC');
  });

  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, 'custom'],
    [{ timezone: 42 }, 'invalid_type'],
    [{ unknown: true }, 'unrecognized_keys'],
    [{ inAppEnabled: false }, 'unrecognized_keys'],
    [{ emailEnabled: 'yes' }, 'invalid_type'],
    [{ digestFrequency: 'HOURLY' }, 'invalid_value'],
    [{ enabledTypes: 'LICENSE' }, 'invalid_type'],
    [{ enabledTypes: ['LICENSE', 'SPAM'] }, 'invalid_value'],
    [[], 'invalid_type'],
    ['"text"', 'invalid_type'],
  ])('rejects %j with 400 Invalid request body and details', async (body, code) => {
    const before = (await t.call('GET', '/api/notifications/preferences', { as: alice })).body.data;
    const res = await t.call('PATCH', '/api/notifications/preferences', { as: alice, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body' });
    expect(res.body.details.map((d: { code: string }) => d.code)).toContain(code);
    expect((await t.call('GET', '/api/notifications/preferences', { as: alice })).body.data).toEqual(before);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await t.call('PATCH', '/api/notifications/preferences', { as: alice, body: '{"emailEnabled": tru', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body' });
    const form = await t.call('PATCH', '/api/notifications/preferences', { as: alice, body: 'emailEnabled=false', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    expect(form.body).toMatchObject({ success: false, error: 'Invalid request body' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/** Issue 17: quietHours in GET/PATCH /api/notifications/preferences, stored as quiet_start/quiet_end. */

let t: TestApp;
let alice: Session;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'notifications.preferences.update=1000,notifications.preferences.get=1000' });
  alice = await t.user('CREATOR');
});
afterAll(() => t.close());

const get = async (as: Session) => (await t.call('GET', '/api/notifications/preferences', { as })).body.data;
const patch = (as: Session, body: unknown) => t.call('PATCH', '/api/notifications/preferences', { as, body });
const stored = (userId: string) => t.app.database.db.selectFrom('notification_preferences').select(['quiet_start', 'quiet_end']).where('user_id', '=', userId).executeTakeFirst();

describe('quiet hours in preferences', () => {
  it('are off (null) by default, for a user who never saved preferences and one who did', async () => {
    const bob = await t.user('VIEWER');
    expect((await get(bob)).quietHours).toBeNull();
    expect((await patch(bob, { emailEnabled: true })).body.data.quietHours).toBeNull();
    expect(await stored(bob.user.id)).toEqual({ quiet_start: null, quiet_end: null });
  });

  it('are saved as local times of day, read back as HH:MM, and left alone by patches that do not name them', async () => {
    const set = await patch(alice, { quietHours: { start: '22:00', end: '07:30' }, timezone: 'Europe/Paris' });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ quietHours: { start: '22:00', end: '07:30' }, timezone: 'Europe/Paris' });
    expect(await stored(alice.user.id)).toEqual({ quiet_start: '22:00:00', quiet_end: '07:30:00' });
    expect((await patch(alice, { digestFrequency: 'IMMEDIATE', timezone: null })).body.data.quietHours).toEqual({ start: '22:00', end: '07:30' });
    expect((await get(alice)).quietHours).toEqual({ start: '22:00', end: '07:30' });
    // A window within the day, and the edges of the clock.
    expect((await patch(alice, { quietHours: { start: '00:00', end: '23:59' } })).body.data.quietHours).toEqual({ start: '00:00', end: '23:59' });
    expect((await patch(alice, { quietHours: { start: '13:05', end: '14:10' } })).body.data.quietHours).toEqual({ start: '13:05', end: '14:10' });
  });

  it('are turned off with null', async () => {
    await patch(alice, { quietHours: { start: '22:00', end: '07:00' } });
    const off = await patch(alice, { quietHours: null });
    expect(off.status).toBe(200);
    expect(off.body.data.quietHours).toBeNull();
    expect(await stored(alice.user.id)).toEqual({ quiet_start: null, quiet_end: null });
  });

  it.each([
    [{ start: '22:00', end: '22:00' }, ['quietHours', 'end'], 'custom'],
    [{ start: '24:00', end: '07:00' }, ['quietHours', 'start'], 'invalid_format'],
    [{ start: '22:00', end: '7:00' }, ['quietHours', 'end'], 'invalid_format'],
    [{ start: '22:00', end: '07:00:00' }, ['quietHours', 'end'], 'invalid_format'],
    [{ start: '22:60', end: '07:00' }, ['quietHours', 'start'], 'invalid_format'],
    [{ start: 2200, end: '07:00' }, ['quietHours', 'start'], 'invalid_type'],
    [{ start: '22:00' }, ['quietHours', 'end'], 'invalid_type'],
    [{ start: '22:00', end: '07:00', days: [1] }, ['quietHours', 'days'], 'unrecognized_keys'],
    ['22:00-07:00', ['quietHours'], 'invalid_type'],
  ])('refuse %j with a 400 naming the field', async (quietHours, path, code) => {
    await patch(alice, { quietHours: { start: '21:00', end: '06:00' } });
    const res = await patch(alice, { quietHours, emailEnabled: false });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body' });
    expect(res.body.details).toContainEqual(expect.objectContaining({ path, code }));
    // Nothing of the refused patch was saved.
    expect(await get(alice)).toMatchObject({ quietHours: { start: '21:00', end: '06:00' }, emailEnabled: true });
  });

  it('are documented in the OpenAPI document, request and answer', async () => {
    const doc = (await t.call('GET', '/api/openapi.json')).body;
    const answer = doc.components.schemas.NotificationPreferences.properties.quietHours;
    expect(doc.components.schemas.NotificationPreferences.required).toContain('quietHours');
    expect(JSON.stringify(answer)).toMatch(/Quiet hours: a daily window.*held and sent once when it ends/);
    const body = doc.paths['/api/notifications/preferences'].patch.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toMatch(/Quiet hours: a daily window.*never held/);
    expect(JSON.stringify(body)).toContain('^([01]\\\\d|2[0-3]):[0-5]\\\\d$');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { act, nextChange, nextEvent, seed } from './inbox-fixtures.js';

// Review of issue 17: ids are case-insensitive on the wire (a UUID in capitals finds the row), but
// a notifications-changed event names the notification as the API writes its id (lower case), or
// another tab matching ids as strings does not find it.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('an action on an id written in capitals', () => {
  it('is told to the streams with the notification\'s own id', async () => {
    const user = await t.user();
    const [a, b] = await seed(t, user.user.id, 2);
    const stream = await SseClient.open(t.url, user);
    try {
      await nextEvent(stream);
      expect((await t.call('POST', `/api/notifications/${b!.toUpperCase()}/read`, { as: user })).status).toBe(200);
      expect(await nextChange(stream)).toEqual({ action: 'read', ids: [b] });
      expect((await act(t, user, b!.toUpperCase(), 'archive')).status).toBe(200);
      expect((await nextChange(stream)).ids).toEqual([b]);
      expect((await t.call('DELETE', `/api/notifications/${a!.toUpperCase()}`, { as: user })).status).toBe(200);
      expect(await nextChange(stream)).toEqual({ action: 'delete', ids: [a] });
    } finally {
      stream.close();
    }
  });
});

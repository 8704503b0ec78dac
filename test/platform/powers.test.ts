import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/platform/db/schema.js';
import { withBrand } from '../catalog/helpers.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * The powers that are not routes: what each role can make happen to other users through routes it
 * may call. The access matrix says who may call a route; this says who may, through it, reach
 * everyone, put their text in someone else's inbox or mail, or move someone else's figures.
 */

const ROLES: readonly Role[] = ['VIEWER', 'CREATOR', 'BRAND', 'ADMIN'];
type Power = 'fan-out to every user' | 'notification/email to another user' | 'change another brand\'s figures';

/** Status each role gets when it tries the power (2xx: it has it). */
const EXPECTED: Record<Power, Record<Role, number>> = {
  // A blog announcement (BLOG + email to every user on publication).
  'fan-out to every user': { VIEWER: 403, CREATOR: 403, BRAND: 403, ADMIN: 201 },
  // POST_ASSIGNED with the author's title to a user who is no editor.
  'notification/email to another user': { VIEWER: 403, CREATOR: 400, BRAND: 400, ADMIN: 400 },
  // A conversion with revenue attributed to a brand that is not the sender's.
  'change another brand\'s figures': { VIEWER: 403, CREATOR: 403, BRAND: 403, ADMIN: 202 },
};

let t: TestApp;
let sessions: Record<Role, Session>;
let stranger: Session;
let victimBrand: string;

beforeAll(async () => {
  t = await createTestApp();
  const [viewer, creator, brand, admin] = await Promise.all([t.user('VIEWER'), t.user('CREATOR'), t.user('BRAND'), t.admin()]);
  sessions = { VIEWER: viewer, CREATOR: creator, BRAND: brand, ADMIN: admin };
  stranger = await t.user('VIEWER');
  victimBrand = (await withBrand(t)).brandId;
});
afterAll(() => t.close());

const attempt: Record<Power, (as: Session) => Promise<number>> = {
  'fan-out to every user': async (as) => (await t.call('POST', '/api/blog/posts', { as, body: { title: 'To everyone', content: 'x', announcement: true } })).status,
  'notification/email to another user': async (as) => (await t.call('POST', '/api/blog/posts', { as, body: { title: 'Log in at evil.example', content: 'x', assigneeId: stranger.user.id } })).status,
  'change another brand\'s figures': async (as) => (await t.call('POST', '/api/analytics/events', {
    as, body: { events: [{ eventType: 'license_created', brandId: victimBrand, props: { revenueCents: 100 } }] },
  })).status,
};

describe('powers over other users, by role', () => {
  for (const power of Object.keys(EXPECTED) as Power[]) {
    it(power, async () => {
      const got: Record<string, number> = {};
      for (const role of ROLES) got[role] = await attempt[power](sessions[role]);
      expect(got).toEqual(EXPECTED[power]);
      if (power === 'notification/email to another user') {
        const told = await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', stranger.user.id).execute();
        expect(told).toEqual([]);
      }
    });
  }
});

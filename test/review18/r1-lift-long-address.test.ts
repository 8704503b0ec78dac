import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { postGeneric, SECRET } from '../email-events/intake.helpers.js';

/**
 * R1 (review of issue 18): addresses up to 254 characters are accepted (sign-up, the intake), and
 * any of them can be suppressed, but DELETE /api/admin/emails/suppressions/:email answered the
 * router's 404 'Not found' for every address longer than the router's parameter limit (200): such
 * an address could never be lifted, by the API or the dashboard. The route documents 320.
 */
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ EMAIL_WEBHOOK_SECRET: SECRET, RATE_LIMIT_OVERRIDES: 'admin.jobs=2000,email.webhooks=2000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

describe('lifting a long address', () => {
  it('a suppressed 254-character address can be lifted (200), and is mailed again', async () => {
    const email = `${'l'.repeat(64)}@${'d'.repeat(62)}.${'e'.repeat(60)}.${'f'.repeat(60)}.test`;
    expect(email.length).toBe(254);
    const res = await postGeneric(t, { type: 'bounce', email, permanent: true, at: new Date().toISOString() });
    expect(res.status).toBe(200);
    expect(await t.app.services.suppressions.find(email)).toMatchObject({ email });
    const lift = await t.call('DELETE', `/api/admin/emails/suppressions/${encodeURIComponent(email)}`, { as: admin });
    expect([lift.status, lift.body]).toEqual([200, { success: true }]);
    expect(await t.app.services.suppressions.find(email)).toBeNull();
    // Past the documented 320: still the contract's 4xx, never a 500.
    const tooLong = await t.call('DELETE', `/api/admin/emails/suppressions/${'x'.repeat(2_000)}`, { as: admin });
    expect(tooLong.status).toBeGreaterThanOrEqual(400);
    expect(tooLong.status).toBeLessThan(500);
    expect(tooLong.body).toMatchObject({ success: false });
  });
});

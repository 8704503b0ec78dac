import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';

/**
 * No password, session token, session id or unsubscribe token in any log line, at the most
 * verbose level (where every request is logged), across the flows that carry them.
 */
const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'trace' }, { logger: createLogger('trace', capture) });
}, 60_000);
afterAll(() => t?.close());

describe('secrets in logs', () => {
  it('keeps passwords, tokens, session ids and unsubscribe tokens out of every line', async () => {
    const password = 'correct-horse-battery-staple-9';
    const admin = await t.admin();
    const created = await t.call('POST', '/api/admin/users', { as: admin, body: { email: 'logs@test.local', password, role: 'CREATOR' } });
    expect(created.status).toBe(201);
    expect((await t.call('POST', '/api/auth/login', { body: { email: 'logs@test.local', password: 'wrong-password-123' } })).status).toBe(401);
    const login = await t.call('POST', '/api/auth/login', { body: { email: 'logs@test.local', password } });
    const token: string = login.body.data.token;
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await t.call('GET', '/api/notifications', { as: token })).status).toBe(200);
    expect((await t.call('GET', '/api/auth/me', { headers: { cookie } })).status).toBe(200);
    expect((await t.call('GET', '/api/auth/me', { as: 'forged-token-value-1234567890' })).status).toBe(401);
    const unsubscribe = t.app.services.delivery.unsubscribeUrl(created.body.data.id);
    const unsubscribeToken = new URL(unsubscribe).searchParams.get('token')!;
    expect((await t.call('GET', new URL(unsubscribe).pathname + new URL(unsubscribe).search)).status).toBe(200);
    await t.app.services.notifications.notify({ userIds: [created.body.data.id], type: 'SYSTEM', title: 'Hello', message: 'World' });
    expect(await outboxDrained(t.app)).toBe(true);
    const sessions = await t.app.database.db.selectFrom('sessions').select('id').execute();
    expect((await t.call('POST', '/api/auth/logout', { as: token })).status).toBe(200);

    expect(lines.length).toBeGreaterThan(20);
    const secrets = [password, ADMIN.password, token, admin.token, cookie.split('=')[1]!, unsubscribeToken, 'forged-token-value-1234567890', ...sessions.map((s) => s.id)];
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
    // Redaction keeps what an operator needs: the request's path, with the credential hidden.
    expect(lines.some((line) => line.includes('/api/notifications/unsubscribe?token=[redacted]'))).toBe(true);
  });
});

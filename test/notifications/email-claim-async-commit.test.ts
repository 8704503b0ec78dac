import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailLogRepository } from '../../src/platform/email/email-log.repository.js';
import type { Database } from '../../src/platform/db/schema.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Issue 21: a grouped notification claim commits without waiting for its WAL flush
 * (synchronous_commit off for that statement's own transaction). The setting must end with it:
 * a pooled connection that kept it would make every later statement on it (completions, the
 * outbox, payments of other capabilities) asynchronous too. One connection, so the next
 * statement surely runs where the claim ran.
 */
let t: TestApp;
let one: Kysely<Database>;
beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  one = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.databaseUrl, max: 1 }) }) });
});
afterAll(async () => {
  await one?.destroy();
  await t?.close();
});

describe('the grouped claim\'s asynchronous commit', () => {
  it('claims, visibly at once, and leaves the connection synchronous', async () => {
    const user = await t.app.services.users.createUser({ email: `async-${randomUUID().slice(0, 8)}@claim.test`, password: 'password-123', role: 'VIEWER', name: 'Async' });
    const n = await one.insertInto('notifications').values({ user_id: user.id, type: 'SYSTEM', title: 't', message: 'm' }).returning('id').executeTakeFirstOrThrow();
    const key = `notification:${n.id}`;
    const [claimed] = await new EmailLogRepository(one).claimMany([{ c: { key, kind: 'notification', notificationId: n.id, userId: user.id, to: user.email, subject: 's', messageId: `<${key}@test>` }, token: randomUUID() }], 60_000);
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    // Another connection sees the claim at once (exclusion between attempts relies on it).
    expect((await t.app.database.db.selectFrom('email_log').select('status').where('key', '=', key).executeTakeFirstOrThrow()).status).toBe('sending');
    expect((await sql<{ s: string }>`SELECT current_setting('synchronous_commit') AS s`.execute(one)).rows[0]!.s).toBe('on');
  });
});

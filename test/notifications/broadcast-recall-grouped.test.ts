import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

// Review of issue 21 (83bcc81): claims and completions now go in groups of up to SMTP_POOL_SIZE.
// broadcast-recall.test races a recall with delivery at a pool of 2; here groups of up to 10
// claims (many notifications share-locked by one statement) meet the recall's FOR UPDATE: no
// deadlock, nothing reaches the server after the recall answered, and its counts are exact.

let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  sink = await new SmtpSink({ delayMs: 60 }).start();
  t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '10', DELIVERY_BATCH_SIZE: '20', FANOUT_BATCH_SIZE: '100' });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

describe('recall racing grouped claims', () => {
  it('lets no email reach the server after the recall answered and counts each exactly', async () => {
    const tag = randomUUID().slice(0, 8);
    const users = await t.app.database.db.insertInto('users')
      .values(Array.from({ length: 120 }, (_, i) => ({ email: `g${i}-${tag}@mail.test`, role: 'CREATOR' as const, password_hash: 'x', name: null })))
      .returning('id').execute();
    const title = `Grouped recall ${tag}`;
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', message: 'm', title, userIds: users.map((u) => u.id) } });
    expect(res.status).toBe(202);
    const batchId = res.body.data.batchId as string;
    const mailed = () => sink.received.filter((m) => m.subject.includes(title)).length;
    expect(await waitFor(async () => mailed() >= 15, 30_000, 5)).toBe(true);
    const recalled = await t.call('POST', `/api/admin/notifications/batches/${batchId}/recall`, { as: admin });
    const atAnswer = mailed();
    expect(recalled.status, JSON.stringify(recalled.body)).toBe(200);
    expect(atAnswer).toBeLessThan(120);
    expect(recalled.body.data.recall).toMatchObject({ hidden: 120, emailsSent: atAnswer, emailsCancelled: 120 - atAnswer, emailsFailed: 0, emailsUnconfirmed: 0, settled: true });
    expect(await outboxDrained(t.app)).toBe(true);
    expect(mailed()).toBe(atAnswer);
    const states = await sql<{ status: string; n: number }>`
      SELECT e.status, count(*)::int AS n FROM email_log e JOIN notifications x ON x.id = e.notification_id WHERE x.batch_id = ${batchId} GROUP BY 1`.execute(t.app.database.db);
    expect(Object.fromEntries(states.rows.map((r) => [r.status, r.n]))).toEqual({ sent: atAnswer, cancelled: 120 - atAnswer });
    // Each recipient at most once.
    const to = sink.received.filter((m) => m.subject.includes(title)).map((m) => m.to[0]);
    expect(new Set(to).size).toBe(to.length);
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/notifications/delivery.repository.js';
import { notificationEmailKey } from '../../src/notifications/delivery.service.js';
import { EmailLogRepository, type EmailClaim } from '../../src/platform/email/email-log.repository.js';
import type { EmailToSend } from '../../src/platform/email/email.service.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Issue 21: a notification email's claim and completion go to PostgreSQL in groups. A group's
 * claim writes, locks and answers exactly what one claim each would (every state a row can be
 * in), and a burst takes fewer statements than emails.
 */

const CONTENT = { type: 'SYSTEM', title: 'Grouped', message: 'm', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false } as const;
const SUPPRESSED = 'grouped-suppressed@test.local';

describe('grouped claims and completions', () => {
  const sink = new SmtpSink();
  let t: TestApp;
  beforeAll(async () => {
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '10' }, { roles: ['api'] });
    await t.app.database.db.transaction().execute((trx) => t.app.services.suppressions.suppress(trx, { email: SUPPRESSED, reason: 'complaint', source: 'generic' }));
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  async function users(n: number): Promise<Array<{ id: string; email: string }>> {
    const tag = randomUUID().slice(0, 8);
    const rows = await sql<{ id: string; email: string }>`
      INSERT INTO users (email, role, password_hash, name)
      SELECT ${tag} || '-' || g || '@grouped.test', 'VIEWER', 'x', 'Grouped ' || g FROM generate_series(1, ${n}) g
      RETURNING id, email`.execute(t.app.database.db);
    return rows.rows;
  }

  async function notificationsFor(recipients: ReadonlyArray<{ id: string }>): Promise<Map<string, string>> {
    await t.app.services.notifications.create({ userIds: recipients.map((u) => u.id) }, CONTENT);
    const rows = await t.app.database.db.selectFrom('notifications').select(['id', 'user_id']).where('user_id', 'in', recipients.map((u) => u.id)).execute();
    return new Map(rows.map((r) => [r.user_id, r.id]));
  }

  const SCENARIOS = ['fresh', 'reserved', 'done', 'held', 'expired', 'recalled', 'suppressed'] as const;

  /** One notification per scenario, its email_log row (if any) put in that state; returns the claims to make. */
  async function prepared(): Promise<Array<{ scenario: (typeof SCENARIOS)[number]; claim: EmailClaim; token: string }>> {
    const repo = new EmailLogRepository(t.app.database.db);
    const recipients = await users(SCENARIOS.length);
    const ids = await notificationsFor(recipients);
    const out = [];
    for (const [i, scenario] of SCENARIOS.entries()) {
      const user = recipients[i]!;
      const id = ids.get(user.id)!;
      const key = notificationEmailKey(id);
      const claim: EmailClaim = { key, kind: 'notification', notificationId: id, userId: user.id, to: scenario === 'suppressed' ? SUPPRESSED.toUpperCase() : user.email, subject: 's', messageId: `<${key}@test>` };
      if (scenario === 'reserved') {
        await new DeliveryRepository(t.app.database.db).reserve([{ key, notificationId: id, userId: user.id, to: user.email, subject: 's', messageId: claim.messageId }]);
      }
      if (scenario === 'done') {
        const token = randomUUID();
        await repo.claim(claim, token, 60_000);
        await repo.complete(key, token, { status: 'sent', transport: 'smtp-1', smtpResponse: '250 OK' });
      }
      if (scenario === 'held') await repo.claim(claim, randomUUID(), 60_000);
      if (scenario === 'expired') await repo.claim(claim, randomUUID(), 1_000);
      if (scenario === 'recalled') await sql`UPDATE notifications SET expires_at = now() - interval '1 second' WHERE id = ${id}`.execute(t.app.database.db);
      out.push({ scenario, claim, token: randomUUID() });
    }
    // The 'expired' lease has run out.
    await sql`UPDATE email_log SET claimed_until = now() - interval '1 millisecond' WHERE key = ${out[SCENARIOS.indexOf('expired')]!.claim.key}`.execute(t.app.database.db);
    return out;
  }

  const stateOf = async (key: string, token: string) => {
    const row = await t.app.database.db.selectFrom('email_log').select(['status', 'attempts', 'claimed_until', 'claim_token', 'error', 'to_address']).where('key', '=', key).executeTakeFirst();
    return row && { status: row.status, attempts: row.attempts, leased: row.claimed_until !== null && row.claimed_until.getTime() > Date.now(), ours: row.claim_token === token, error: row.error, to: row.to_address };
  };

  it('claimMany answers and writes what claim does, row by row, in every state', async () => {
    const repo = new EmailLogRepository(t.app.database.db);
    const one = await prepared();
    const many = await prepared();
    const single = [];
    for (const { claim, token } of one) single.push({ result: await repo.claim(claim, token, 60_000), state: await stateOf(claim.key, token) });
    const grouped = await repo.claimMany(many.map(({ claim, token }) => ({ c: claim, token })), 60_000);
    for (const [i, { scenario, claim, token }] of many.entries()) {
      const state = await stateOf(claim.key, token);
      expect({ scenario, result: grouped[i], state: { ...state, to: state?.to === claim.to } })
        .toEqual({ scenario, result: single[i]!.result, state: { ...single[i]!.state, to: single[i]!.state?.to === one[i]!.claim.to } });
    }
    // What each state must give, so the parity above is not two identical mistakes.
    expect(Object.fromEntries(many.map(({ scenario }, i) => [scenario, grouped[i]]))).toEqual({
      fresh: { attempts: 1, status: 'sending' }, reserved: { attempts: 1, status: 'sending' }, done: null, held: null,
      expired: { attempts: 2, status: 'sending' }, recalled: { attempts: 1, status: 'cancelled' }, suppressed: { attempts: 1, status: 'suppressed' },
    });
  });

  it('completeMany completes only the rows still held by the token given', async () => {
    const repo = new EmailLogRepository(t.app.database.db);
    const claims = (await prepared()).filter(({ scenario }) => scenario === 'fresh' || scenario === 'reserved');
    for (const { claim, token } of claims) await repo.claim(claim, token, 60_000);
    const [mine, taken] = claims;
    const done = await repo.completeMany([
      { key: mine!.claim.key, token: mine!.token, transport: 'smtp-1', smtpResponse: '250 mine' },
      { key: taken!.claim.key, token: randomUUID(), transport: 'smtp-1', smtpResponse: '250 stale' },
    ]);
    expect(done).toEqual([true, false]);
    expect(await t.app.database.db.selectFrom('email_log').select(['status', 'smtp_response', 'claim_token']).where('key', '=', mine!.claim.key).executeTakeFirst())
      .toEqual({ status: 'sent', smtp_response: '250 mine', claim_token: null });
    expect(await stateOf(taken!.claim.key, taken!.token)).toMatchObject({ status: 'sending', ours: true, leased: true });
  });

  it('a burst of 30 emails takes fewer claim and completion statements than emails, and sends each once', async () => {
    const recipients = await users(30);
    const ids = await notificationsFor(recipients);
    const emails: EmailToSend[] = recipients.map((u) => {
      const id = ids.get(u.id)!;
      return { key: notificationEmailKey(id), kind: 'notification', notificationId: id, userId: u.id, to: u.email, subject: 'Grouped', html: '<p>g</p>', text: 'g', headers: { 'X-Herald-Notification': id } };
    });
    const statements = { claims: 0, completions: 0 };
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
      if (/INSERT INTO email_log/.test(text)) statements.claims++;
      if (/UPDATE email_log e? ?SET status = 'sent'|update "email_log" set "status"/i.test(text)) statements.completions++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    let outcomes: string[];
    try {
      outcomes = await Promise.all(emails.map((e) => t.app.services.email.sendOnce(e)));
    } finally {
      pg.Client.prototype.query = query;
    }
    expect(outcomes).toEqual(emails.map(() => 'sent'));
    // The first SMTP_POOL_SIZE claims are taken in the same tick: one statement for them.
    expect(statements.claims).toBeLessThanOrEqual(30 - 9);
    expect(statements.completions).toBeGreaterThan(0);
    expect(statements.completions).toBeLessThan(30);
    const rows = await t.app.database.db.selectFrom('email_log').select(['status']).where('key', 'in', emails.map((e) => e.key)).execute();
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(30);
    for (const u of recipients) expect(sink.received.filter((m) => m.to[0] === u.email)).toHaveLength(1);
  });

  // Review of issue 21: every email of a burst asked twice at once (a job run twice), and one
  // email PostgreSQL refuses (a NUL in its subject) failing its group, retried email by email:
  // each email is sent once, the refused one fails alone, and no statement deadlocks.
  it('sends each email once when every claim comes twice at once and one email fails its group', async () => {
    const recipients = await users(24);
    const ids = await notificationsFor(recipients);
    const emails: EmailToSend[] = recipients.map((u, i) => {
      const id = ids.get(u.id)!;
      return { key: notificationEmailKey(id), kind: 'notification', notificationId: id, userId: u.id, to: u.email, subject: i === 5 ? 'bad\u0000subject' : 'Twice', html: '<p>t</p>', text: 't', headers: {} };
    });
    const settled = await Promise.allSettled([...emails, ...emails].map((e) => t.app.services.email.sendOnce(e)));
    const deadlocks = settled.filter((r) => r.status === 'rejected' && /deadlock/i.test(String((r.reason as Error).message)));
    expect(deadlocks).toEqual([]);
    for (const [i, u] of recipients.entries()) expect(sink.received.filter((m) => m.to[0] === u.email)).toHaveLength(i === 5 ? 0 : 1);
    const rows = await t.app.database.db.selectFrom('email_log').select(['key', 'status']).where('key', 'in', emails.map((e) => e.key)).execute();
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(23);
    expect(rows.find((r) => r.key === emails[5]!.key)).toBeUndefined();
  });
});

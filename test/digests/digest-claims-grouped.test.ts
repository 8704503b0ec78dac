import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestEmailKey } from '../../src/digests/digests.service.js';
import { EmailLogRepository, type EmailClaim } from '../../src/platform/email/email-log.repository.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { horizonPast } from '../helpers/wait.js';

/**
 * Issue 21: a digest's claim (gated on the notifications it lists, FOR SHARE) goes to PostgreSQL
 * in a group with the other claims of the moment, as a notification email's does. A group writes,
 * locks and answers exactly what one claim() each would, 'stale' included, and a job's digests
 * take fewer claim statements than digests.
 */

const SUPPRESSED = 'digest-grouped-suppressed@test.local';

describe('grouped digest claims', () => {
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
  const db = () => t.app.database.db;

  /** `n` DAILY users with 5 unread notifications each, all below the transaction horizon. */
  async function digestUsers(n: number): Promise<Array<{ id: string; email: string; items: string[] }>> {
    const tag = randomUUID().slice(0, 8);
    const { rows: users } = await sql<{ id: string; email: string }>`
      INSERT INTO users (email, role, password_hash, name)
      SELECT ${tag} || '-' || g || '@digest-grouped.test', 'VIEWER', 'x', 'Grouped ' || g FROM generate_series(1, ${n}) g
      RETURNING id, email`.execute(db());
    await sql`INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency, email_enabled)
      SELECT id, ARRAY['LICENSE'], 'DAILY', true FROM users WHERE id = ANY(${users.map((u) => u.id)}::uuid[])
      ON CONFLICT (user_id) DO UPDATE SET enabled_types = excluded.enabled_types, digest_frequency = 'DAILY', email_enabled = true`.execute(db());
    const { rows: items } = await sql<{ id: string; user_id: string }>`
      INSERT INTO notifications (user_id, type, title, message, priority)
      SELECT u, 'LICENSE', 'Grouped item ' || k, 'Details', 'MEDIUM' FROM unnest(${users.map((u) => u.id)}::uuid[]) u CROSS JOIN generate_series(1, 5) k
      RETURNING id, user_id`.execute(db());
    const { rows: [next] } = await sql<{ x: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`.execute(db());
    expect(await horizonPast(t.app, next!.x)).toBe(true);
    return users.map((u) => ({ ...u, items: items.filter((i) => i.user_id === u.id).map((i) => i.id) }));
  }

  const SCENARIOS = ['fresh', 'done', 'held', 'expired', 'stale', 'suppressed', 'notification'] as const;

  /** One digest claim per scenario (and a notification email's), its row put in that state. */
  async function prepared(): Promise<Array<{ scenario: (typeof SCENARIOS)[number]; claim: EmailClaim; token: string }>> {
    const repo = new EmailLogRepository(db());
    const users = await digestUsers(SCENARIOS.length);
    const out = [];
    for (const [i, scenario] of SCENARIOS.entries()) {
      const user = users[i]!;
      const key = scenario === 'notification' ? `notification:${user.items[0]}` : digestEmailKey(user.id, `grouped-${randomUUID().slice(0, 8)}`);
      const claim: EmailClaim = {
        key, kind: scenario === 'notification' ? 'notification' : 'digest', notificationId: scenario === 'notification' ? user.items[0]! : null, userId: user.id,
        to: scenario === 'suppressed' ? SUPPRESSED.toUpperCase() : user.email, subject: 's', messageId: `<${key}@test>`,
        ...(scenario === 'notification' ? {} : { liveNotifications: user.items }),
      };
      if (scenario === 'done') {
        const token = randomUUID();
        await repo.claim(claim, token, 60_000);
        await repo.complete(key, token, { status: 'sent', transport: 'smtp-1', smtpResponse: '250 OK' });
      }
      if (scenario === 'held') await repo.claim(claim, randomUUID(), 60_000);
      if (scenario === 'expired') await repo.claim(claim, randomUUID(), 1_000);
      // One of the five listed notifications was recalled since the digest read them.
      if (scenario === 'stale') await sql`UPDATE notifications SET expires_at = now() - interval '1 second' WHERE id = ${user.items[3]}`.execute(db());
      out.push({ scenario, claim, token: randomUUID() });
    }
    await sql`UPDATE email_log SET claimed_until = now() - interval '1 millisecond' WHERE key = ${out[SCENARIOS.indexOf('expired')]!.claim.key}`.execute(db());
    return out;
  }

  const stateOf = async (key: string, token: string) => {
    const row = await db().selectFrom('email_log').select(['status', 'attempts', 'claimed_until', 'claim_token', 'error']).where('key', '=', key).executeTakeFirst();
    return row && { status: row.status, attempts: row.attempts, leased: row.claimed_until !== null && row.claimed_until.getTime() > Date.now(), ours: row.claim_token === token, error: row.error };
  };

  it('claimMany answers and writes for digests what claim does, row by row, stale included', async () => {
    const repo = new EmailLogRepository(db());
    const one = await prepared();
    const many = await prepared();
    const single = [];
    for (const { claim, token } of one) single.push({ result: await repo.claim(claim, token, 60_000), state: await stateOf(claim.key, token) });
    const grouped = await repo.claimMany(many.map(({ claim, token }) => ({ c: claim, token })), 60_000);
    for (const [i, { scenario, claim, token }] of many.entries()) {
      expect({ scenario, result: grouped[i], state: await stateOf(claim.key, token) }).toEqual({ scenario, ...single[i] });
    }
    expect(Object.fromEntries(many.map(({ scenario }, i) => [scenario, grouped[i]]))).toEqual({
      fresh: { attempts: 1, status: 'sending' }, done: null, held: null, expired: { attempts: 2, status: 'sending' },
      stale: 'stale', suppressed: { attempts: 1, status: 'suppressed' }, notification: { attempts: 1, status: 'sending' },
    });
    // A stale digest wrote nothing: its key stays free for its content read again.
    expect(await stateOf(many[SCENARIOS.indexOf('stale')]!.claim.key, '')).toBeUndefined();
  });

  it('a job of 30 digests takes one claim statement, and sends each once', async () => {
    const users = await digestUsers(30);
    const periodKey = `grouped-${randomUUID().slice(0, 8)}`;
    let claims = 0;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
      if (/INSERT INTO email_log/.test(text)) claims++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    let counts: Record<string, number>;
    try {
      counts = await t.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: new Date(Date.now() + 60_000).toISOString(), users: users.map((u) => ({ userId: u.id, periodKey })) });
    } finally {
      pg.Client.prototype.query = query;
    }
    expect(counts).toEqual({ sent: 30 });
    // One claim statement each before cf6cb73, up to 21 with grouped claims; one a job since sendMany.
    expect(claims).toBe(1);
    const rows = await db().selectFrom('email_log').select(['status']).where('key', 'in', users.map((u) => digestEmailKey(u.id, periodKey))).execute();
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(30);
    for (const u of users) {
      const mail = sink.received.filter((m) => m.to[0] === u.email);
      expect(mail).toHaveLength(1);
      expect(mail[0]!.text).toContain('Grouped item 5');
    }
  });

  it("a job's send deletes its users' contents older than 35 days and keeps the rest", async () => {
    const [old, other] = await digestUsers(2);
    const row = (userId: string, periodKey: string, daysAgo: number) => sql`
      INSERT INTO digest_contents (user_id, period_key, frequency, to_xid, run_at, created_at)
      VALUES (${userId}::uuid, ${periodKey}, 'DAILY', '1'::xid8, now(), now() - ${daysAgo} * interval '1 day')`.execute(db());
    await row(old!.id, 'p-40', 40);
    await row(old!.id, 'p-41', 41);
    await row(old!.id, 'p-30', 30);
    await row(other!.id, 'p-40', 40);
    await t.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: new Date(Date.now() + 60_000).toISOString(), users: [{ userId: old!.id, periodKey: `grouped-${randomUUID().slice(0, 8)}` }] });
    const left = await db().selectFrom('digest_contents').select(['user_id', 'period_key']).where('user_id', 'in', [old!.id, other!.id]).where('period_key', 'like', 'p-%').orderBy('period_key').execute();
    // The job's user keeps only its recent content; another user's old content waits for that user's job.
    expect(left).toEqual([{ user_id: old!.id, period_key: 'p-30' }, { user_id: other!.id, period_key: 'p-40' }]);
  });
});

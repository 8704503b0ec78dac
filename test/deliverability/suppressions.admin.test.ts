import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/** GET/DELETE /api/admin/emails/suppressions: admin only, search, pagination, lift (audited), races. */
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  // The race sends 100 admin requests in a few hundred milliseconds: above admin.jobs' 100 a minute.
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=10000' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(() => t.close());

const db = () => t.app.database.db;
const suppress = (email: string, reason: 'hard-bounce' | 'complaint' = 'hard-bounce', source = 'smtp') =>
  db().transaction().execute((trx) => t.app.services.suppressions.suppress(trx, { email, reason, source, detail: `${reason} of ${email}` }));
const list = (query = '', as: Session = admin) => t.call('GET', `/api/admin/emails/suppressions${query}`, { as });
const lift = (email: string, as: Session = admin) => t.call('DELETE', `/api/admin/emails/suppressions/${encodeURIComponent(email)}`, { as });
const auditOf = (email: string) => db().selectFrom('admin_audit').select(['action', 'admin_id', 'details'])
  .where('action', '=', 'email.suppression.lift').where(({ eb, ref }) => eb(eb.fn('jsonb_extract_path_text', [ref('details'), eb.val('email')]), '=', email)).execute();
const metric = async (name: string, labels: string) => {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('the list', () => {
  it('pages newest first in the admin lists\' shape and searches a case-insensitive part of the address', async () => {
    for (let i = 1; i <= 5; i++) await suppress(`list${i}@Search.example`);
    await suppress('under_score%@search.example', 'complaint', 'postmark');
    const page1 = await list('?q=SEARCH.EXAMPLE&pageSize=4');
    expect(page1.status).toBe(200);
    expect(page1.body.pagination).toEqual({ page: 1, pageSize: 4, total: 6, totalPages: 2 });
    expect(page1.body.data.map((r: { email: string }) => r.email)).toEqual(['under_score%@search.example', 'list5@search.example', 'list4@search.example', 'list3@search.example']);
    expect(page1.body.data[0]).toEqual({
      email: 'under_score%@search.example', reason: 'complaint', source: 'postmark', detail: 'complaint of under_score%@search.example', messageId: null, userId: null, createdAt: expect.any(String),
    });
    const page2 = await list('?q=search.example&pageSize=4&page=2');
    expect(page2.body.data.map((r: { email: string }) => r.email)).toEqual(['list2@search.example', 'list1@search.example']);
    // % and _ are characters of the address, not patterns.
    expect((await list(`?q=${encodeURIComponent('e_s')}`)).body.pagination.total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('score%')}`)).body.data.map((r: { email: string }) => r.email)).toEqual(['under_score%@search.example']);
  });

  it('answers 400 with the contract body for a bad page size', async () => {
    const res = await list('?pageSize=1000');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters' });
  });
});

describe('access', () => {
  it('403 for a signed-in non-admin on both routes, 401 without a session; nothing lifted', async () => {
    await suppress('guarded@example.com');
    const viewer = await t.user('VIEWER');
    for (const res of [await list('', viewer), await lift('guarded@example.com', viewer)]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false });
    }
    expect((await t.call('GET', '/api/admin/emails/suppressions')).status).toBe(401);
    expect((await t.call('DELETE', '/api/admin/emails/suppressions/guarded%40example.com')).status).toBe(401);
    expect(await t.app.services.suppressions.find('guarded@example.com')).not.toBeNull();
  });
});

describe('lifting', () => {
  it('a URL-encoded mixed-case address is lifted once, audited with the admin and counted; a second lift is 404', async () => {
    await suppress('Mixed.Case+tag@Example.com', 'complaint', 'ses');
    const before = await metric('herald_email_suppression_lifts_total', 'reason="complaint"');
    const res = await lift('MIXED.case+TAG@example.COM');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(await t.app.services.suppressions.find('mixed.case+tag@example.com')).toBeNull();
    expect(await auditOf('mixed.case+tag@example.com')).toMatchObject([{ admin_id: admin.user.id, details: { reason: 'complaint', source: 'ses' } }]);
    expect(await metric('herald_email_suppression_lifts_total', 'reason="complaint"')).toBe(before + 1);
    const again = await lift('mixed.case+tag@example.com');
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ success: false, error: 'Suppression not found' });
  });

  it('404 with the contract body for an address never suppressed, and for any text at all', async () => {
    for (const email of ['nobody@example.com', 'not an address', '../../etc/passwd', '%']) {
      const res = await lift(email);
      expect(res.status, email).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Suppression not found' });
    }
  });

  it('counts suppressions by reason and source', async () => {
    const before = await metric('herald_email_suppressions_total', 'reason="hard-bounce",source="generic"');
    await suppress('counted@example.com', 'hard-bounce', 'generic');
    await suppress('counted@example.com', 'hard-bounce', 'generic'); // a repeat changes nothing, counts nothing
    expect(await metric('herald_email_suppressions_total', 'reason="hard-bounce",source="generic"')).toBe(before + 1);
  });
});

describe('races', () => {
  it('20 parallel lifts and a suppress of one address end consistent: each lift that answered 200 removed the row once and is audited once', async () => {
    for (let round = 0; round < 5; round++) {
      const email = `race${round}@example.com`;
      await suppress(email);
      const calls = [
        ...Array.from({ length: 20 }, () => lift(email.toUpperCase()).then((r) => ({ kind: 'lift' as const, status: r.status }))),
        suppress(email, 'complaint', 'generic').then((r) => ({ kind: 'suppress' as const, created: r.created })),
      ];
      const results = await Promise.all(calls);
      const lifted = results.filter((r) => r.kind === 'lift' && r.status === 200).length;
      expect(results.filter((r) => r.kind === 'lift' && r.status !== 200 && r.status !== 404)).toEqual([]);
      const created = results.some((r) => r.kind === 'suppress' && r.created) ? 1 : 0;
      const present = (await t.app.services.suppressions.find(email)) ? 1 : 0;
      // One row at the start, plus the suppress if it inserted a new one, minus each real lift.
      expect({ round, present }).toEqual({ round, present: 1 + created - lifted });
      expect(lifted).toBeGreaterThanOrEqual(1);
      expect(lifted).toBeLessThanOrEqual(1 + created);
      expect(await auditOf(email)).toHaveLength(lifted);
    }
  });
});

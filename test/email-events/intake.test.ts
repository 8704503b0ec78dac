import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { eventsOf, postGeneric, SECRET, sentEmail, sign, suppressionOf } from './intake.helpers.js';

// The generic and Postmark intake over real HTTP, against email_log rows the real SMTP sink received.

let sink: SmtpSink;
let t: TestApp;
/** A real receiver of herald's outbound webhooks: the email.bounced/complained events it was sent. */
let receiver: http.Server;
const delivered: Array<{ event: string; delivery: string; body: { data: { email: string } } }> = [];

beforeAll(async () => {
  sink = await new SmtpSink().start();
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => {
      delivered.push({ event: String(request.headers['x-herald-event']), delivery: String(request.headers['x-herald-delivery']), body: JSON.parse(body) });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t = await createTestApp({ SMTP_URL: sink.url, EMAIL_WEBHOOK_SECRET: SECRET, EMAIL_WEBHOOK_BODY_LIMIT_BYTES: '4096', WEBHOOK_ALLOW_PRIVATE: 'true' });
  const endpoint = await t.call('POST', '/api/admin/webhooks', { as: await t.admin(), body: {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['email.bounced', 'email.complained'],
  } });
  expect(endpoint.status).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const at = () => new Date().toISOString();

type Report = (heraldUrl: string, secret: string, event: unknown) => Promise<{ success: boolean; data: { recorded: number } }>;
/** The sender snippet exactly as docs/OPERATIONS.md documents it (its import given as an argument). */
function documentedSender(): Report {
  const doc = readFileSync(new URL('../../docs/OPERATIONS.md', import.meta.url), 'utf8');
  const block = /<!-- email-events-sign:start -->\n```js\n([\s\S]*?)```\n<!-- email-events-sign:end -->/.exec(doc);
  if (!block) throw new Error('the generic sender snippet is missing from docs/OPERATIONS.md');
  const code = block[1]!.replace(/^import .*$/m, '');
  return new Function('createHmac', 'fetch', `${code}\nreturn reportToHerald;`)(createHmac, fetch) as Report;
}
const basic = (password: string) => `Basic ${Buffer.from(`postmark:${password}`).toString('base64')}`;

describe('generic webhook', () => {
  it('a signed permanent bounce is stored, matched to the email and suppresses the address', async () => {
    const sent = await sentEmail(t, sink, 'generic-bounce');
    const res = await postGeneric(t, { type: 'bounce', email: sent.email.toUpperCase(), messageId: sent.messageId, permanent: true, at: at(), detail: '550 5.1.1 no such user' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { outcome: 'events', recorded: 1, duplicates: 0 } });
    const [row, ...rest] = await eventsOf(t, sent.email);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ provider: 'generic', type: 'bounce', email: sent.email, message_id: sent.messageId, email_log_id: sent.logId, permanent: true, detail: '550 5.1.1 no such user' });
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'hard-bounce', source: 'generic', user_id: sent.user.id, message_id: sent.messageId });
    const timeline = await t.app.services.deliveryEvents.forEmails([sent.logId]);
    expect(timeline).toEqual([expect.objectContaining({ emailLogId: sent.logId, type: 'bounce', provider: 'generic', permanent: true })]);
  });

  it('the documented sender snippet is accepted', async () => {
    const sent = await sentEmail(t, sink, 'generic-snippet');
    const answer = await documentedSender()(t.url, SECRET, { id: `evt-${sent.logId}`, type: 'bounce', email: sent.email, messageId: sent.messageId, permanent: true, at: at(), detail: '550 5.1.1 user unknown' });
    expect(answer).toEqual({ success: true, data: { outcome: 'events', recorded: 1, duplicates: 0 } });
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'hard-bounce' });
    await expect(documentedSender()(t.url, 'not-the-secret-at-all', { type: 'delivered', email: sent.email, at: at() })).rejects.toThrow('herald answered 401');
  });

  it('a transient bounce is recorded only; a message id without angle brackets still matches', async () => {
    const sent = await sentEmail(t, sink, 'generic-soft');
    const res = await postGeneric(t, { type: 'bounce', email: sent.email, messageId: sent.messageId.slice(1, -1), permanent: false, at: at() });
    expect(res.status).toBe(200);
    expect((await eventsOf(t, sent.email))[0]).toMatchObject({ email_log_id: sent.logId, permanent: false });
    expect(await suppressionOf(t, sent.email)).toBeUndefined();
  });

  it('a complaint suppresses the address and turns the user\'s email off', async () => {
    const sent = await sentEmail(t, sink, 'generic-complaint');
    expect((await postGeneric(t, { type: 'complaint', email: sent.email, messageId: sent.messageId, at: at() })).status).toBe(200);
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'complaint', source: 'generic' });
    const prefs = await t.app.database.db.selectFrom('notification_preferences').select('email_enabled').where('user_id', '=', sent.user.id).executeTakeFirst();
    expect(prefs?.email_enabled).toBe(false);
  });

  it('a complaint naming another address than the email\'s recipient leaves the recipient\'s preference alone', async () => {
    const sent = await sentEmail(t, sink, 'generic-other-address');
    // The victim's Message-ID, someone else's address: the complainer is suppressed, not the victim opted out.
    expect((await postGeneric(t, { type: 'complaint', email: 'forwarded-to@mail.test', messageId: sent.messageId, at: at() })).status).toBe(200);
    expect(await suppressionOf(t, 'forwarded-to@mail.test')).toMatchObject({ reason: 'complaint', user_id: null });
    expect(await suppressionOf(t, sent.email)).toBeUndefined();
    const prefs = await t.app.database.db.selectFrom('notification_preferences').select('email_enabled').where('user_id', '=', sent.user.id).executeTakeFirst();
    expect(prefs?.email_enabled ?? true).toBe(true);
  });

  it('an unknown Message-ID is stored unmatched and answered 200, without suppressing', async () => {
    const res = await postGeneric(t, { type: 'delivered', email: 'stranger@mail.test', messageId: '<nobody@herald.local>', at: at() });
    expect(res.status).toBe(200);
    expect(await eventsOf(t, 'stranger@mail.test')).toEqual([expect.objectContaining({ email_log_id: null, message_id: '<nobody@herald.local>', type: 'delivered' })]);
  });

  it('refuses an unsigned, a wrongly signed and a tampered event with 401, storing nothing', async () => {
    const sent = await sentEmail(t, sink, 'generic-attack');
    const event = { type: 'bounce', email: sent.email, messageId: sent.messageId, permanent: true, at: at() };
    const body = JSON.stringify(event);
    const unsigned = await postGeneric(t, body, null);
    const wrongKey = await postGeneric(t, body, sign(body, 'another-secret-of-some-length'));
    const tampered = await postGeneric(t, body.replace('"permanent":true', '"permanent":false'), sign(body));
    const garbage = await postGeneric(t, body, 'sha256=zz');
    for (const res of [unsigned, wrongKey, tampered, garbage]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: expect.stringMatching(/^Unauthorized/) });
    }
    expect(await eventsOf(t, sent.email)).toHaveLength(0);
    expect(await suppressionOf(t, sent.email)).toBeUndefined();
  });

  it('the same event posted 10 times in parallel makes one row, one suppression and one outbound webhook event', async () => {
    const sent = await sentEmail(t, sink, 'generic-race');
    const body = JSON.stringify({ id: 'evt-race-1', type: 'bounce', email: sent.email, messageId: sent.messageId, permanent: true, at: at() });
    const answers = await Promise.all(Array.from({ length: 10 }, () => postGeneric(t, body)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.reduce((n, a) => n + a.body.data.recorded, 0)).toBe(1);
    expect(answers.reduce((n, a) => n + a.body.data.duplicates, 0)).toBe(9);
    expect(await eventsOf(t, sent.email)).toHaveLength(1);
    expect(await suppressionOf(t, sent.email)).toBeDefined();
    const forThis = () => delivered.filter((d) => d.body.data.email === sent.email);
    expect(await waitFor(async () => forThis().length > 0, 15_000, 50)).toBe(true);
    const rows = await t.app.database.db.selectFrom('webhook_deliveries').select('event_type').where('ordering_key', '=', `email:${sent.email}`).execute();
    expect(rows.map((r) => r.event_type)).toEqual(['email.bounced']);
    expect(forThis().map((d) => d.event)).toEqual(['email.bounced']);
    // Counted once in the metric too (this is the only event of this test run with a 'generic-race' id).
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.body).toMatch(/herald_email_events_total\{provider="generic",type="bounce",matched="true"\} \d+/);
  });

  it('a failure after the event row is written rolls it back: the provider\'s retry is processed, not taken as a repeat', async () => {
    const sent = await sentEmail(t, sink, 'generic-atomic');
    const db = t.app.database.db;
    // PostgreSQL failing at the worst moment: after email_events is written, at the suppression.
    await sql`CREATE FUNCTION a2_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'connection lost (simulated)' USING ERRCODE = '08006'; END $$`.execute(db);
    await sql`CREATE TRIGGER a2_fail_once BEFORE INSERT ON email_suppressions FOR EACH ROW WHEN (NEW.email = ${sql.lit(sent.email)}) EXECUTE FUNCTION a2_fail_once()`.execute(db);
    const body = JSON.stringify({ id: 'evt-atomic-1', type: 'bounce', email: sent.email, messageId: sent.messageId, permanent: true, at: at() });
    try {
      const failed = await postGeneric(t, body);
      expect(failed.status).toBe(503);
      expect(await eventsOf(t, sent.email)).toHaveLength(0);
    } finally {
      await sql`DROP TRIGGER a2_fail_once ON email_suppressions`.execute(db);
      await sql`DROP FUNCTION a2_fail_once()`.execute(db);
    }
    const retried = await postGeneric(t, body);
    expect(retried.body).toEqual({ success: true, data: { outcome: 'events', recorded: 1, duplicates: 0 } });
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'hard-bounce' });
  });

  it('bad JSON is a 400, a bad event a 400 naming the field, an oversized body 413, another media type 400 (as everywhere in the API)', async () => {
    const bad = await postGeneric(t, '{"type":', sign('{"type":'));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ success: false, error: 'Invalid request body', details: [{ code: 'invalid_json', path: [], message: 'Body is not valid JSON' }] });
    const invalid = JSON.stringify({ type: 'opened', email: 'a@b.test', at: at() });
    expect((await postGeneric(t, invalid)).body).toMatchObject({ success: false, error: expect.stringMatching(/^Invalid event: type/) });
    const big = JSON.stringify({ type: 'delivered', email: 'big@mail.test', at: at(), detail: 'x'.repeat(5000) });
    const tooLarge = await postGeneric(t, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ success: false });
    const form = await t.call('POST', '/api/webhooks/email/generic', { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-herald-signature': sign('a=b') } });
    expect(form.status).toBe(400);
    expect(form.body).toMatchObject({ success: false, details: [{ code: 'invalid_content_type' }] });
  });

  it('an unknown provider is a 404 with the contract body', async () => {
    const res = await t.call('POST', '/api/webhooks/email/sendgrid', { body: {} });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: 'Not found' });
  });
});

describe('postmark webhook', () => {
  const bounce = (email: string, messageId: string, type = 'HardBounce', id = Math.floor(Math.random() * 1e12)) => ({
    RecordType: 'Bounce', ID: id, Type: type, TypeCode: 1, MessageID: '883953f4-6105-42a2-a16a-77a8eac79483', MessageStream: 'outbound',
    Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).', Details: 'smtp;550 5.1.1 unknown user',
    Email: email, From: 'no-reply@herald.local', BouncedAt: at(), Metadata: { 'herald-message-id': messageId }, Inactive: true,
  });
  const post = (body: unknown, headers: Record<string, string> = { authorization: basic(SECRET) }) =>
    t.call('POST', '/api/webhooks/email/postmark', { body, headers });

  it('a hard bounce over Basic credentials suppresses; a soft bounce is recorded only', async () => {
    const hard = await sentEmail(t, sink, 'pm-hard');
    expect((await post(bounce(hard.email, hard.messageId))).status).toBe(200);
    expect((await eventsOf(t, hard.email))[0]).toMatchObject({ provider: 'postmark', type: 'bounce', permanent: true, email_log_id: hard.logId });
    expect(await suppressionOf(t, hard.email)).toMatchObject({ reason: 'hard-bounce', source: 'postmark' });

    const soft = await sentEmail(t, sink, 'pm-soft');
    expect((await post(bounce(soft.email, soft.messageId, 'SoftBounce'))).status).toBe(200);
    expect((await eventsOf(t, soft.email))[0]).toMatchObject({ permanent: false, email_log_id: soft.logId });
    expect(await suppressionOf(t, soft.email)).toBeUndefined();
  });

  it('matches on the Message-ID header of the bounce content when there is no metadata', async () => {
    const sent = await sentEmail(t, sink, 'pm-content');
    const body = { ...bounce(sent.email, ''), Metadata: {}, Content: `Return-Path: <>\r\nMessage-ID: ${sent.messageId}\r\nSubject: Payout\r\n\r\nbody` };
    expect((await post(body, { 'x-herald-webhook-secret': SECRET })).status).toBe(200);
    expect((await eventsOf(t, sent.email))[0]).toMatchObject({ email_log_id: sent.logId, message_id: sent.messageId });
  });

  it('a spam complaint suppresses as a complaint; a delivery is recorded', async () => {
    const sent = await sentEmail(t, sink, 'pm-complaint');
    expect((await post({ ...bounce(sent.email, sent.messageId, 'SpamComplaint'), RecordType: 'SpamComplaint' })).status).toBe(200);
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'complaint', source: 'postmark' });

    const delivered = await sentEmail(t, sink, 'pm-delivery');
    const res = await post({ RecordType: 'Delivery', ServerID: 23, MessageStream: 'outbound', MessageID: 'pm-1', Recipient: delivered.email, DeliveredAt: at(), Details: 'Test delivery webhook details', Metadata: { 'herald-message-id': delivered.messageId } });
    expect(res.body).toEqual({ success: true, data: { outcome: 'events', recorded: 1, duplicates: 0 } });
    expect((await eventsOf(t, delivered.email))[0]).toMatchObject({ type: 'delivered', email_log_id: delivered.logId });
    // An open is nothing herald acts on.
    expect((await post({ RecordType: 'Open', MessageID: 'pm-1', Recipient: delivered.email })).body.data.outcome).toBe('ignored');
  });

  it('refuses missing or wrong credentials with 401, storing nothing', async () => {
    const sent = await sentEmail(t, sink, 'pm-attack');
    const body = bounce(sent.email, sent.messageId);
    const attempts: Record<string, string>[] = [{}, { authorization: basic('wrong-secret-value') }, { 'x-herald-webhook-secret': 'wrong' }, { authorization: 'Bearer x' }];
    for (const headers of attempts) {
      const res = await post(body, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, error: 'Unauthorized' });
    }
    expect(await eventsOf(t, sent.email)).toHaveLength(0);
    expect(await suppressionOf(t, sent.email)).toBeUndefined();
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { eventsOf, sentEmail, suppressionOf } from './intake.helpers.js';
import { FakeSns, notification, sesBounce, sesComplaint, signSns, TOPIC } from './sns.helpers.js';

// Amazon SES through SNS: signatures verified against a certificate fetched over real HTTPS from
// a local stand-in for sns.<region>.amazonaws.com, trusted through EMAIL_SNS_CA_FILE.

let sink: SmtpSink;
let sns: FakeSns;
let t: TestApp;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  sns = await new FakeSns().start();
  t = await createTestApp({
    SMTP_URL: sink.url, EMAIL_SNS_CERT_HOSTS: '127.0.0.1', EMAIL_SNS_CA_FILE: sns.certFile, EMAIL_SNS_TOPIC_ARNS: TOPIC,
  });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
  await sns?.stop();
});

/** As SNS posts: JSON with Content-Type text/plain; charset=UTF-8, over a real socket. */
const post = (body: unknown) => t.call('POST', '/api/webhooks/email/ses', { body: JSON.stringify(body), headers: { 'content-type': 'text/plain; charset=UTF-8' } });
const certFetches = () => sns.requests.filter((r) => r.endsWith('.pem')).length;

describe('SES via SNS', () => {
  it('a permanent bounce (SignatureVersion 1, text/plain over a socket) is stored, matched and suppresses the address', async () => {
    const sent = await sentEmail(t, sink, 'ses-bounce');
    const res = await post(signSns(notification(sns, sesBounce(sent.email, sent.messageId)), sns.keyFile, '1'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { outcome: 'events', recorded: 1, duplicates: 0 } });
    expect(await eventsOf(t, sent.email)).toEqual([expect.objectContaining({
      provider: 'ses', type: 'bounce', permanent: true, email_log_id: sent.logId, message_id: sent.messageId, detail: expect.stringContaining('550 5.1.1'),
    })]);
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'hard-bounce', source: 'ses', user_id: sent.user.id });
  });

  it('a complaint (SignatureVersion 2, through app.inject, with a Subject) suppresses as a complaint; the certificate is fetched once', async () => {
    const before = certFetches();
    const sent = await sentEmail(t, sink, 'ses-complaint');
    const body = signSns(notification(sns, sesComplaint(sent.email, sent.messageId), { Subject: 'Amazon SES Email Event Notification' }), sns.keyFile, '2');
    const res = await t.app.http!.inject({ method: 'POST', url: '/api/webhooks/email/ses', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(await suppressionOf(t, sent.email)).toMatchObject({ reason: 'complaint', source: 'ses' });
    expect((await eventsOf(t, sent.email))[0]).toMatchObject({ type: 'complaint', email_log_id: sent.logId });
    expect(certFetches() - before).toBeLessThanOrEqual(0); // cached by the first test's fetch
  });

  it('a transient bounce and a delivery are recorded only', async () => {
    const sent = await sentEmail(t, sink, 'ses-soft');
    expect((await post(signSns(notification(sns, sesBounce(sent.email, sent.messageId, 'Transient')), sns.keyFile))).status).toBe(200);
    const delivery = { eventType: 'Delivery', delivery: { timestamp: new Date().toISOString(), recipients: [sent.email], smtpResponse: '250 2.0.0 OK' }, mail: { messageId: 'ses-1', headers: [{ name: 'Message-Id', value: sent.messageId }] } };
    expect((await post(signSns(notification(sns, delivery), sns.keyFile))).status).toBe(200);
    expect((await eventsOf(t, sent.email)).map((e) => [e.type, e.permanent, e.email_log_id])).toEqual([['bounce', false, sent.logId], ['delivered', false, sent.logId]]);
    expect(await suppressionOf(t, sent.email)).toBeUndefined();
  });

  it('refuses with 401 and stores nothing: another key\'s signature, a tampered Message, a foreign or plain-http certificate URL, an unknown topic, an unsigned body', async () => {
    const sent = await sentEmail(t, sink, 'ses-attack');
    const message = notification(sns, sesBounce(sent.email, sent.messageId));
    const before = sns.requests.length;
    const signed = signSns(message, sns.keyFile);
    const attacks = {
      otherKey: signSns(message, sns.otherKeyFile),
      tampered: { ...signed, Message: JSON.stringify(sesBounce(`victim-${randomUUID()}@mail.test`, sent.messageId)) },
      foreignHost: signSns({ ...message, SigningCertURL: 'https://sns.attacker.example/cert.pem' }, sns.keyFile),
      plainHttp: signSns({ ...message, SigningCertURL: sns.certUrl.replace('https:', 'http:') }, sns.keyFile),
      lookalike: signSns({ ...message, SigningCertURL: `https://127.0.0.1.attacker.example:${sns.port}/SimpleNotificationService-test.pem` }, sns.keyFile),
      credentials: signSns({ ...message, SigningCertURL: sns.certUrl.replace('https://', 'https://user:pw@') }, sns.keyFile),
      topic: signSns({ ...message, TopicArn: 'arn:aws:sns:us-east-1:999999999999:someone-elses' }, sns.keyFile),
      noSignature: { ...message, SignatureVersion: '2' },
      version3: { ...signed, SignatureVersion: '3' },
    };
    for (const [name, body] of Object.entries(attacks)) {
      const res = await post(body);
      expect([name, res.status]).toEqual([name, 401]);
      expect(res.body).toMatchObject({ success: false, error: expect.stringMatching(/^Unauthorized/) });
    }
    expect(await eventsOf(t, sent.email)).toHaveLength(0);
    expect(await suppressionOf(t, sent.email)).toBeUndefined();
    // Nothing was fetched for them (the certificate is cached; the foreign hosts were never asked).
    expect(sns.requests.slice(before)).toEqual([]);
  });

  it('a certificate URL on the allowed host but not SNS\'s certificate path (another path, a query) is refused with 401 and never fetched', async () => {
    const sent = await sentEmail(t, sink, 'ses-cert-path');
    const before = sns.requests.length;
    // Each variant would otherwise be one more fetch and one more cache entry an anonymous sender makes herald do.
    for (const SigningCertURL of [`${sns.base}/other-${randomUUID()}.pem`, `${sns.certUrl}?v=${randomUUID()}`]) {
      const res = await post(signSns(notification(sns, sesBounce(sent.email, sent.messageId), { SigningCertURL }), sns.keyFile));
      expect(res.status, SigningCertURL).toBe(401);
    }
    expect(sns.requests.slice(before)).toEqual([]);
    expect(await eventsOf(t, sent.email)).toHaveLength(0);
  });

  it('a redirect from the certificate host is not followed: 503 (SNS retries), nothing stored', async () => {
    const sent = await sentEmail(t, sink, 'ses-redirect');
    const before = sns.requests.length;
    const res = await post(signSns(notification(sns, sesBounce(sent.email, sent.messageId), { SigningCertURL: `${sns.base}/SimpleNotificationService-redirect-${randomUUID()}.pem` }), sns.keyFile));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ success: false, error: 'Could not fetch the SNS signing certificate' });
    expect(sns.requests.slice(before)).toEqual([expect.stringMatching(/^\/SimpleNotificationService-redirect-/)]);
    expect(await eventsOf(t, sent.email)).toHaveLength(0);
  });

  it('a SubscriptionConfirmation is verified, then confirmed by a GET of its SubscribeURL; one on a foreign host is refused', async () => {
    const token = randomUUID();
    const confirmation = {
      Type: 'SubscriptionConfirmation', MessageId: randomUUID(), Token: token, TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.`, SubscribeURL: `${sns.base}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${token}`,
      Timestamp: new Date().toISOString(), SigningCertURL: sns.certUrl,
    };
    const res = await post(signSns(confirmation, sns.keyFile, '1'));
    expect(res.body).toEqual({ success: true, data: { outcome: 'subscription-confirmed', recorded: 0, duplicates: 0 } });
    expect(sns.requests).toContain(`/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${token}`);

    const before = sns.requests.length;
    const foreign = await post(signSns({ ...confirmation, SubscribeURL: `https://attacker.example/?Token=${token}` }, sns.keyFile));
    expect(foreign.status).toBe(401);
    // Tampered after signing: the SubscribeURL is signed, so this fails verification before any GET.
    const tampered = await post({ ...signSns(confirmation, sns.keyFile), SubscribeURL: `${sns.base}/?Action=ConfirmSubscription&Token=other` });
    expect(tampered.status).toBe(401);
    expect(sns.requests.slice(before)).toEqual([]);
  });

  it('a confirmation whose SubscribeURL answers an error is a 503 (SNS sends it again); an UnsubscribeConfirmation is acknowledged', async () => {
    const base = { MessageId: randomUUID(), Token: 'tok', TopicArn: TOPIC, Message: 'm', Timestamp: new Date().toISOString(), SigningCertURL: sns.certUrl };
    const failing = await post(signSns({ ...base, Type: 'SubscriptionConfirmation', SubscribeURL: `${sns.base}/no-such-page` }, sns.keyFile));
    expect([failing.status, failing.body]).toEqual([503, { success: false, error: 'Could not confirm the SNS subscription' }]);
    const gone = await post(signSns({ ...base, Type: 'UnsubscribeConfirmation', SubscribeURL: `${sns.base}/?Action=ConfirmSubscription&Token=tok` }, sns.keyFile));
    expect(gone.body).toEqual({ success: true, data: { outcome: 'unsubscribe-confirmed', recorded: 0, duplicates: 0 } });
  });

  it('bad JSON is a 400; a signed Message that is no SES event a 400', async () => {
    const bad = await t.call('POST', '/api/webhooks/email/ses', { body: '{"Type":', headers: { 'content-type': 'text/plain; charset=UTF-8' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: 'Invalid request body' });
    const notSes = await post(signSns(notification(sns, { hello: 'world' }), sns.keyFile));
    expect(notSes.status).toBe(400);
    expect(notSes.body).toEqual({ success: false, error: 'Invalid event: the SNS Message is not an SES event' });
  });
});

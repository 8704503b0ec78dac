import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dateOf, detailOf, messageIdCandidates, normalizeEmail, normalizeMessageId } from '../../src/email-events/email-event.rules.js';
import { genericSignatureValid, parseGeneric, postmarkAuthorized, signGeneric } from '../../src/email-events/generic.rules.js';
import { parsePostmark } from '../../src/email-events/postmark.rules.js';
import { parseSesEvent } from '../../src/email-events/ses.rules.js';
import { hostAllowed, parseSnsEnvelope, snsHash, snsCertUrlAllowed, snsSignatureValid, snsStringToSign, snsUrlAllowed, topicAllowed, type SnsEnvelope } from '../../src/email-events/sns.rules.js';

// The providers' parsers and verifiers, app-free.

const now = new Date('2026-12-06T12:00:00Z');
const AWS = ['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn'];

describe('Message-IDs, addresses, details', () => {
  it('normalizes Message-IDs to <...> and refuses what cannot be one', () => {
    expect(normalizeMessageId('<a.b@h>')).toBe('<a.b@h>');
    expect(normalizeMessageId(' a.b@h ')).toBe('<a.b@h>');
    expect(normalizeMessageId('< a@h >')).toBe('<a@h>');
    expect(normalizeMessageId('  <a@h>  ')).toBe('<a@h>');
    for (const bad of ['', '<>', 'a b@h', '<a<b@h>', 'x<a@h>', '<a@h>x', 42, null, 'x'.repeat(997)]) expect([bad, normalizeMessageId(bad)]).toEqual([bad, null]);
    expect(normalizeMessageId('x'.repeat(996))).toBe(`<${'x'.repeat(996)}>`);
    expect(messageIdCandidates('<a@h>', 'a@h', null, 'b@h')).toEqual(['<a@h>', '<b@h>']);
  });
  it('lower-cases addresses, takes the address out of a display form, refuses non-addresses', () => {
    expect(normalizeEmail(' Ann@Mail.Test ')).toBe('ann@mail.test');
    expect(normalizeEmail('"Ann" <Ann@Mail.Test>')).toBe('ann@mail.test');
    expect(normalizeEmail('Ann <Ann@Mail.Test> ')).toBe('ann@mail.test');
    expect(normalizeEmail(`${'a'.repeat(250)}@c.d`)).toHaveLength(254);
    for (const bad of ['ann', 'a b@c', 'a@b c', 'Ann <a@b.c> trailing', '@c', 'a@', null, `${'a'.repeat(251)}@c.d`]) expect([bad, normalizeEmail(bad)]).toEqual([bad, null]);
  });
  it('reads dates from strings and epoch numbers only, else the fallback', () => {
    expect(dateOf('2026-12-06T11:00:00Z', now)).toEqual(new Date('2026-12-06T11:00:00Z'));
    expect(dateOf(1_796_000_000_000, now)).toEqual(new Date(1_796_000_000_000));
    for (const other of [undefined, null, true, {}, [], 'yesterday']) expect(dateOf(other, now)).toBe(now);
    // Outside years 1-9999 (PostgreSQL's timestamptz ends at 4713 BC): the fallback (review 18, R1).
    for (const far of [-8.64e15, 8.64e15, '-000001-12-31T23:59:59Z', '+010000-01-01T00:00:00Z']) expect(dateOf(far, now)).toBe(now);
    for (const edge of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) expect(dateOf(edge, now)).toEqual(new Date(edge));
  });
  it('joins and bounds details', () => {
    expect(detailOf(' a ', null, '', '   ', 7, 'b')).toBe('a — b');
    expect(detailOf()).toBeNull();
    expect(detailOf('x'.repeat(2000))).toHaveLength(1000);
  });
});

describe('SNS', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const base: SnsEnvelope = {
    Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:t', Message: '{"a":1}', Timestamp: '2026-12-06T12:00:00.000Z',
    SignatureVersion: '2', Signature: '', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
  };
  const signed = (m: SnsEnvelope, hash = 'sha256') => ({ ...m, Signature: rsaSign(hash, Buffer.from(snsStringToSign(m)!), privateKey).toString('base64') });

  it('signs the documented fields in order, Subject only when present', () => {
    expect(snsStringToSign(base)).toBe('Message\n{"a":1}\nMessageId\nm-1\nTimestamp\n2026-12-06T12:00:00.000Z\nTopicArn\narn:t\nType\nNotification\n');
    expect(snsStringToSign({ ...base, Subject: 'S' })).toContain('MessageId\nm-1\nSubject\nS\nTimestamp\n');
    const confirmation = { ...base, Type: 'SubscriptionConfirmation' as const, SubscribeURL: 'https://u', Token: 'tok' };
    expect(snsStringToSign(confirmation)).toBe('Message\n{"a":1}\nMessageId\nm-1\nSubscribeURL\nhttps://u\nTimestamp\n2026-12-06T12:00:00.000Z\nToken\ntok\nTopicArn\narn:t\nType\nSubscriptionConfirmation\n');
    expect(snsStringToSign({ ...confirmation, Token: undefined })).toBeNull();
  });

  it('verifies version 1 (SHA1) and 2 (SHA256), and nothing else', () => {
    expect(snsSignatureValid(signed(base), publicKey)).toBe(true);
    expect(snsSignatureValid(signed({ ...base, SignatureVersion: '1' }, 'sha1'), publicKey)).toBe(true);
    // A version-2 signature presented as version 1 (or the reverse) fails.
    expect(snsSignatureValid({ ...signed(base), SignatureVersion: '1' }, publicKey)).toBe(false);
    expect(snsSignatureValid({ ...signed(base), SignatureVersion: '3' }, publicKey)).toBe(false);
    expect(snsSignatureValid({ ...signed(base), Message: '{"a":2}' }, publicKey)).toBe(false);
    expect(snsSignatureValid({ ...signed(base), Subject: 'added' }, publicKey)).toBe(false);
    expect(snsSignatureValid({ ...base, Signature: '' }, publicKey)).toBe(false);
    expect(snsSignatureValid({ ...base, Signature: 'bm90IGEgc2lnbmF0dXJl' }, publicKey)).toBe(false);
    expect([snsHash('1'), snsHash('2'), snsHash('0'), snsHash('')]).toEqual(['sha1', 'sha256', null, null]);
    // A key that cannot verify RSA signatures (a certificate of another type) is a refusal, not an error.
    expect(snsSignatureValid(signed(base), generateKeyPairSync('ed25519').publicKey)).toBe(false);
    // A confirmation missing a signed field cannot be verified.
    expect(snsSignatureValid({ ...signed({ ...base, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://u', Token: 't' }), Token: undefined }, publicKey)).toBe(false);
  });

  it('parses an envelope only with every field of its Type', () => {
    expect(parseSnsEnvelope(signed(base))).toMatchObject({ Type: 'Notification' });
    expect(parseSnsEnvelope({ ...base, Type: 'Other' })).toBeNull();
    expect(parseSnsEnvelope({ ...base, MessageId: undefined })).toBeNull();
    expect(parseSnsEnvelope('text')).toBeNull();
    expect(parseSnsEnvelope({ ...base, Signature: 'c2ln', Type: 'SubscriptionConfirmation', Subject: 's', SubscribeURL: 'https://u', Token: 't' })).toMatchObject({ Subject: 's', SubscribeURL: 'https://u', Token: 't' });
    expect(parseSnsEnvelope({ ...base, Signature: 'c2ln', Subject: null })).toMatchObject({ Subject: null });
  });

  it('takes a signing certificate only at SNS\'s certificate path, with no query or fragment', () => {
    expect(snsCertUrlAllowed('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem', AWS)).toBe(true);
    expect(snsCertUrlAllowed('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a_b-c.pem', AWS)).toBe(true);
    for (const bad of [
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem?v=1', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem#f',
      'https://sns.us-east-1.amazonaws.com/x.pem', 'https://sns.us-east-1.amazonaws.com/a/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem/', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pemx', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x/y.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', 'https://evil.example/SimpleNotificationService-x.pem', 'not a url',
    ]) expect(snsCertUrlAllowed(bad, AWS), bad).toBe(false);
  });

  it('allows certificate URLs on https, on an allowed host, without credentials', () => {
    expect(snsUrlAllowed('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem', AWS)).toBe(true);
    expect(snsUrlAllowed('https://sns.cn-north-1.amazonaws.com.cn/x.pem', AWS)).toBe(true);
    expect(snsUrlAllowed('https://SNS.EU-WEST-1.AMAZONAWS.COM/x.pem', AWS)).toBe(true);
    for (const bad of [
      'http://sns.us-east-1.amazonaws.com/x.pem', 'https://sns.us-east-1.amazonaws.com.evil.example/x.pem', 'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.a.b.amazonaws.com/x.pem', 'https://s3.us-east-1.amazonaws.com/x.pem', 'https://sns..amazonaws.com/x.pem', 'https://u:p@sns.us-east-1.amazonaws.com/x.pem',
      'https://evil.example#@sns.us-east-1.amazonaws.com/', 'not a url', 'file:///etc/passwd', 'https://user@sns.us-east-1.amazonaws.com/x.pem',
      'https://:pw@sns.us-east-1.amazonaws.com/x.pem', 'https://[::1]/x.pem',
    ]) expect([bad, snsUrlAllowed(bad, AWS)]).toEqual([bad, false]);
    expect(hostAllowed('127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(hostAllowed('127.0.0.2', ['127.0.0.1'])).toBe(false);
    // `*` is an AWS region label, never an S3 endpoint's (a bucket named "sns"; review 18, R1).
    for (const region of ['us-east-1', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-12']) expect(hostAllowed(`sns.${region}.amazonaws.com`, AWS)).toBe(true);
    for (const s3 of ['s3', 's3-external-1', 's3-accelerate', 's3-us-west-2', 'us-east', 'east-1', 'us-east-123', 'u-east-1', 'us--1']) expect([s3, hostAllowed(`sns.${s3}.amazonaws.com`, AWS)]).toEqual([s3, false]);
    for (const bad of ['sns..amazonaws.com', 'sns.us_east.amazonaws.com', 'sns.a/b.amazonaws.com', 'amazonaws.com', 'x.sns.us-east-1.amazonaws.com']) expect([bad, hostAllowed(bad, AWS)]).toEqual([bad, false]);
  });

  it('accepts any topic when the list is empty, else only listed ones', () => {
    expect(topicAllowed('arn:x', [])).toBe(true);
    expect(topicAllowed('arn:x', ['arn:x'])).toBe(true);
    expect(topicAllowed('arn:y', ['arn:x'])).toBe(false);
  });
});

describe('SES events', () => {
  const mail = { messageId: 'ses-1', headers: [{ name: 'message-id', value: '<ours@h>' }], commonHeaders: { messageId: '<common@h>' } };
  it('one event per bounced recipient, permanent only for Permanent, our Message-ID from the headers first', () => {
    const r = parseSesEvent({ notificationType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail', feedbackId: 'f1', timestamp: '2026-12-06T11:00:00Z',
      bouncedRecipients: [{ emailAddress: 'A@x.test', status: '5.1.1', diagnosticCode: 'smtp; 550' }, { emailAddress: 'b@x.test' }, { emailAddress: 'nonsense' }] } }, now);
    expect(r).toEqual({ kind: 'events', events: [
      { providerEventId: 'bounce:f1:a@x.test', type: 'bounce', email: 'a@x.test', messageIds: ['<ours@h>', '<common@h>'], permanent: true, detail: 'Permanent/NoEmail — 5.1.1 — smtp; 550', occurredAt: new Date('2026-12-06T11:00:00Z') },
      expect.objectContaining({ providerEventId: 'bounce:f1:b@x.test', email: 'b@x.test' }),
    ] });
    const soft = parseSesEvent({ eventType: 'Bounce', mail: { messageId: 's-2' }, bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@x.test' }] } }, now);
    expect(soft).toMatchObject({ events: [{ providerEventId: 'bounce:s-2:a@x.test', permanent: false, messageIds: [], occurredAt: now }] });
    const bare = parseSesEvent({ eventType: 'Bounce', mail: { messageId: 's-3' }, bounce: { bouncedRecipients: [{ emailAddress: 'a@x.test' }] } }, now);
    expect(bare).toMatchObject({ events: [{ permanent: false, detail: 'Unknown/Unknown' }] });
    // Only the Message-ID header, whatever else the headers hold.
    const headers = [{ name: 5 }, { name: 'From', value: '<from@h>' }, { name: 'In-Reply-To', value: '<prev@h>' }, { name: 'Message-Id', value: '<mine@h>' }];
    expect(parseSesEvent({ eventType: 'Bounce', mail: { messageId: 's-4', headers }, bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'a@x.test' }] } }, now))
      .toMatchObject({ events: [{ messageIds: ['<mine@h>'] }] });
  });
  it('complaints are permanent, deliveries not; other kinds are ignored; non-SES is null', () => {
    expect(parseSesEvent({ eventType: 'Complaint', mail, complaint: { feedbackId: 'c1', complainedRecipients: [{ emailAddress: 'a@x.test' }] } }, now))
      .toMatchObject({ events: [{ providerEventId: 'complaint:c1:a@x.test', type: 'complaint', permanent: true }] });
    expect(parseSesEvent({ notificationType: 'Delivery', mail, delivery: { recipients: ['a@x.test'], smtpResponse: '250 ok' } }, now))
      .toMatchObject({ events: [{ providerEventId: 'delivery:ses-1:a@x.test', type: 'delivered', permanent: false, detail: '250 ok' }] });
    expect(parseSesEvent({ eventType: 'Open', mail }, now)).toEqual({ kind: 'ignored', what: 'Open' });
    expect(parseSesEvent({ eventType: 'Complaint', mail: { messageId: 's-5' }, complaint: { complainedRecipients: [{ emailAddress: 'a@x.test' }] } }, now))
      .toMatchObject({ events: [{ providerEventId: 'complaint:s-5:a@x.test' }] });
    expect(parseSesEvent({ hello: 1 }, now)).toBeNull();
    expect(parseSesEvent({ mail: { messageId: 's-6' } }, now)).toBeNull();
    expect(parseSesEvent([1], now)).toBeNull();
    expect(parseSesEvent(null, now)).toBeNull();
    // Without SES's message id nothing names a delivery: not an SES event.
    expect(parseSesEvent({ eventType: 'Delivery', mail: null, delivery: { recipients: ['a@x.test'] } }, now)).toBeNull();
    expect(parseSesEvent({ eventType: 'Delivery', mail: { messageId: 5 }, delivery: { recipients: ['a@x.test'] } }, now)).toBeNull();
  });
});

describe('Postmark', () => {
  it('classifies bounce types, complaints and deliveries, and reads our Message-ID from metadata, then content', () => {
    expect(parsePostmark({ RecordType: 'Bounce', ID: 7, Type: 'HardBounce', Email: 'A@x.test', MessageID: 'pm', Metadata: { 'herald-message-id': 'ours@h' }, BouncedAt: '2026-12-06T10:00:00Z' }, now))
      .toEqual({ kind: 'events', events: [{ providerEventId: 'bounce:pm/7', type: 'bounce', email: 'a@x.test', messageIds: ['<ours@h>', '<pm>'], permanent: true, detail: 'HardBounce', occurredAt: new Date('2026-12-06T10:00:00Z') }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 8, Type: 'SoftBounce', Email: 'a@x.test', Content: 'To: a\\r\\nMessage-ID: <c@h>\\r\\n' }, now)).toMatchObject({ events: [{ permanent: false }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 8, Type: 'SoftBounce', Email: 'a@x.test', Content: 'To: a\r\nMessage-ID: <c@h>\r\n' }, now)).toMatchObject({ events: [{ messageIds: ['<c@h>'] }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: '8', Type: 'SoftBounce', Email: 'a@x.test', Content: 'X-Message-ID: <other@h>\r\nMessage-ID:<c@h>\r\n' }, now))
      .toMatchObject({ events: [{ providerEventId: 'bounce:8', messageIds: ['<c@h>'] }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 8, Type: 'SoftBounce', Email: 'a@x.test', Content: { 'Message-ID': '<c@h>' } }, now)).toMatchObject({ events: [{ messageIds: [] }] });
    // A DSN: its own Message-ID first, ours in the returned headers; every line is tried, at most 5 (review 18, R1).
    const lines = ['<1@h>', '<2@h>', '<3@h>', '<4@h>', '<5@h>', '<6@h>'].map((id) => `Message-ID: ${id}`).join('\r\n');
    expect(parsePostmark({ RecordType: 'Bounce', ID: 8, Type: 'SoftBounce', Email: 'a@x.test', Content: `Message-ID: <dsn@mx>\r\n\r\n--b\r\nmessage-id: <c@h>\r\n` }, now)).toMatchObject({ events: [{ messageIds: ['<dsn@mx>', '<c@h>'] }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 8, Type: 'SoftBounce', Email: 'a@x.test', Content: lines }, now)).toMatchObject({ events: [{ messageIds: ['<1@h>', '<2@h>', '<3@h>', '<4@h>', '<5@h>'] }] });
    for (const type of ['AutoResponder', 'Subscribe', 'Unsubscribe', 'OpenRelayTest', 'ChallengeVerification', 'AddressChange']) {
      expect(parsePostmark({ RecordType: 'Bounce', ID: 11, Type: type, Email: 'a@x.test' }, now)).toEqual({ kind: 'ignored', what: `Bounce/${type}` });
    }
    expect(parsePostmark({ RecordType: 'Open', Type: 'SpamComplaint', ID: 12, Email: 'a@x.test' }, now)).toEqual({ kind: 'ignored', what: 'Open' });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 13, Email: 'a@x.test', Description: 'd' }, now)).toMatchObject({ events: [{ permanent: false, detail: 'd' }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 9, Type: 'BadEmailAddress', Email: 'a@x.test' }, now)).toMatchObject({ events: [{ permanent: true }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 9, Type: 'SpamComplaint', Email: 'a@x.test' }, now)).toMatchObject({ events: [{ type: 'complaint', providerEventId: 'complaint:9' }] });
    // 64-bit IDs past 2^53 round in JSON.parse: neighbours stay apart through their message's id.
    const idOf = (json: string) => { const r = parsePostmark(JSON.parse(json), now); return r?.kind === 'events' ? r.events[0]!.providerEventId : null; };
    const first = idOf('{"RecordType":"Bounce","ID":4323372036854775807,"MessageID":"m-1","Type":"HardBounce","Email":"a@x.test"}');
    const second = idOf('{"RecordType":"Bounce","ID":4323372036854775808,"MessageID":"m-2","Type":"HardBounce","Email":"a@x.test"}');
    expect(first).not.toBe(second);
    expect(parsePostmark({ RecordType: 'SpamComplaint', ID: 9, Type: 'SpamComplaint', Email: 'a@x.test' }, now)).toMatchObject({ events: [{ type: 'complaint', permanent: true }] });
    expect(parsePostmark({ RecordType: 'Bounce', ID: 10, Type: 'AutoResponder', Email: 'a@x.test' }, now)).toEqual({ kind: 'ignored', what: 'Bounce/AutoResponder' });
    expect(parsePostmark({ RecordType: 'Delivery', MessageID: 'pm-2', Recipient: 'A@x.test' }, now)).toMatchObject({ events: [{ providerEventId: 'delivery:pm-2:a@x.test', type: 'delivered', permanent: false }] });
    expect(parsePostmark({ RecordType: 'Delivery', MessageID: 5, Recipient: 'a@x.test' }, now)).toBeNull();
    expect(parsePostmark({ RecordType: 'Delivery', MessageID: '', Recipient: 'a@x.test' }, now)).toBeNull();
    expect(parsePostmark({ RecordType: 'Click' }, now)).toEqual({ kind: 'ignored', what: 'Click' });
  });
  it('refuses payloads without a record type, recipient or id', () => {
    expect(parsePostmark({ Type: 'HardBounce' }, now)).toBeNull();
    expect(parsePostmark({ RecordType: 'Bounce', ID: 1, Type: 'HardBounce' }, now)).toBeNull();
    expect(parsePostmark({ RecordType: 'Bounce', Type: 'HardBounce', Email: 'a@x.test' }, now)).toBeNull();
    expect(parsePostmark({ RecordType: 'Delivery', Recipient: 'a@x.test' }, now)).toBeNull();
    expect(parsePostmark({ RecordType: 'SpamComplaint', Email: 'a@x.test' }, now)).toBeNull();
    expect(parsePostmark(null, now)).toBeNull();
    expect(parsePostmark([], now)).toBeNull();
  });
  it('accepts the secret as the Basic password (any user) or in X-Herald-Webhook-Secret', () => {
    const b = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(postmarkAuthorized('s3cret', b('postmark:s3cret'), undefined)).toBe(true);
    expect(postmarkAuthorized('s3cret', b(':s3cret'), undefined)).toBe(true);
    expect(postmarkAuthorized('s3cret', b('u:s3cret:x'), undefined)).toBe(false);
    expect(postmarkAuthorized('s3cret', b('s3cret'), undefined)).toBe(false);
    expect(postmarkAuthorized('s3cret', 'Bearer s3cret', undefined)).toBe(false);
    expect(postmarkAuthorized('s3cret', undefined, 's3cret')).toBe(true);
    expect(postmarkAuthorized('s3cret', b('u:s3cret'), 'wrong')).toBe(false);
    expect(postmarkAuthorized('s3cret', undefined, undefined)).toBe(false);
    expect(postmarkAuthorized('s3cret', `basic  ${b('u:s3cret').slice(6)} `, undefined)).toBe(true);
    for (const bad of [`Not${b('u:s3cret')}`, `${b('u:s3cret')}!!`, `${b('u:s3cret')} extra`]) expect([bad, postmarkAuthorized('s3cret', bad, undefined)]).toEqual([bad, false]);
  });
});

describe('generic', () => {
  const secret = 'generic-secret-0123456789';
  it('verifies sha256=<hex> of the raw bytes only', () => {
    const raw = Buffer.from('{"a":1}');
    const sig = signGeneric(secret, raw);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(genericSignatureValid(secret, raw, sig)).toBe(true);
    expect(genericSignatureValid(secret, raw, sig.toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
    expect(genericSignatureValid(secret, Buffer.from('{"a": 1}'), sig)).toBe(false);
    expect(genericSignatureValid('other-secret-0123456789', raw, sig)).toBe(false);
    for (const bad of [undefined, '', sig.slice(7), `sha1=${sig.slice(7)}`, `${sig}0`, `x${sig}`, ` ${sig}`, [sig, sig]]) expect(genericSignatureValid(secret, raw, bad)).toBe(false);
  });
  it('parses an event, deriving a stable id when none is sent; complaints are permanent, deliveries never', () => {
    const event = { type: 'bounce', email: 'A@x.test', messageId: 'm@h', permanent: true, at: '2026-12-06T10:00:00Z' };
    const a = parseGeneric(event);
    const b = parseGeneric({ ...event, email: 'a@x.test' });
    expect(a).toMatchObject({ result: { events: [{ type: 'bounce', email: 'a@x.test', messageIds: ['<m@h>'], permanent: true }] } });
    expect('result' in a && 'result' in b && a.result.kind === 'events' && b.result.kind === 'events' && a.result.events[0]!.providerEventId === b.result.events[0]!.providerEventId).toBe(true);
    expect(parseGeneric({ ...event, id: 'e-1' })).toMatchObject({ result: { events: [{ providerEventId: 'e-1' }] } });
    // Any field that differs makes another event.
    const idOf = (e: object) => { const r = parseGeneric(e); return 'result' in r && r.result.kind === 'events' ? r.result.events[0]!.providerEventId : null; };
    const ids = [event, { ...event, type: 'complaint' }, { ...event, email: 'b@x.test' }, { ...event, messageId: 'n@h' }, { ...event, messageId: undefined }, { ...event, at: '2026-12-06T10:00:01Z' }].map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseGeneric({ type: 'bounce', email: 'a@x.test', at: '2026-12-06T12:00:00+02:00', detail: 'short' })).toMatchObject({ result: { events: [{ permanent: false, detail: 'short', occurredAt: new Date('2026-12-06T10:00:00Z') }] } });
    expect(parseGeneric({ ...event, type: 'complaint', permanent: false })).toMatchObject({ result: { events: [{ permanent: true }] } });
    expect(parseGeneric({ ...event, type: 'delivered' })).toMatchObject({ result: { events: [{ permanent: false }] } });
    expect(parseGeneric({ ...event, type: 'opened' })).toEqual({ error: expect.stringMatching(/^type: /) });
    expect(parseGeneric({ ...event, at: 'yesterday' })).toEqual({ error: expect.stringMatching(/^at: /) });
    expect(parseGeneric({ ...event, email: 'not an address' })).toEqual({ error: 'email: not an email address' });
    expect(parseGeneric(null)).toEqual({ error: expect.stringMatching(/^body: /) });
    expect(parseGeneric({ ...event, detail: 'x'.repeat(1001) })).toEqual({ error: expect.stringMatching(/^detail: /) });
  });
});

import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyRefusal, enhancedCode, refusesUs } from '../../src/platform/email/bounce.rules.js';
import { PermanentEmailError } from '../../src/platform/email/transport.js';

/** The shapes nodemailer 10's smtp-connection gives (_formatError): code, command, response, responseCode. */
const rcpt = (response: string) => ({ code: 'EENVELOPE', command: 'RCPT TO', response, responseCode: Number(response.slice(0, 3)) });
const allRejected = (...responses: string[]) => ({
  code: 'EENVELOPE', command: 'RCPT TO', message: "Can't send mail - all recipients were rejected", response: responses.at(-1), responseCode: Number(responses.at(-1)!.slice(0, 3)),
  rejected: responses.map((_, i) => `r${i}@x.test`), rejectedErrors: responses.map(rcpt),
});
const data = (response: string) => ({ code: 'EMESSAGE', command: 'DATA', response, responseCode: Number(response.slice(0, 3)) });

describe('classifyRefusal: about the recipient (suppress)', () => {
  it.each([
    ['550 5.1.1 <a@x.test>: Recipient address rejected: User unknown'],
    ['550 5.1.2 Host unknown'],
    ['553 5.1.3 Bad destination mailbox address syntax'],
    ['556 5.1.10 Recipient address has null MX'],
    ['551 5.1.6 User has moved'],
    ['550-5.1.1 The email account that you tried to reach does not exist.'],
    ['550 User unknown'],
    ['551 User not local'],
    ['553 Mailbox name not allowed'],
  ])('%s to RCPT TO', (response) => {
    expect(classifyRefusal(allRejected(response))).toEqual({ about: 'recipient', response });
  });

  it('5.1.1 answered after DATA (servers that check mailboxes late) still names the recipient', () => {
    expect(classifyRefusal(data('550 5.1.1 No such mailbox'))).toEqual({ about: 'recipient', response: '550 5.1.1 No such mailbox' });
  });

  it('is found through a wrapping error (PermanentEmailError with the nodemailer error as cause)', () => {
    const err = new PermanentEmailError('refused', { cause: allRejected('550 5.1.1 User unknown') });
    expect(classifyRefusal(err)).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
  });
});

describe('classifyRefusal: about the message (fail, do not suppress)', () => {
  it.each([
    ['554 5.7.1 Message rejected as spam'],
    ['550 5.7.1 Delivery not authorized, message refused'],
    ['550 5.7.26 Unauthenticated email is not accepted (DMARC)'],
    ['552 5.3.4 Message size exceeds fixed limit'],
    ['552 5.2.2 Mailbox full'],
    ['554 5.6.0 Message content rejected'],
    ['554 Transaction failed'],
    ['552 Requested mail action aborted: exceeded storage allocation'],
  ])('%s after DATA', (response) => {
    expect(classifyRefusal(data(response))).toEqual({ about: 'message', response });
  });

  it.each([['554 Transaction failed'], ['552 Too much mail data'], ['550 5.7.1 Client host rejected']])('%s to RCPT TO without a recipient code', (response) => {
    expect(classifyRefusal(allRejected(response))).toEqual({ about: 'message', response });
  });

  it('a refused MAIL FROM is about our sender, even with a 5.1.x code', () => {
    const err = { code: 'EENVELOPE', command: 'MAIL FROM', response: '553 5.1.8 Sender domain does not exist', responseCode: 553 };
    expect(classifyRefusal(err)).toEqual({ about: 'message', response: '553 5.1.8 Sender domain does not exist' });
  });

  it('a plain 550 after DATA is about the message', () => {
    expect(classifyRefusal(data('550 Rejected'))).toEqual({ about: 'message', response: '550 Rejected' });
  });
});

describe('classifyRefusal: temporary (retry, never suppress)', () => {
  it.each([
    [allRejected('450 4.1.1 Mailbox temporarily unavailable')],
    [allRejected('451 4.7.1 Greylisted, try again')],
    [data('421 4.3.0 Service shutting down')],
    [{ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }],
    [new Error('plain')],
    [null],
    ['text'],
  ])('%#', (err) => {
    expect(classifyRefusal(err)).toEqual({ about: 'temporary' });
  });

  it('a deferred recipient among refused ones makes the refusal temporary, as nodemailer reports it', () => {
    expect(classifyRefusal(allRejected('550 5.1.1 User unknown', '451 4.2.1 Try later'))).toEqual({ about: 'temporary' });
  });

  it('the recipient\'s code decides over a message-level one among several refusals', () => {
    expect(classifyRefusal(allRejected('554 Transaction failed', '550 5.1.1 User unknown'))).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
  });

  it('a responseCode without a response text is classified by the code', () => {
    expect(classifyRefusal({ command: 'RCPT TO', responseCode: 550 })).toEqual({ about: 'recipient', response: '550' });
    expect(classifyRefusal({ command: 'RCPT TO', responseCode: 451 })).toEqual({ about: 'temporary' });
    expect(classifyRefusal({ command: 'RCPT TO', response: '550 no code parsed' })).toEqual({ about: 'recipient', response: '550 no code parsed' });
  });
});

describe('classifyRefusal: the edges of the shapes', () => {
  it('with pipelining nodemailer\'s top-level reply is DATA\'s; the refused RCPT TO decides', () => {
    const err = { code: 'EENVELOPE', command: 'RCPT TO', response: '554 5.5.1 Error: no valid recipients', responseCode: 554, rejectedErrors: [rcpt('550 5.1.1 User unknown')] };
    expect(classifyRefusal(err)).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
  });

  it('a listed refusal without its command is a RCPT TO refusal', () => {
    expect(classifyRefusal({ code: 'EENVELOPE', rejectedErrors: [{ response: '550 User unknown', responseCode: 550 }] })).toEqual({ about: 'recipient', response: '550 User unknown' });
  });

  it('reply codes: 500 and 599 are permanent, 600 and codes not at the start are not', () => {
    expect(classifyRefusal({ command: 'RCPT TO', responseCode: 500 })).toEqual({ about: 'message', response: '500' });
    expect(classifyRefusal({ command: 'RCPT TO', responseCode: 599 })).toEqual({ about: 'message', response: '599' });
    expect(classifyRefusal({ command: 'RCPT TO', responseCode: 600 })).toEqual({ about: 'temporary' });
    expect(classifyRefusal({ command: 'RCPT TO', response: 'rejected: 550 User unknown' })).toEqual({ about: 'temporary' });
  });

  it('trims the answer (a raw line may keep its CRLF or leading blanks)', () => {
    expect(classifyRefusal({ command: 'RCPT TO', response: '  550 5.1.1 User unknown\r\n' })).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
    expect(classifyRefusal(data('552 5.3.4 Too big \r\n'))).toEqual({ about: 'message', response: '552 5.3.4 Too big' });
  });

  it('without a command, only the enhanced code can name the recipient', () => {
    expect(classifyRefusal({ response: '550 5.1.1 User unknown' })).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
    expect(classifyRefusal({ response: '550 Mailbox unavailable' })).toEqual({ about: 'message', response: '550 Mailbox unavailable' });
  });

  it('an enhanced code whose class contradicts the 5xx reply is not about the recipient', () => {
    expect(classifyRefusal(allRejected('550 4.1.1 odd server'))).toEqual({ about: 'message', response: '550 4.1.1 odd server' });
  });

  it('the outermost error that carries an answer is classified, at most three causes deep, a looping chain included', () => {
    const outer = (cause: unknown, fields: object = {}) => Object.assign(new Error('wrapped'), fields, { cause });
    expect(classifyRefusal(outer(allRejected('550 5.1.1 inner'), { responseCode: 554, response: '554 5.7.1 outer', command: 'DATA' }))).toEqual({ about: 'message', response: '554 5.7.1 outer' });
    expect(classifyRefusal(outer(allRejected('550 5.1.1 inner'), { response: '554 5.7.1 outer', command: 'DATA' }))).toEqual({ about: 'message', response: '554 5.7.1 outer' });
    expect(classifyRefusal(outer(allRejected('550 5.1.1 inner'), { responseCode: 554, command: 'DATA' }))).toEqual({ about: 'message', response: '554' });
    expect(classifyRefusal(outer(outer(outer(allRejected('550 5.1.1 three deep')))))).toEqual({ about: 'recipient', response: '550 5.1.1 three deep' });
    expect(classifyRefusal(outer(outer(outer(outer(allRejected('550 5.1.1 four deep'))))))).toEqual({ about: 'temporary' });
    const loop = new Error('loop') as Error & { cause?: unknown };
    loop.cause = loop;
    expect(classifyRefusal(loop)).toEqual({ about: 'temporary' });
  });
});

describe('enhancedCode', () => {
  it('reads class.subject.detail after the reply code, single and multi-line', () => {
    expect(enhancedCode('550 5.1.10 null MX')).toEqual({ klass: 5, subject: 1, detail: 10 });
    expect(enhancedCode('550-5.7.1 spam')).toEqual({ klass: 5, subject: 7, detail: 1 });
    expect(enhancedCode('  451 4.7.1 greylisted')).toEqual({ klass: 4, subject: 7, detail: 1 });
    expect(enhancedCode('550 User unknown')).toBeNull();
    expect(enhancedCode('550 5.1 short')).toBeNull();
    expect(enhancedCode('5.1.1 without a reply code')).toBeNull();
    expect(enhancedCode('550 3.1.1 not a class')).toBeNull();
    expect(enhancedCode('550 5.10.1 two-digit subject')).toEqual({ klass: 5, subject: 10, detail: 1 });
    expect(enhancedCode('rejected: 550 5.1.1 quoted later in the text')).toBeNull();
  });
});

/** The same rules over errors a real nodemailer produced against a real SMTP server (no app). */
describe('classifyRefusal over real nodemailer errors', () => {
  const replies: Record<string, { rcpt?: string; data?: string }> = {
    'gone@x.test': { rcpt: '550 5.1.1 User unknown' },
    'plain@x.test': { rcpt: '550 Mailbox unavailable' },
    'spam@x.test': { data: '554 5.7.1 Message rejected as spam' },
    'big@x.test': { data: '552 5.3.4 Message too big' },
    'later@x.test': { rcpt: '450 4.2.1 Try again later' },
  };
  const refuse = (reply: string) => Object.assign(new Error(reply.slice(4)), { responseCode: Number(reply.slice(0, 3)) });
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, hideENHANCEDSTATUSCODES: true,
    onRcptTo: (address, _s, cb) => (replies[address.address]?.rcpt ? cb(refuse(replies[address.address]!.rcpt!)) : cb()),
    onData: (stream, session, cb) => {
      stream.resume();
      stream.on('end', () => {
        const reply = replies[session.envelope.rcptTo[0]!.address]?.data;
        cb(reply ? refuse(reply) : null);
      });
    },
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failureOf = async (to: string) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({ from: 'herald@x.test', to, subject: 's', text: 't' });
      return null;
    } catch (err) {
      return err;
    } finally {
      transport.close();
    }
  };

  it('550 5.1.1 and a plain 550 to RCPT TO are the recipient; 5.7.1 and 5.3.4 after DATA the message; 450 temporary', async () => {
    expect(classifyRefusal(await failureOf('gone@x.test'))).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
    expect(classifyRefusal(await failureOf('plain@x.test'))).toEqual({ about: 'recipient', response: '550 Mailbox unavailable' });
    expect(classifyRefusal(await failureOf('spam@x.test'))).toEqual({ about: 'message', response: '554 5.7.1 Message rejected as spam' });
    expect(classifyRefusal(await failureOf('big@x.test'))).toEqual({ about: 'message', response: '552 5.3.4 Message too big' });
    expect(classifyRefusal(await failureOf('later@x.test'))).toEqual({ about: 'temporary' });
  });
});

// Review 18 (R1): refusals of herald itself at RCPT TO (test/review18/r1-sender-rejected, r1-relay-denied, r1-relay-failover end to end).
describe('classifyRefusal and refusesUs: refusals of herald itself', () => {
  it('our sender refused at RCPT TO (5.1.7/5.1.8, Postfix\'s "Sender address rejected") is about the message', () => {
    for (const response of ['553 5.1.8 <n@h>: Sender address rejected: Domain not found', '550 5.1.0 <n@h>: Sender address rejected: User unknown', '553 5.1.7 bad sender', '550 5.1.8 bad sender system']) {
      expect(classifyRefusal(allRejected(response))).toEqual({ about: 'message', response });
    }
    for (const response of ['550 5.1.6 moved', '550 5.1.9 x', '550 5.1.1 sender of the day']) expect(classifyRefusal(allRejected(response))).toEqual({ about: 'recipient', response });
  });

  it('qmail\'s trailing enhanced code decides like a leading one', () => {
    expect(classifyRefusal(rcpt('553 sorry, that domain isn\'t in my list of allowed rcpthosts (#5.7.1)')).about).toBe('message');
    expect(classifyRefusal(rcpt('550 sorry, no mailbox here by that name. (#5.1.1)')).about).toBe('recipient');
    expect(classifyRefusal(rcpt('554 sorry, no mailbox here (#5.1.1)')).about).toBe('recipient');
    expect(classifyRefusal(rcpt('550 no mailbox (#4.2.2)')).about).toBe('message');
    expect(classifyRefusal(rcpt('550 no mailbox (#5.1.1) trailing')).about).toBe('recipient');
  });

  it('a plain 550/553 refusing to relay or wanting a login is about herald, not the recipient', () => {
    for (const response of ['550 relay not permitted', '550 Relaying denied', '553 relay access denied', '550 relaying prohibited', '550 unable to relay', '550 not permitted to relay', '550 Authentication required', '553 authentication is required']) {
      expect([response, classifyRefusal(rcpt(response)).about]).toEqual([response, 'message']);
      expect([response, refusesUs(allRejected(response))]).toEqual([response, true]);
      expect([response, refusesUs({ command: 'MAIL FROM', response, responseCode: 550 })]).toEqual([response, true]);
    }
    for (const response of ['550 No such user', '550 5.1.1 <u@x>: Recipient address rejected: User unknown in relay recipient table', '550 relayed mailbox unknown', '550 5.7.1 spam']) {
      expect([response, refusesUs(allRejected(response))]).toEqual([response, false]);
    }
    // Every refused recipient must say so; no error, no answer: not about herald.
    expect(refusesUs(allRejected('550 relay not permitted', '550 5.1.1 no such user'))).toBe(false);
    expect(refusesUs(null)).toBe(false);
    expect(refusesUs({ code: 'ECONNECTION' })).toBe(false);
  });
});

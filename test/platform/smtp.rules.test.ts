import { describe, expect, it } from 'vitest';
import { classifyRefusal } from '../../src/platform/email/bounce.rules.js';
import { classifySmtpFailure } from '../../src/platform/email/circuit-breaker.rules.js';
import { isPermanentSmtpError } from '../../src/platform/email/transport.js';
import { authMechanism, dataOf, ehloKeywords, envelopeError, readReplies, smtpError } from '../../src/platform/email/smtp.rules.js';

/** Issue 21: the pure parts of herald's SMTP client (smtp.rules.ts), app-free. */
describe('readReplies', () => {
  it('reads single and multi-line replies, CRLF or bare LF, and keeps an unfinished one for the next chunk', () => {
    const first = readReplies('220 mx ready\r\n250-mx hello\r\n250-PIPELINING\r\n');
    expect(first.replies).toEqual([{ code: 220, text: '220 mx ready' }]);
    expect(first.rest).toBe('250-mx hello\r\n250-PIPELINING\r\n');
    const second = readReplies(`${first.rest}250 SIZE 1000\n354 go ahead\r\n250 2.0.0 Ok: queued as A`);
    expect(second.replies).toEqual([{ code: 250, text: '250-mx hello\n250-PIPELINING\n250 SIZE 1000' }, { code: 354, text: '354 go ahead' }]);
    expect(second.rest).toBe('250 2.0.0 Ok: queued as A');
    expect(readReplies(`${second.rest}\r\n`).replies).toEqual([{ code: 250, text: '250 2.0.0 Ok: queued as A' }]);
  });

  it('takes a bare code as a reply and a line without one as code 0', () => {
    expect(readReplies('250\r\nhello there\r\n').replies).toEqual([{ code: 250, text: '250' }, { code: 0, text: 'hello there' }]);
  });

  it('gives the same replies however the bytes are split', () => {
    const input = '220 hi\r\n250-a\r\n250-PIPELINING\r\n250 STARTTLS\r\n250 2.1.0 ok\r\n550 5.1.1 no\r\n354 go\r\n';
    const whole = readReplies(input).replies;
    for (let cut = 1; cut < input.length; cut++) {
      const a = readReplies(input.slice(0, cut));
      const b = readReplies(a.rest + input.slice(cut));
      expect([...a.replies, ...b.replies]).toEqual(whole);
      expect(b.rest).toBe('');
    }
  });
});

describe('ehloKeywords', () => {
  it('takes the first word of each line after the greeting line, upper-cased', () => {
    expect([...ehloKeywords({ code: 250, text: '250-mx.example Hello [127.0.0.1]\n250-pipelining\n250-SIZE 10485760\n250 STARTTLS' })]).toEqual(['PIPELINING', 'SIZE', 'STARTTLS']);
    expect(ehloKeywords({ code: 250, text: '250 mx.example' }).size).toBe(0);
  });
});

describe('authMechanism', () => {
  const ehlo = (...lines: string[]) => ({ code: 250, text: ['250-mx.example', ...lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`)].join('\n') });
  it('PLAIN when offered or when no AUTH is listed, else LOGIN, else none (as nodemailer orders them)', () => {
    expect(authMechanism(ehlo('PIPELINING', 'AUTH LOGIN PLAIN'))).toBe('PLAIN');
    expect(authMechanism(ehlo('AUTH=LOGIN', 'SIZE 100'))).toBe('LOGIN');
    expect(authMechanism(ehlo('auth cram-md5 login'))).toBe('LOGIN');
    expect(authMechanism(ehlo('PIPELINING'))).toBe('PLAIN');
    expect(authMechanism(ehlo('AUTH CRAM-MD5 XOAUTH2'))).toBeNull();
    expect(authMechanism(ehlo('AUTHX LOGIN'))).toBe('PLAIN');
  });
});

describe('dataOf', () => {
  it('doubles a leading dot on every line, the first included, and ends the data', () => {
    expect(dataOf('.a\r\nb\r\n.\r\n..c\r\n')).toBe('..a\r\nb\r\n..\r\n...c\r\n.\r\n');
    expect(dataOf('no dots. here\r\n')).toBe('no dots. here\r\n.\r\n');
    expect(dataOf('no final line end')).toBe('no final line end\r\n.\r\n');
  });
});

describe('errors in nodemailer\'s shape', () => {
  const reply = (text: string) => ({ code: Number(text.slice(0, 3)), text });

  it('a refused sender is the MAIL FROM command\'s, about the message', () => {
    const err = envelopeError(reply('553 5.7.1 Sender address rejected'), [reply('250 ok')])!;
    expect(err).toMatchObject({ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553 });
    expect(classifyRefusal(err)).toMatchObject({ about: 'message' });
  });

  it('every recipient refused: rejectedErrors, the temporary refusal deciding over a permanent one', () => {
    const permanent = envelopeError(reply('250 ok'), [reply('550 5.1.1 User unknown')])!;
    expect(permanent).toMatchObject({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.1.1 User unknown' });
    expect(permanent.rejectedErrors).toHaveLength(1);
    expect(isPermanentSmtpError(permanent)).toBe(true);
    expect(classifyRefusal(permanent)).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
    expect(classifySmtpFailure(permanent)).toBe('permanent');
    const mixed = envelopeError(reply('250 ok'), [reply('550 5.1.1 User unknown'), reply('450 4.2.0 Try later')])!;
    expect(mixed.responseCode).toBe(450);
    expect(isPermanentSmtpError(mixed)).toBe(false);
    expect(classifySmtpFailure(mixed)).toBe('transient');
  });

  it('one recipient accepted: no error', () => {
    expect(envelopeError(reply('250 ok'), [reply('550 no'), reply('250 ok')])).toBeNull();
  });

  it('a reply without a code carries no responseCode; no reply at all is a connection failure', () => {
    const garbage = smtpError('Message failed', 'EMESSAGE', { code: 0, text: 'garbage' }, 'DATA');
    expect(garbage).toMatchObject({ response: 'garbage', message: 'Message failed: garbage' });
    expect(garbage.responseCode).toBeUndefined();
    const cut = smtpError('Connection closed unexpectedly', 'ECONNECTION', null, 'CONN');
    expect(cut.message).toBe('Connection closed unexpectedly');
    expect(classifySmtpFailure(cut)).toBe('connection');
  });
});

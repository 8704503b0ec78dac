import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../src/platform/email/mime.js';
import type { OutgoingMail } from '../../src/platform/email/transport.js';

/** Issue 21: herald's own MIME must read back, through a real parser, as what was given. */

const base: OutgoingMail = {
  from: 'Herald <no-reply@herald.local>', to: 'ada@example.com', subject: 'Your daily digest: 5 new notifications',
  html: '<p>Hello</p>', text: 'Hello\nworld', headers: { 'List-Unsubscribe': '<https://herald.local/u?t=abc>', 'X-Herald-Digest': 'DAILY 2026-12-06' },
  messageId: '<digest.u1.2026-12-06@herald.local>',
};
const compose = (mail: Partial<OutgoingMail>) => composeMessage({ ...base, ...mail }, { date: new Date('2026-12-06T09:00:00Z'), boundary: 'b1' });

async function parse(mail: Partial<OutgoingMail>) {
  const message = compose(mail);
  if (!message) throw new Error('not composed');
  return { message, parsed: await simpleParser(message.raw) };
}

describe('composeMessage', () => {
  it('reads back: from, to, subject, message id, date, headers, both bodies; envelope from the addresses', async () => {
    const { message, parsed } = await parse({});
    expect(message.envelope).toEqual({ from: 'no-reply@herald.local', to: ['ada@example.com'] });
    expect(parsed.from?.value).toEqual([{ name: 'Herald', address: 'no-reply@herald.local' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]!.address : null).toBe('ada@example.com');
    expect(parsed.subject).toBe(base.subject);
    expect(parsed.messageId).toBe(base.messageId);
    expect(parsed.date?.toISOString()).toBe('2026-12-06T09:00:00.000Z');
    expect(parsed.headers.get('x-herald-digest')).toBe('DAILY 2026-12-06');
    expect(parsed.headers.get('mime-version')).toBe('1.0');
    expect(parsed.html).toBe('<p>Hello</p>');
    expect(parsed.text).toBe('Hello\nworld');
    expect(message.raw).not.toMatch(/[^\r]\n/);
  });

  it('encodes non-ASCII subjects, names and bodies, and long lines, so that they read back unchanged', async () => {
    const long = `<p>${'ü'.repeat(500)} ${'x'.repeat(2_000)}</p>`;
    const { message, parsed } = await parse({
      from: 'Hérald Ünïcode <no-reply@herald.local>', subject: `Ваш дайджест: 5 — ${'é'.repeat(120)}`, html: long, text: `Grüße\n${'y'.repeat(1_500)}`,
      headers: { 'X-Title': '日本語のタイトル' },
    });
    expect(parsed.subject).toBe(`Ваш дайджест: 5 — ${'é'.repeat(120)}`);
    expect(parsed.from?.value[0]).toEqual({ name: 'Hérald Ünïcode', address: 'no-reply@herald.local' });
    expect(parsed.html).toBe(long);
    expect(parsed.text).toBe(`Grüße\n${'y'.repeat(1_500)}`);
    // mailparser leaves unknown headers encoded: decode the words here.
    const words = String(parsed.headers.get('x-title')).match(/=\?UTF-8\?B\?([^?]*)\?=/g)!;
    expect(Buffer.concat(words.map((w) => Buffer.from(w.slice(10, -2), 'base64'))).toString()).toBe('日本語のタイトル');
    // Every line within SMTP's limit, and the message pure ASCII.
    expect(message.raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(/^[\x20-\x7e\r\n\t]*$/.test(message.raw)).toBe(true);
  });

  it('never lets a header value start a header of its own (CR/LF become spaces)', async () => {
    const { message, parsed } = await parse({ subject: 'Hi\r\nBcc: victim@example.com', headers: { 'X-Note': 'a\nX-Injected: 1' } });
    expect(message.raw).not.toMatch(/^Bcc:/im);
    expect(message.raw).not.toMatch(/^X-Injected:/im);
    expect(parsed.subject).toBe('Hi Bcc: victim@example.com');
  });

  it('quotes a display name with specials', async () => {
    const { parsed } = await parse({ from: '"Herald, Inc. \\"Mail\\"" <no-reply@herald.local>' });
    expect(parsed.from?.value[0]).toEqual({ name: 'Herald, Inc. "Mail"', address: 'no-reply@herald.local' });
  });

  it('leaves to nodemailer what it does not compose: non-ASCII addresses, bad header names, its own headers', () => {
    expect(compose({ to: 'josé@exämple.com' })).toBeNull();
    expect(compose({ headers: { 'Bad Name': 'x' } })).toBeNull();
    expect(compose({ headers: { 'Content-Type': 'text/plain' } })).toBeNull();
    expect(compose({ to: 'a@example.com, b@example.com' })).toBeNull();
    expect(compose({ to: 'Ada <ada@example.com>' })).not.toBeNull();
  });
});

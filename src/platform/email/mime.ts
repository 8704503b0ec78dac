import addressparser from 'nodemailer/lib/addressparser';
import type { OutgoingMail } from './transport.js';

/**
 * Our emails' MIME, built directly (issue 21). Every email herald sends has the same shape: a
 * text and an HTML alternative, a handful of headers. nodemailer's general composer (a MimeNode
 * tree, header normalisation, quoted-printable in JavaScript, two random boundaries) was about a
 * quarter of a digest worker's CPU; here a body is 7bit when it is ASCII with short lines, else
 * base64 (native), and only non-ASCII header values are encoded (RFC 2047). nodemailer still
 * does the SMTP side (pool, dot-stuffing, envelope). Anything outside that shape (a non-ASCII
 * address, an odd header name) returns null, and nodemailer composes that email as before.
 */

const ASCII = /^[\x20-\x7e]*$/;
const ASCII_TEXT = /^[\t\n\r\x20-\x7e]*$/;
/** RFC 5322 field names: printable ASCII except ':'. */
const FIELD_NAME = /^[!-9;-~]+$/;
/** Headers this module writes itself: a caller's copy would be a second one. */
const OWN = new Set(['from', 'to', 'subject', 'message-id', 'date', 'mime-version', 'content-type', 'content-transfer-encoding']);
const MAX_LINE = 998;

export interface RawMessage {
  readonly envelope: { readonly from: string; readonly to: string[] };
  readonly raw: string;
}

/** RFC 2047 encoded words (UTF-8, base64), each at most 75 characters, never splitting a character. */
function encodedWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    // 45 bytes of UTF-8 become 60 characters of base64: with "=?UTF-8?B?" and "?=" under 75.
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** A header value on one line: CR/LF become spaces (no header injection), non-ASCII is encoded. */
function headerValue(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return ASCII.test(flat) && flat.length <= MAX_LINE - 80 ? flat : encodedWords(flat);
}

/** `Name <address>` with the name quoted or encoded as it needs; null for what we do not compose. */
function mailbox(value: string): { header: string; address: string } | null {
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length !== 1 || !parsed[0]!.address) return null;
  const { name, address } = parsed[0]!;
  if (!ASCII.test(address) || /[\s<>"]/.test(address)) return null;
  if (!name) return { header: address, address };
  const shown = ASCII.test(name) ? `"${name.replace(/[\\"]/g, '\\$&')}"` : encodedWords(name);
  return { header: `${shown} <${address}>`, address };
}

/** base64 in lines of 76 characters. */
function base64Lines(content: string): string {
  const b64 = Buffer.from(content).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

/** One part: 7bit when it is ASCII text with no line past the limit, else base64. */
function part(contentType: string, content: string): string {
  const crlf = content.replace(/\r?\n|\r/g, '\r\n');
  const sevenBit = ASCII_TEXT.test(crlf) && crlf.split('\r\n').every((line) => line.length <= MAX_LINE);
  return sevenBit
    ? `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf}`
    : `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(content)}`;
}

/**
 * The message as sent (CRLF line ends), with its SMTP envelope; null when the email needs what
 * nodemailer's composer does and this one does not (the caller falls back to it).
 */
export function composeMessage(mail: OutgoingMail, options: { date: Date; boundary: string }): RawMessage | null {
  const from = mailbox(mail.from);
  const to = mailbox(mail.to);
  if (!from || !to || !/^<[\x21-\x7e]+>$/.test(mail.messageId)) return null;
  const extra: string[] = [];
  for (const [key, value] of Object.entries(mail.headers)) {
    if (!FIELD_NAME.test(key) || OWN.has(key.toLowerCase())) return null;
    extra.push(`${key}: ${headerValue(value)}`);
  }
  const boundary = `--_herald_${options.boundary}`;
  const head = [
    `From: ${from.header}`, `To: ${to.header}`, `Subject: ${headerValue(mail.subject)}`, `Message-ID: ${mail.messageId}`,
    `Date: ${options.date.toUTCString().replace(/GMT/, '+0000')}`, 'MIME-Version: 1.0', ...extra,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ].join('\r\n');
  const raw = `${head}\r\n\r\n--${boundary}\r\n${part('text/plain', mail.text)}\r\n--${boundary}\r\n${part('text/html', mail.html)}\r\n--${boundary}--\r\n`;
  return { envelope: { from: from.address, to: [to.address] }, raw };
}

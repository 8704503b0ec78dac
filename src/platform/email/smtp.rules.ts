/**
 * The pure parts of herald's own SMTP client (smtp-client.ts, issue 21): reading replies out of
 * the bytes a server sent, the EHLO keywords, dot-stuffing, and errors in the shape nodemailer
 * gives them (`code`, `command`, `response`, `responseCode`, `rejectedErrors`), which
 * bounce.rules.ts and circuit-breaker.rules.ts classify. No I/O.
 */

/** One SMTP reply: its code and its text, the lines of a multi-line reply joined by '\n' (as nodemailer's). */
export interface SmtpReply {
  readonly code: number;
  readonly text: string;
}

/** An SMTP client error: nodemailer's field names, so the classifiers treat both clients alike. */
export interface SmtpError extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  rejectedErrors?: SmtpError[];
}

/**
 * Replies out of what a server sends, chunk by chunk. A line `NNN-…` continues a reply, `NNN …` or
 * a bare `NNN` ends it; a line without a code ends it as code 0, which the client treats as a
 * protocol error. Each character is looked at once: an unfinished reply's complete lines are kept
 * as lines and only its last, unfinished line as text, so a reply that never ends costs its length,
 * not its length squared (the client drops it past MAX_REPLY, as nodemailer does).
 */
export class ReplyReader {
  private lines: string[] = [];
  private held = 0;
  private partial = '';

  /** The characters of the unfinished reply. */
  get pending(): number {
    return this.held + this.partial.length;
  }

  /** The unfinished reply as received (CRLF line ends). */
  get rest(): string {
    return this.lines.map((line) => `${line}\r\n`).join('') + this.partial;
  }

  /** The replies `text` completes. */
  push(text: string): SmtpReply[] {
    const replies: SmtpReply[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      let line = this.partial + text.slice(start, end);
      this.partial = '';
      start = end + 1;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      this.lines.push(line);
      if (/^\d{3}-/.test(line)) {
        this.held += line.length + 1;
        continue;
      }
      replies.push({ code: /^\d{3}(?: |$)/.test(line) ? Number(line.slice(0, 3)) : 0, text: this.lines.join('\n') });
      this.lines = [];
      this.held = 0;
    }
    this.partial += text.slice(start);
    return replies;
  }
}

/** The longest reply the client reads (characters; nodemailer's limit): a longer one closes the connection. */
export const MAX_REPLY = 1024 * 1024;

/** The complete replies at the start of `input` and what is left of it (a reply not yet ended). */
export function readReplies(input: string): { replies: SmtpReply[]; rest: string } {
  const reader = new ReplyReader();
  const replies = reader.push(input);
  return { replies, rest: reader.rest };
}

/** EHLO's keywords (PIPELINING, STARTTLS, SIZE …), upper-cased, from the reply's lines after the first. */
export function ehloKeywords(reply: SmtpReply): Set<string> {
  return new Set(reply.text.split('\n').slice(1).map((line) => line.slice(4).trim().split(/\s+/)[0]!.toUpperCase()).filter(Boolean));
}

/**
 * The login to use with `reply`'s AUTH mechanisms: PLAIN when offered or when none is listed (as
 * nodemailer), else LOGIN; null when the server offers only others (CRAM-MD5, XOAUTH2 …).
 */
export function authMechanism(reply: SmtpReply): 'PLAIN' | 'LOGIN' | null {
  const offered = new Set<string>();
  for (const line of reply.text.split('\n').slice(1)) {
    const m = /^\d{3}[ -]AUTH[ =](.*)$/i.exec(line);
    if (m) for (const word of m[1]!.split(/[ =]+/)) offered.add(word.toUpperCase());
  }
  offered.delete('');
  if (offered.size === 0 || offered.has('PLAIN')) return 'PLAIN';
  return offered.has('LOGIN') ? 'LOGIN' : null;
}

/**
 * The message as DATA sends it: a line starting with '.' gets a second one (RFC 5321 4.5.2), and
 * the end of data follows. `raw` has CRLF line ends (mime.ts writes nothing else).
 */
export function dataOf(raw: string): string {
  let stuffed = raw.charCodeAt(0) === 46 ? `.${raw}` : raw;
  if (stuffed.includes('\n.')) stuffed = stuffed.replace(/\n\./g, '\n..');
  return stuffed.endsWith('\r\n') ? `${stuffed}.\r\n` : `${stuffed}\r\n.\r\n`;
}

/** An error as nodemailer's `_formatError` builds it: the reply appended to the message, its code parsed. */
export function smtpError(message: string, code: string, reply: SmtpReply | null, command: string | null, cause?: unknown): SmtpError {
  const err: SmtpError = new Error(reply ? `${message}: ${reply.text}` : message, cause === undefined ? undefined : { cause });
  err.code = code;
  if (reply) {
    err.response = reply.text;
    if (reply.code > 0) err.responseCode = reply.code;
  }
  if (command) err.command = command;
  return err;
}

/**
 * The outcome of a one-sender envelope once every reply to MAIL FROM and RCPT TO is in (null: DATA
 * may go ahead). A refused sender decides; else, with no recipient accepted, the refusal is the
 * temporary one if any recipient's was temporary (as nodemailer reports it), else the last.
 */
export function envelopeError(mail: SmtpReply, rcpts: readonly SmtpReply[]): SmtpError | null {
  if (mail.code < 200 || mail.code >= 300) return smtpError('Mail command failed', 'EENVELOPE', mail, 'MAIL FROM');
  const rejected = rcpts.filter((r) => r.code < 200 || r.code >= 300);
  if (rejected.length < rcpts.length) return null;
  const rejectedErrors = rejected.map((r) => smtpError('Recipient command failed', 'EENVELOPE', r, 'RCPT TO'));
  const decisive = rejected.find((r) => r.code < 500) ?? rejected[rejected.length - 1]!;
  const err = smtpError("Can't send mail - all recipients were rejected", 'EENVELOPE', decisive, 'RCPT TO');
  err.rejectedErrors = rejectedErrors;
  return err;
}

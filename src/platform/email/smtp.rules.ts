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
 * The complete replies at the start of `input` and what is left of it (a reply not yet ended).
 * A line `NNN-…` continues a reply, `NNN …` or a bare `NNN` ends it; a line without a code ends
 * it as code 0, which the client treats as a protocol error.
 */
export function readReplies(input: string): { replies: SmtpReply[]; rest: string } {
  const replies: SmtpReply[] = [];
  let start = 0;
  // Where the reply being read began: its first lines stay in `rest` until its last line arrives.
  let replyStart = 0;
  let lines: string[] = [];
  for (;;) {
    const end = input.indexOf('\n', start);
    if (end < 0) break;
    lines.push(input.slice(start, input.charCodeAt(end - 1) === 13 ? end - 1 : end));
    start = end + 1;
    const line = lines[lines.length - 1]!;
    if (/^\d{3}-/.test(line)) continue;
    replies.push({ code: /^\d{3}(?: |$)/.test(line) ? Number(line.slice(0, 3)) : 0, text: lines.join('\n') });
    lines = [];
    replyStart = start;
  }
  return { replies, rest: input.slice(replyStart) };
}

/** EHLO's keywords (PIPELINING, STARTTLS, SIZE …), upper-cased, from the reply's lines after the first. */
export function ehloKeywords(reply: SmtpReply): Set<string> {
  return new Set(reply.text.split('\n').slice(1).map((line) => line.slice(4).trim().split(/\s+/)[0]!.toUpperCase()).filter(Boolean));
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

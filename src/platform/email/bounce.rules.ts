/**
 * What a permanent SMTP refusal is about (issue 18): the RECIPIENT's address, which must not be
 * mailed again (suppressed as a hard bounce), or the MESSAGE (policy, spam, size, a failed
 * transaction), which fails this email but says nothing against the address. Pure, over the error
 * shapes nodemailer reports (smtp-connection's _formatError: `code`, `command`, `response`,
 * `responseCode`, and for refused recipients `rejectedErrors`, one error per RCPT TO).
 *
 * Only a 5xx is considered: a 4xx is temporary and retried, never suppressed. The enhanced status
 * code (RFC 3463) decides when there is one: 5.1.x is addressing (5.1.1 no such user, 5.1.2 bad
 * domain, 5.1.10 null MX…), about the recipient unless the refused command was MAIL FROM or the
 * code is 5.1.7/5.1.8 (our sender's address, which Postfix refuses at RCPT TO: "Sender address
 * rejected", about the message whatever its code); any other class (5.7.x policy/spam, 5.3.4 and 5.2.3 size,
 * 5.2.2 mailbox full, 5.6.x content) is about the message; qmail's trailing "(#5.x.y)" counts as
 * one. Without one, a plain 550, 551 or 553 answered to RCPT TO names the recipient, unless it
 * refuses to relay or asks for authentication (about herald); 552 and 554 (storage, "transaction
 * failed") and any answer to DATA do not.
 */

export interface SmtpErrorShape {
  readonly code?: unknown;
  readonly command?: unknown;
  readonly response?: unknown;
  readonly responseCode?: unknown;
  readonly rejectedErrors?: ReadonlyArray<SmtpErrorShape>;
  readonly cause?: unknown;
}

export type Refusal =
  | { readonly about: 'recipient'; readonly response: string }
  | { readonly about: 'message'; readonly response: string | null }
  | { readonly about: 'temporary' };

const ENHANCED = /^[245]\d\d[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/;
const RECIPIENT_CODES_WITHOUT_ENHANCED = new Set([550, 551, 553]);
/** qmail puts its enhanced code last: "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)". */
const TRAILING_ENHANCED = /\(#([245])\.(\d{1,3})\.(\d{1,3})\)\s*$/;
/**
 * A relay refusing to relay for herald, or an unauthenticated client (Exim's "550 relay not
 * permitted", "550 authentication required"): every recipient gets it, none is at fault.
 */
const ABOUT_US = /\brelay(?:ing)?(?: access)? (?:not permitted|denied|not allowed|prohibited)|\b(?:not permitted|unable) to relay\b|\brcpthosts\b|\bauthentication (?:is )?required\b/i;

/** The enhanced status code of an SMTP answer ("550 5.1.1 …" → { klass: 5, subject: 1, detail: 1 }). */
export function enhancedCode(response: string): { klass: number; subject: number; detail: number } | null {
  const m = ENHANCED.exec(response.trim());
  return m ? { klass: Number(m[1]), subject: Number(m[2]), detail: Number(m[3]) } : null;
}

/** The basic reply code: `responseCode` when nodemailer parsed one, else the answer's first three digits. */
function replyCode(e: SmtpErrorShape): number | null {
  if (typeof e.responseCode === 'number') return e.responseCode;
  const m = typeof e.response === 'string' ? /^(\d{3})\b/.exec(e.response.trim()) : null;
  return m ? Number(m[1]) : null;
}

/** One SMTP answer, as the refusal of `command`. */
function classifyOne(e: SmtpErrorShape): Refusal {
  const code = replyCode(e) ?? 0;
  if (code < 500 || code >= 600) return { about: 'temporary' };
  const response = typeof e.response === 'string' ? e.response.trim() : String(code);
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : null;
  // Postfix checks the sender at RCPT TO (smtpd_delay_reject): "Sender address rejected" there is
  // about our address, like 5.1.7/5.1.8 (RFC 3463's sender codes), whatever the command.
  if (command === 'MAIL FROM' || /\bsender address rejected\b/i.test(response)) return { about: 'message', response };
  const trailing = TRAILING_ENHANCED.exec(response);
  const enhanced = enhancedCode(response) ?? (trailing ? { klass: Number(trailing[1]), subject: Number(trailing[2]), detail: Number(trailing[3]) } : null);
  if (enhanced) {
    const recipient = enhanced.klass === 5 && enhanced.subject === 1 && enhanced.detail !== 7 && enhanced.detail !== 8;
    return { about: recipient ? 'recipient' : 'message', response };
  }
  if (command === 'RCPT TO' && RECIPIENT_CODES_WITHOUT_ENHANCED.has(code) && !ABOUT_US.test(response)) return { about: 'recipient', response };
  return { about: 'message', response };
}

/**
 * Whether a 5xx refuses herald itself rather than this message or recipient: a relay that will not
 * relay for us or wants a login (ABOUT_US). Another transport may well take the message, so the
 * failover transport moves it on instead of failing it for good.
 */
export function refusesUs(err: unknown): boolean {
  const e = err as SmtpErrorShape | null;
  if (!e) return false;
  const rejected = Array.isArray(e.rejectedErrors) ? e.rejectedErrors : [];
  const responses = (rejected.length > 0 ? rejected : [e]).map((r) => (typeof r.response === 'string' ? r.response : ''));
  // "550 5.1.1 … User unknown in relay recipient table" is Postfix's dead mailbox: the recipient's.
  return responses.every((r) => ABOUT_US.test(r) && classifyOne({ command: 'RCPT TO', response: r }).about !== 'recipient');
}

/**
 * Classifies a failed hand-off of a one-recipient email (herald sends each email to one address).
 * An error wrapping nodemailer's (`cause`, e.g. PermanentEmailError) is unwrapped. When RCPT TO
 * refusals are listed, they decide: a temporary one among them makes the whole refusal temporary
 * (as nodemailer itself reports it), else the recipient's own answer is classified.
 */
export function classifyRefusal(err: unknown): Refusal {
  let e = err as SmtpErrorShape | null;
  // At most three wrappers deep (a cause chain may loop).
  for (let depth = 0; e && depth < 3 && e.responseCode === undefined && e.response === undefined && e.cause; depth++) e = e.cause as SmtpErrorShape;
  if (!e) return { about: 'temporary' };
  const rejected = Array.isArray(e.rejectedErrors) ? e.rejectedErrors : [];
  if (rejected.length > 0) {
    const each = rejected.map((r) => classifyOne({ command: 'RCPT TO', ...r }));
    const temporary = each.find((r) => r.about === 'temporary');
    if (temporary) return temporary;
    return each.find((r) => r.about === 'recipient') ?? each[0]!;
  }
  return classifyOne(e);
}

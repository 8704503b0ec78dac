import { randomUUID } from 'node:crypto';
import { refusesUs } from './bounce.rules.js';
import nodemailer, { type Transporter } from 'nodemailer';
import { composeMessage } from './mime.js';
import { SmtpClient } from './smtp-client.js';

export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Deterministic per email key, so a resend after an ambiguous crash is recognisably the same. */
  readonly messageId: string;
}

/** Who took the message and what it answered: recorded in email_log (transport, smtp_response). */
export interface HandOff {
  /** 'smtp-1', 'smtp-2'… in SMTP_URL order, or 'captured'. */
  readonly transport: string;
  /** The server's final answer (nodemailer's info.response, e.g. "250 OK: queued as …"); null when captured. */
  readonly response: string | null;
}

export interface MailTransport {
  /** 'captured' when no SMTP server is configured and the email is kept in PostgreSQL instead. */
  readonly mode: 'smtp' | 'captured';
  send(mail: OutgoingMail): Promise<HandOff>;
  close(): Promise<void>;
}

/** An SMTP refusal that retrying will not fix (5xx: bad address, rejected recipient). */
export class PermanentEmailError extends Error {}

export function isPermanentSmtpError(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string; rejectedErrors?: Array<{ responseCode?: number }> };
  // 535 to our login is about our credentials, not the recipient; a STARTTLS that failed or was
  // refused (ETLS, even a 5xx to it) is about the connection: the transport is unusable (failover, retry).
  if (e?.code === 'EAUTH' || e?.code === 'ETLS') return false;
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
  if (e?.code === 'EENVELOPE' && e.rejectedErrors?.length) return e.rejectedErrors.every((r) => (r.responseCode ?? 0) >= 500);
  return false;
}

/** What both SMTP clients are given: SMTP_URL's server, SMTP_POOL_SIZE, SMTP_TIMEOUT_MS. */
interface SmtpOptions {
  readonly maxConnections?: number;
  readonly name?: string;
  readonly timeoutMs?: number;
}

/**
 * One SMTP server of SMTP_URL. Our own MIME (mime.ts: nodemailer's composer was a quarter of a
 * digest's CPU) goes through our own pooled client (smtp-client.ts: nodemailer's client was a third
 * of what was left); nodemailer composes and sends what mime.ts does not compose, everything for a
 * server whose AUTH mechanisms our client does not speak (only CRAM-MD5, XOAUTH2 …: switched on
 * the first login, before any message went out), and everything with `?client=nodemailer`. A 5xx
 * about the message or recipient is a PermanentEmailError.
 */
export function createSmtpTransport(smtpUrl: string, options: SmtpOptions = {}): MailTransport {
  const name = options.name ?? 'smtp-1';
  const url = new URL(smtpUrl);
  if (url.searchParams.get('client') === 'nodemailer') return nodemailerTransport(url, options);
  const client = new SmtpClient({ ...serverOf(url), maxConnections: options.maxConnections ?? 10, timeoutMs: options.timeoutMs ?? 10_000 });
  let nodemailerOnly = false;
  /** close() called: nothing is handed to nodemailer any more (a pool made then would never be closed). */
  let closing = false;
  let composer: MailTransport | null = null;
  return {
    mode: 'smtp',
    async send(mail) {
      const message = nodemailerOnly ? null : composeMessage(mail, { date: new Date(), boundary: randomUUID() });
      if (!message) return (composer ??= nodemailerTransport(url, options)).send(mail);
      try {
        return { transport: name, response: await client.send(message.envelope.from, message.envelope.to, message.raw) };
      } catch (err) {
        const e = err as { unsupportedAuth?: boolean; unsent?: boolean };
        // Refused before the envelope: nodemailer (CRAM-MD5, XOAUTH2 …) takes this and every later
        // message, and those a burst had already given our client, which fail unsent when it closes.
        if (closing || !(e.unsupportedAuth || (nodemailerOnly && e.unsent))) throw permanentOrNot(err);
        nodemailerOnly = true;
        void client.close();
        return (composer ??= nodemailerTransport(url, options)).send(mail);
      }
    },
    async close() {
      closing = true;
      await Promise.all([client.close(), composer?.close()]);
    },
  };
}

/** What an SMTP_URL entry says of its server, as both clients take it (an IPv6 host without its brackets). */
function serverOf(url: URL) {
  const tls = url.searchParams.getAll('tls');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)), secure: url.protocol === 'smtps:',
    rejectUnauthorized: !tls.includes('insecure'), requireTls: tls.includes('required'),
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
  };
}

/**
 * A relay refusing to relay for herald (or wanting a login) refuses us, not the message: not
 * permanent, so the failover transport tries the next server and a lone one retries.
 */
function permanentOrNot(err: unknown): unknown {
  return isPermanentSmtpError(err) && !refusesUs(err) ? new PermanentEmailError((err as Error).message, { cause: err }) : err;
}

/**
 * Pooled nodemailer. nodemailer 10 sets TCP_NODELAY on every connection itself (Nagle cost ~40 ms
 * per message against delayed ACKs); the pool ignored the sockets an earlier getSocket patch handed
 * it, so there is nothing to patch.
 */
function nodemailerTransport(url: URL, options: SmtpOptions): MailTransport {
  // SMTP_TIMEOUT_MS bounds the connection and the greeting; an answer may take three times that.
  const timeoutMs = options.timeoutMs ?? 10_000;
  const name = options.name ?? 'smtp-1';
  const { host, port, secure, auth, rejectUnauthorized, requireTls } = serverOf(url);
  const transporter: Transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? 10,
    maxMessages: Infinity,
    host, port, secure, auth,
    tls: { rejectUnauthorized },
    requireTLS: requireTls,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
  });
  return {
    mode: 'smtp',
    async send(mail) {
      try {
        const message = composeMessage(mail, { date: new Date(), boundary: randomUUID() });
        const info = await transporter.sendMail(message ? { raw: message.raw, envelope: message.envelope, messageId: mail.messageId } : {
          from: mail.from, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text,
          headers: { ...mail.headers }, messageId: mail.messageId,
        });
        return { transport: name, response: typeof info.response === 'string' ? info.response : null };
      } catch (err) {
        throw permanentOrNot(err);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/** The embedded default: nothing leaves the machine; the email log keeps the rendered message. */
export function createCapturedTransport(): MailTransport {
  return { mode: 'captured', send: async () => ({ transport: 'captured', response: null }), close: async () => undefined };
}

import { verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * Amazon SNS's HTTP(S) delivery, as documented in "Verifying the signatures of Amazon SNS
 * messages": which fields are signed per message type, in which order, and which hash each
 * SignatureVersion uses. Pure: the certificate's key is given.
 */

export const SNS_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;

const field = z.string().max(300_000);
const envelopeSchema = z.object({
  Type: z.enum(SNS_TYPES),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(1_000),
  Message: field,
  Timestamp: z.string().min(1).max(100),
  SignatureVersion: z.string().max(10),
  Signature: z.string().min(1).max(10_000),
  SigningCertURL: z.string().min(1).max(2_000),
  Subject: z.string().max(1_000).nullish(),
  SubscribeURL: z.string().max(4_000).optional(),
  Token: z.string().max(4_000).optional(),
});
export type SnsEnvelope = z.infer<typeof envelopeSchema>;

/** The envelope, or null when the body is not an SNS message (missing fields, unknown Type). */
export function parseSnsEnvelope(body: unknown): SnsEnvelope | null {
  const parsed = envelopeSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/**
 * The string SNS signs: for each signed field present, its name, a newline, its value, a newline,
 * in this (byte) order. A Notification's Subject is signed only when the message has one.
 */
export function snsStringToSign(m: SnsEnvelope): string | null {
  const keys = m.Type === 'Notification'
    ? ['Message', 'MessageId', ...(m.Subject != null ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let out = '';
  for (const key of keys) {
    const value = (m as Record<string, unknown>)[key];
    if (typeof value !== 'string') return null; // a confirmation without its SubscribeURL/Token cannot be verified
    out += `${key}\n${value}\n`;
  }
  return out;
}

/** SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA; anything else is refused. */
export function snsHash(version: string): 'sha1' | 'sha256' | null {
  return version === '1' ? 'sha1' : version === '2' ? 'sha256' : null;
}

/** Whether the message is signed by the key (the signing certificate's) under its SignatureVersion. */
export function snsSignatureValid(m: SnsEnvelope, key: KeyObject): boolean {
  const hash = snsHash(m.SignatureVersion);
  const text = snsStringToSign(m);
  if (!hash || text === null) return false;
  try {
    return verify(hash, Buffer.from(text), key, Buffer.from(m.Signature, 'base64'));
  } catch {
    return false; // a key of another type, a malformed signature
  }
}

/**
 * An AWS region as one DNS label (us-east-1, us-gov-west-1, cn-northwest-1). Never an S3 endpoint
 * label (s3, s3-external-1, s3-accelerate, s3-us-west-2): <bucket>.s3….amazonaws.com is served
 * under Amazon's certificate for whoever owns the bucket, so sns.s3.amazonaws.com is the "sns"
 * bucket's owner, who could serve a signing certificate of their own.
 */
const REGION_LABEL = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** `host` against the allow-list, where `*` is exactly one AWS region label (sns.*.amazonaws.com). */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const labels = host.toLowerCase().split('.');
  return patterns.some((pattern) => {
    const want = pattern.split('.');
    return want.length === labels.length && want.every((w, i) => w === '*' ? REGION_LABEL.test(labels[i] ?? '') : w === labels[i]);
  });
}

/**
 * Whether herald may fetch this URL for SNS (the signing certificate, a SubscribeURL): https only,
 * no credentials in it, on an allowed host. Anything else is an attacker's URL.
 */
export function snsUrlAllowed(raw: string, patterns: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  // An IPv6 literal keeps its brackets here and matches no pattern (EMAIL_SNS_CERT_HOSTS takes names and IPv4).
  return hostAllowed(url.hostname, patterns);
}

/**
 * A signing certificate's URL: an allowed host, and the one shape SNS uses
 * (/SimpleNotificationService-<id>.pem, no query). Each other path or query on an allowed host
 * would be one more fetch and one more cache entry an anonymous sender could make herald do.
 */
export function snsCertUrlAllowed(raw: string, patterns: readonly string[]): boolean {
  if (!snsUrlAllowed(raw, patterns)) return false;
  const url = new URL(raw);
  return url.search === '' && url.hash === '' && /^\/SimpleNotificationService-[\w-]+\.pem$/.test(url.pathname);
}

/** The TopicArn allow-list: empty accepts any topic. */
export function topicAllowed(topicArn: string, allowed: readonly string[]): boolean {
  return allowed.length === 0 || allowed.includes(topicArn);
}

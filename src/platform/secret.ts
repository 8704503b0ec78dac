import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether a presented secret is the configured one. Compared as equal-length digests in constant
 * time: how long a refusal takes says nothing about how much of the secret matched, or its length.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

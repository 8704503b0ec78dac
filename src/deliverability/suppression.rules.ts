import type { SuppressionReason } from '../platform/db/schema.delivery.js';

/**
 * Addresses are compared lower-cased and trimmed: mailbox local parts are case-sensitive in
 * theory, but no provider herald mails treats them so, and the bounce a provider reports may
 * spell the address differently from the user's row. email_suppressions holds one row per
 * lower-cased address (a CHECK keeps it so).
 */
export function normalizeAddress(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Which reason stands when an address is reported again. The first report stands (a second hard
 * bounce adds nothing, a hard bounce after a complaint does not soften it), except that a
 * complaint replaces a hard bounce: a complaint is the user's own word, and it is the one an
 * admin must not lift lightly (the dashboard shows it).
 */
export function upgradedReason(existing: SuppressionReason, incoming: SuppressionReason): SuppressionReason | null {
  return existing === 'hard-bounce' && incoming === 'complaint' ? 'complaint' : null;
}

/**
 * Addresses are compared lower-cased and trimmed: mailbox local parts are case-sensitive in
 * theory, but no provider herald mails treats them so, and the bounce a provider reports may
 * spell the address differently from the user's row. email_suppressions holds one row per
 * lower-cased address (a CHECK keeps it so), and the email log's claim compares lower(to).
 */
export function normalizeAddress(email: string): string {
  return email.trim().toLowerCase();
}

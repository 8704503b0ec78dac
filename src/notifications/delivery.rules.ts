import { NOTIFICATION_TYPES, type DigestFrequency, type NotificationType } from '../platform/db/schema.js';

export interface DeliveryPreferences {
  readonly emailEnabled: boolean;
  readonly digestFrequency: DigestFrequency;
  readonly enabledTypes: readonly NotificationType[];
}

export const DEFAULT_DELIVERY_PREFERENCES: DeliveryPreferences = {
  emailEnabled: true, digestFrequency: 'IMMEDIATE', enabledTypes: NOTIFICATION_TYPES,
};

export type EmailDecision =
  | { email: true; reason: 'immediate' | 'critical' }
  | { email: false; reason: 'email-disabled' | 'never' | 'digest' | 'type-disabled' };

/**
 * JOBS.md §1.2: whether a new notification is emailed now. A critical notification (set by an
 * administrator) is always emailed; otherwise email must be on, the frequency IMMEDIATE and the
 * type enabled. DAILY/WEEKLY users get it in their digest instead.
 */
export function decideEmail(prefs: DeliveryPreferences, type: NotificationType, critical: boolean): EmailDecision {
  if (critical) return { email: true, reason: 'critical' };
  if (!prefs.emailEnabled) return { email: false, reason: 'email-disabled' };
  if (prefs.digestFrequency === 'NEVER') return { email: false, reason: 'never' };
  if (prefs.digestFrequency !== 'IMMEDIATE') return { email: false, reason: 'digest' };
  if (!prefs.enabledTypes.includes(type)) return { email: false, reason: 'type-disabled' };
  return { email: true, reason: 'immediate' };
}

import type { Executor } from '../platform/db/client.js';
import type { DigestFrequency, NotificationType } from '../platform/db/schema.js';

export class PreferencesRepository {
  constructor(private readonly db: Executor) {}

  find(userId: string) {
    return this.db.selectFrom('notification_preferences')
      .select(['user_id', 'enabled_types', 'digest_frequency', 'email_enabled', 'last_digest_sent_at', 'timezone'])
      .where('user_id', '=', userId).executeTakeFirst();
  }

  /** Writes the full row (defaults merged by the service) in one statement. */
  upsert(userId: string, prefs: { enabledTypes: NotificationType[]; digestFrequency: DigestFrequency; emailEnabled: boolean; timezone: string | null }) {
    return this.db.insertInto('notification_preferences')
      .values({ user_id: userId, enabled_types: prefs.enabledTypes, digest_frequency: prefs.digestFrequency, email_enabled: prefs.emailEnabled, timezone: prefs.timezone })
      .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({
        enabled_types: eb.ref('excluded.enabled_types'),
        digest_frequency: eb.ref('excluded.digest_frequency'),
        email_enabled: eb.ref('excluded.email_enabled'),
        timezone: eb.ref('excluded.timezone'),
        updated_at: new Date(),
      })))
      .returning(['user_id', 'enabled_types', 'digest_frequency', 'email_enabled', 'last_digest_sent_at', 'timezone'])
      .executeTakeFirstOrThrow();
  }
}

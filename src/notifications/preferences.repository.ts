import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import { NOTIFICATION_TYPES, type DigestFrequency, type NotificationType } from '../platform/db/schema.js';

const COLUMNS = ['user_id', 'enabled_types', 'digest_frequency', 'email_enabled', 'last_digest_sent_at', 'timezone', 'quiet_start', 'quiet_end'] as const;

/** The fields a preference update names; the others are left as they are in the row. */
export interface PreferencesChange {
  enabledTypes?: NotificationType[];
  digestFrequency?: DigestFrequency;
  emailEnabled?: boolean;
  timezone?: string | null;
  /** "HH:MM" local times, in the user's zone; null turns quiet hours off. */
  quietHours?: { start: string; end: string } | null;
}

export class PreferencesRepository extends Repository {
  find(userId: string) {
    return this.db.selectFrom('notification_preferences').select(COLUMNS).where('user_id', '=', userId).executeTakeFirst();
  }

  /**
   * Sets only the given columns, under the row's lock, and returns the row with the frequency it
   * had before (issue 16, point 11). The row is first made to exist with the defaults (INSERT … ON
   * CONFLICT DO NOTHING), then locked (FOR UPDATE waits for a concurrent update and reads what it
   * committed), then updated in the named columns only. So an
   * unsubscribe racing a time-zone change keeps both, and of two concurrent switches only one sees
   * the old frequency. In the caller's transaction.
   */
  async update(userId: string, change: PreferencesChange) {
    await this.db.insertInto('notification_preferences')
      .values({ user_id: userId, enabled_types: [...NOTIFICATION_TYPES] })
      .onConflict((oc) => oc.column('user_id').doNothing()).execute();
    const before = await this.db.selectFrom('notification_preferences').select('digest_frequency')
      .where('user_id', '=', userId).forUpdate().executeTakeFirstOrThrow();
    const row = await this.db.updateTable('notification_preferences')
      .set({
        ...(change.enabledTypes !== undefined ? { enabled_types: change.enabledTypes } : {}),
        ...(change.digestFrequency !== undefined ? { digest_frequency: change.digestFrequency } : {}),
        ...(change.emailEnabled !== undefined ? { email_enabled: change.emailEnabled } : {}),
        ...(change.timezone !== undefined ? { timezone: change.timezone } : {}),
        ...(change.quietHours !== undefined ? { quiet_start: change.quietHours?.start ?? null, quiet_end: change.quietHours?.end ?? null } : {}),
        updated_at: sql`now()`,
      })
      .where('user_id', '=', userId).returning(COLUMNS).executeTakeFirstOrThrow();
    return { row, previousFrequency: before.digest_frequency };
  }

  /**
   * Email off for the user a complaint names (by id, else by the lower-cased address), in one
   * statement in the caller's transaction: the row is created with the defaults and email off, or
   * updated. A user that no longer exists matches nothing (no foreign-key error to abort the
   * caller's transaction). Email off changes no digest frequency, so there is nothing to flush.
   */
  async disableEmail(target: { userId: string | null; email: string }): Promise<void> {
    await sql`
      INSERT INTO notification_preferences (user_id, enabled_types, email_enabled)
      SELECT u.id, ${[...NOTIFICATION_TYPES]}::text[], false FROM users u
      WHERE ${target.userId === null ? sql`u.email = ${target.email}` : sql`u.id = ${target.userId}::uuid`}
      ON CONFLICT (user_id) DO UPDATE SET email_enabled = false, updated_at = now()`.execute(this.db);
  }

  /** The xmax of this transaction's snapshot: every transaction below it had begun before this one read. */
  async snapshotXmax(): Promise<string> {
    return (await sql<{ until: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS until`.execute(this.db)).rows[0]!.until;
  }
}

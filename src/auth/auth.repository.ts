import { sql } from 'kysely';
import type { Executor } from '../platform/db/client.js';

export class SessionsRepository {
  constructor(private readonly db: Executor) {}

  async create(session: { userId: string; tokenHash: Buffer; expiresAt: Date; ip: string | null; userAgent: string | null }) {
    return this.db.insertInto('sessions').values({
      user_id: session.userId,
      token_hash: session.tokenHash,
      expires_at: session.expiresAt,
      ip: session.ip,
      user_agent: session.userAgent,
    }).returning('id').executeTakeFirstOrThrow();
  }

  /** The live session's user: not revoked, not expired, issued after the last password change. */
  findActive(tokenHash: Buffer) {
    return this.db.selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id as sessionId', 's.expires_at as expiresAt', 'u.id', 'u.email', 'u.name', 'u.role'])
      .where('s.token_hash', '=', tokenHash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .whereRef('s.created_at', '>=', 'u.password_changed_at')
      .executeTakeFirst();
  }

  async revoke(tokenHash: Buffer): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: sql`now()` })
      .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
  }
}

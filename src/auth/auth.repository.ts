import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';

export class SessionsRepository extends Repository {
  /**
   * A new session, made only while the user's password is still `passwordHash` (the one just
   * verified): a login that raced a password change gets nothing (undefined). FOR SHARE waits for
   * a change in progress and then sees its new hash (or, first, makes the change's revocation
   * see this session).
   */
  async create(session: { userId: string; passwordHash: string; tokenHash: Buffer; expiresAt: Date; ip: string | null; userAgent: string | null }) {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO sessions (user_id, token_hash, expires_at, ip, user_agent)
      SELECT u.id, ${session.tokenHash}::bytea, ${session.expiresAt}::timestamptz, ${session.ip}::text, ${session.userAgent}::text
        FROM users u WHERE u.id = ${session.userId} AND u.password_hash = ${session.passwordHash}
        FOR SHARE OF u
      RETURNING id`.execute(this.db);
    return rows[0];
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

  /**
   * Whether the account ever signed in from this address, as the login throttle counts addresses
   * (`addressKey`: an IPv4 address, IPv4-mapped included, or an IPv6 /64 — an owner's privacy
   * addresses rotate within their /64). The throttle spares such addresses.
   */
  async signedInFrom(email: string, key: string): Promise<boolean> {
    const sameAddress = key.endsWith('/64')
      ? sql<boolean>`(s.ip LIKE '%:%' AND s.ip::inet <<= ${key}::cidr)`
      : sql<boolean>`(s.ip = ${key} OR lower(s.ip) = ${`::ffff:${key}`})`;
    const row = await this.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id')
      .select('s.id').where('u.email', '=', email).where(sameAddress).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Of these sessions, the live ones (as findActive judges them), with their expiry. */
  async activeAmong(ids: readonly string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<{ id: string; expires_at: Date }>`
      SELECT s.id, s.expires_at FROM unnest(${[...ids]}::uuid[]) AS given(id)
        JOIN sessions s ON s.id = given.id JOIN users u ON u.id = s.user_id
       WHERE s.revoked_at IS NULL AND s.expires_at > now() AND s.created_at >= u.password_changed_at`.execute(this.db);
    return new Map(rows.map((r) => [r.id, r.expires_at]));
  }

  async revoke(tokenHash: Buffer): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: sql`now()` })
      .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
  }

  /** Revokes every live session of the user; returns them (for the other processes' caches). */
  revokeAllOf(userId: string) {
    return this.db.updateTable('sessions').set({ revoked_at: sql`now()` })
      .where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', sql<Date>`now()`)
      .returning(['id', 'token_hash']).execute();
  }
}

import { sql } from 'kysely';
import type pg from 'pg';
import { Repository } from '../platform/db/repository.js';
import type { Role } from '../platform/db/schema.js';

/** A live session and its user, as every request not served from the session cache reads it. */
export interface ActiveSession {
  readonly sessionId: string;
  readonly expiresAt: Date;
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly role: Role;
}

/**
 * The live session's user: not revoked, not expired, issued after the last password change. The
 * same text every time, so a named prepared statement: parsed and planned once per connection.
 */
export const activeSessionStatement = (tokenHash: Buffer) => ({
  name: 'herald_session_active',
  text: `SELECT s.id AS "sessionId", s.expires_at AS "expiresAt", u.id, u.email, u.name, u.role
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND s.created_at >= u.password_changed_at`,
  values: [tokenHash],
});

/**
 * The session lookup on the pg pool directly, as the inbox's hot reads (notifications/
 * inbox.repository.ts): with the session cache missing for every user not seen within
 * SESSION_CACHE_MS, it runs for many requests, and through Kysely each paid a query compile and
 * an unnamed statement's parse and plan (bench:api, issue 21). Every other statement of sessions
 * lives in SessionsRepository.
 */
export class SessionReads {
  constructor(private readonly pool: pg.Pool) {}

  async findActive(tokenHash: Buffer): Promise<ActiveSession | undefined> {
    const { rows } = await this.pool.query<ActiveSession>(activeSessionStatement(tokenHash));
    return rows[0];
  }
}

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

  /** Of these sessions, the live ones (as SessionReads.findActive judges them), with their expiry. */
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

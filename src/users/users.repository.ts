import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { Role } from '../platform/db/schema.js';

const PUBLIC = ['id', 'email', 'name', 'role'] as const;

export class UsersRepository extends Repository {
  /** Inserts unless the email is taken; null means it was. */
  async insert(user: { email: string; name: string | null; role: Role; passwordHash: string }) {
    return (await this.db.insertInto('users')
      .values({ email: user.email, name: user.name, role: user.role, password_hash: user.passwordHash })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning(PUBLIC)
      .executeTakeFirst()) ?? null;
  }

  findByEmailWithHash(email: string) {
    return this.db.selectFrom('users').select([...PUBLIC, 'password_hash']).where('email', '=', email).executeTakeFirst();
  }

  findByIdWithHash(id: string) {
    return this.db.selectFrom('users').select([...PUBLIC, 'password_hash']).where('id', '=', id).executeTakeFirst();
  }

  /** Sets a new password unless it changed since `oldHash` was read; starts a new session epoch. */
  async setPassword(id: string, oldHash: string, newHash: string): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ password_hash: newHash, password_changed_at: sql`now()` })
      .where('id', '=', id).where('password_hash', '=', oldHash).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  findById(id: string) {
    return this.db.selectFrom('users').select(PUBLIC).where('id', '=', id).executeTakeFirst();
  }

  async hasAdmin(): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').where('role', '=', 'ADMIN').limit(1).executeTakeFirst()) !== undefined;
  }
}

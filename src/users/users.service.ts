import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/password.js';
import { ConflictError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { UsersRepository } from './users.repository.js';
import type { CreateUserInput, PublicUser } from './users.schemas.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@herald.local';

export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async createUser(input: CreateUserInput): Promise<PublicUser> {
    const user = await this.users.insert({
      email: input.email,
      name: input.name ?? null,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    if (!user) throw new ConflictError('Email already in use');
    return user;
  }

  getUser(id: string): Promise<PublicUser | undefined> {
    return this.users.findById(id);
  }

  /** The user if the password matches; the same time is spent whether or not the email exists. */
  async verifyCredentials(email: string, password: string): Promise<PublicUser | null> {
    const found = await this.users.findByEmailWithHash(email);
    const ok = await verifyPassword(found?.password_hash ?? (await dummyPasswordHash()), password);
    if (!found || !ok) return null;
    return { id: found.id, email: found.email, name: found.name, role: found.role };
  }

  /**
   * The first admin, created once and never overwritten: ADMIN_EMAIL/ADMIN_PASSWORD when given,
   * else a generated password printed once. Concurrent starts race on the unique email; one wins.
   */
  async ensureFirstAdmin(config: Pick<Config, 'adminEmail' | 'adminPassword'>, log: Logger, print: (line: string) => void): Promise<void> {
    if (!config.adminEmail && (await this.users.hasAdmin())) return;
    const email = config.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    if (await this.users.findByEmailWithHash(email)) return;
    const password = config.adminPassword ?? randomBytes(12).toString('base64url');
    const created = await this.users.insert({ email, name: 'Administrator', role: 'ADMIN', passwordHash: await hashPassword(password) });
    if (!created) return;
    log.info({ email }, 'first admin created');
    if (!config.adminPassword) print(`Admin account created: ${email} / ${password}  (shown once; change it after signing in)`);
  }
}

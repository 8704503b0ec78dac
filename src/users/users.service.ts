import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Config } from '../config.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../platform/password.js';
import { ConflictError } from '../platform/errors.js';
import type { Executor } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { writeSecretFile } from '../platform/secret.js';
import type { UsersRepository } from './users.repository.js';
import type { CreateUserInput, PublicUser } from './users.schemas.js';

export interface Credentials {
  readonly user: PublicUser;
  readonly passwordHash: string;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@herald.local';
/** Where, under DATA_DIR, a generated first-admin password is written (never to a log or stdout). */
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

export interface UsersServiceDeps {
  readonly users: UsersRepository;
}

export class UsersService {
  constructor(private readonly deps: UsersServiceDeps) {}

  async createUser(input: CreateUserInput): Promise<PublicUser> {
    const user = await this.deps.users.insert({
      email: input.email,
      name: input.name ?? null,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    if (!user) throw new ConflictError('Email already in use');
    return user;
  }

  getUser(id: string): Promise<PublicUser | undefined> {
    return this.deps.users.findById(id);
  }

  /** The user if the password matches; the same time is spent whether or not the email exists. */
  async verifyCredentials(email: string, password: string): Promise<PublicUser | null> {
    return (await this.credentials(email, password))?.user ?? null;
  }

  /** As verifyCredentials, with the hash that matched (a session is made only while it is current). */
  async credentials(email: string, password: string): Promise<Credentials | null> {
    return this.checked(await this.deps.users.findByEmailWithHash(email), password);
  }

  /** The user's credentials if `password` is their current password. */
  async checkPassword(userId: string, password: string): Promise<Credentials | null> {
    return this.checked(await this.deps.users.findByIdWithHash(userId), password);
  }

  /**
   * Sets a new password (in the caller's transaction) unless it changed since `oldHash` was read;
   * every session issued before this moment stops working (`password_changed_at`). False when
   * it had changed.
   */
  setPassword(tx: Executor, userId: string, oldHash: string, newHash: string): Promise<boolean> {
    return this.deps.users.in(tx).setPassword(userId, oldHash, newHash);
  }

  private async checked(found: (PublicUser & { password_hash: string }) | undefined, password: string): Promise<Credentials | null> {
    const ok = await verifyPassword(found?.password_hash ?? (await dummyPasswordHash()), password);
    if (!found || !ok) return null;
    return { user: { id: found.id, email: found.email, name: found.name, role: found.role }, passwordHash: found.password_hash };
  }

  /**
   * The first admin, created once and never overwritten: ADMIN_EMAIL/ADMIN_PASSWORD when given,
   * else a generated password. Concurrent starts race on the unique email; one wins.
   *
   * A generated password goes to DATA_DIR/initial-admin-password (0600), never to stdout or the
   * log: under systemd, a container runtime or a log shipper, stdout is the log, kept and copied
   * for weeks. The file is written before the user exists (a disk that refuses it stops the start
   * before an admin nobody can sign in as is made) and removed again by a start that lost the race.
   * `print` gets only where to look.
   */
  async ensureFirstAdmin(config: Pick<Config, 'adminEmail' | 'adminPassword' | 'dataDir'>, log: Logger, print: (line: string) => void): Promise<void> {
    if (!config.adminEmail && (await this.deps.users.hasAdmin())) return;
    const email = config.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    if (await this.deps.users.findByEmailWithHash(email)) return;
    const password = config.adminPassword ?? randomBytes(12).toString('base64url');
    const passwordFile = config.adminPassword ? null : await writeSecretFile(config.dataDir, INITIAL_ADMIN_PASSWORD_FILE, password);
    // A start that made no admin removes its file, whether it lost the race or the insert failed
    // (a file left at the documented name would hold a password no account has).
    const discard = async () => { if (passwordFile) await rm(passwordFile, { force: true }); };
    const created = await this.deps.users.insert({ email, name: 'Administrator', role: 'ADMIN', passwordHash: await hashPassword(password) })
      .catch(async (err: unknown) => { await discard(); throw err; });
    if (!created) return void await discard();
    if (!passwordFile) return void log.info({ email }, 'first admin created (ADMIN_PASSWORD)');
    log.info({ email, passwordFile }, 'first admin created with a generated password: read it from passwordFile, sign in, change it, delete the file');
    print(`Admin account created: ${email}, its password is in ${passwordFile} (read it, sign in, change the password, delete the file)`);
  }
}

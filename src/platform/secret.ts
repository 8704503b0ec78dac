import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether a presented secret is the configured one. Compared as equal-length digests in constant
 * time: how long a refusal takes says nothing about how much of the secret matched, or its length.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Writes a secret for an operator to read once: a new file, mode 0600, created exclusively (an
 * existing file or a symlink planted at the name is never written through). When `name` is taken
 * (a file left by an earlier install, or another process on this machine) the secret goes to
 * `name-<random>` instead. Returns the path written.
 */
export async function writeSecretFile(dir: string, name: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const other = `${name}-${randomBytes(4).toString('hex')}`;
  for (const file of [name, other]) {
    const target = path.join(dir, file);
    try {
      await writeFile(target, `${content}\n`, { flag: 'wx', mode: 0o600 });
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`${path.join(dir, name)} and ${path.join(dir, other)} both exist`);
}

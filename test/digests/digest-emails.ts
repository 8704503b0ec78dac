import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { digestEmailKey } from '../../src/digests/digests.service.js';
import type { Db } from '../../src/platform/db/client.js';
import type { EmailToSend } from '../../src/platform/email/email.service.js';

/**
 * `n` new users with `items` unread notifications each, and the digest email each would get (not
 * sent): what EmailService.sendMany takes from a DigestSend, for tests that drive it by hand.
 */
export async function digestEmails(db: Db, n: number, items: number, label: string): Promise<EmailToSend[]> {
  const tag = randomUUID().slice(0, 8);
  const { rows: users } = await sql<{ id: string; email: string }>`
    INSERT INTO users (email, role, password_hash) SELECT ${tag} || '-' || g || ${`@${label}.test`}, 'VIEWER', 'x' FROM generate_series(1, ${n}) g
    RETURNING id, email`.execute(db);
  const { rows: listed } = await sql<{ id: string; user_id: string }>`
    INSERT INTO notifications (user_id, type, title, message, priority)
    SELECT u, 'LICENSE', 'Item ' || k, 'Details', 'MEDIUM' FROM unnest(${users.map((u) => u.id)}::uuid[]) u CROSS JOIN generate_series(1, ${items}) k
    RETURNING id, user_id`.execute(db);
  return users.map((u) => ({
    key: digestEmailKey(u.id, `${label}-${tag}`), kind: 'digest', notificationId: null, userId: u.id, to: u.email, subject: `Digest of ${u.email}`,
    liveNotifications: listed.filter((i) => i.user_id === u.id).map((i) => i.id), html: '<p>digest</p>', text: 'digest', headers: {},
  }));
}

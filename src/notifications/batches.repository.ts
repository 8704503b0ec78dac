import { Repository } from '../platform/db/repository.js';
import type { Role } from '../platform/db/schema.js';
import type { RecallRecord } from './broadcasts.rules.js';
import type { NotificationContent } from './notifications.schemas.js';

const COLUMNS = ['id', 'idempotency_key', 'request_hash', 'target_kind', 'target_role', 'payload', 'status', 'cursor',
  'created_count', 'skipped_count', 'created_at', 'updated_at', 'completed_at', 'recalled_at', 'recalled_by', 'recall'] as const;

/** One admin request to notify users: its idempotency key, its content and its fan-out progress. */
export class BatchesRepository extends Repository {
  /** Inserts unless the idempotency key was used before; null means it was. */
  async insert(batch: { idempotencyKey: string | null; requestHash: string; targetKind: 'users' | 'role' | 'all'; targetRole: Role | null; content: NotificationContent; createdBy: string | null }) {
    return (await this.db.insertInto('notification_batches').values({
      idempotency_key: batch.idempotencyKey,
      request_hash: batch.requestHash,
      target_kind: batch.targetKind,
      target_role: batch.targetRole,
      payload: JSON.stringify(batch.content),
      created_by: batch.createdBy,
    }).onConflict((oc) => oc.column('idempotency_key').doNothing()).returning(COLUMNS).executeTakeFirst()) ?? null;
  }

  findByKey(key: string) {
    return this.db.selectFrom('notification_batches').select(COLUMNS).where('idempotency_key', '=', key).executeTakeFirst();
  }

  find(id: string) {
    return this.db.selectFrom('notification_batches').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  /** Row-locks the batch so two runs of its job never fan out the same page. */
  findForUpdate(id: string) {
    return this.db.selectFrom('notification_batches').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Newest first, lag-tolerant (the dashboard's list of recent batches). */
  async list(limit: number, offset: number) {
    const [rows, total] = await Promise.all([
      this.readDb.selectFrom('notification_batches').select(COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      this.readDb.selectFrom('notification_batches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** Issue 19: marks the batch recalled with what the recall did (`by`: its first write), or records its settled counts. */
  async recordRecall(id: string, record: RecallRecord, by?: { adminId: string; at: Date }): Promise<void> {
    await this.db.updateTable('notification_batches').set({
      status: 'recalled', recall: JSON.stringify(record), updated_at: new Date(),
      ...(by ? { recalled_at: by.at, recalled_by: by.adminId } : {}),
    }).where('id', '=', id).execute();
  }

  async recordProgress(id: string, p: { cursor: string | null; created: number; skipped?: number; done: boolean }): Promise<void> {
    await this.db.updateTable('notification_batches').set((eb) => ({
      cursor: p.cursor,
      created_count: eb('created_count', '+', p.created),
      skipped_count: eb('skipped_count', '+', p.skipped ?? 0),
      status: p.done ? 'completed' : 'running',
      updated_at: new Date(),
      completed_at: p.done ? new Date() : null,
    })).where('id', '=', id).execute();
  }
}

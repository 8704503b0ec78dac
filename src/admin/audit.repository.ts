import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';

export interface AuditEntry {
  adminId: string;
  action: string;
  queue?: string | null;
  jobId?: string | null;
  details?: Record<string, unknown>;
}

/** Every state-changing admin call on the job system, with who and when. */
export class AuditRepository extends Repository {
  /**
   * Throws unless the audit log can be written now (one round trip to the primary). An admin's
   * change to Redis asks first: with PostgreSQL away it changes nothing, where changing Redis and
   * then failing to record it answered an error for a change that happened, unaudited. Asked
   * outside any transaction, so a change waiting for Redis holds no PostgreSQL connection.
   */
  async reachable(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async record(e: AuditEntry): Promise<void> {
    await this.db.insertInto('admin_audit').values({
      admin_id: e.adminId, action: e.action, queue: e.queue ?? null, job_id: e.jobId ?? null, details: JSON.stringify(e.details ?? {}),
    }).execute();
  }

  /** The admin list (lag-tolerant, on readDb): an action taken a moment ago may show on the next refresh. */
  list(limit: number, offset: number) {
    return this.readDb.selectFrom('admin_audit as a').leftJoin('users as u', 'u.id', 'a.admin_id')
      .select(['a.id', 'a.action', 'a.queue', 'a.job_id', 'a.details', 'a.created_at', 'a.admin_id', 'u.email as admin_email'])
      .orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(limit).offset(offset).execute();
  }

  async count(): Promise<number> {
    return Number((await this.readDb.selectFrom('admin_audit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }
}

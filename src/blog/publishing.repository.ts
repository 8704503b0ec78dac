import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { PostRow } from './blog.schemas.js';

export interface ScheduledRef {
  id: string;
  publish_at: Date;
}

/** The SQL of scheduled publication (the `blog_posts_scheduled_idx` partial index serves every read). */
export class PublishingRepository extends Repository {
  /**
   * Publishes those of `ids` that are still SCHEDULED and due, each once: rows are locked in id
   * order and the condition is checked again under the lock, so concurrent publishers (a job, a
   * duplicate job, the reconciler) cannot both win; a row another transaction holds is its to publish.
   */
  async publishDue(ids: readonly string[], now: Date): Promise<PostRow[]> {
    if (ids.length === 0) return [];
    const result = await sql<PostRow>`
      UPDATE blog_posts SET status = 'PUBLISHED', published_at = coalesce(published_at, ${now}), version = version + 1, updated_at = now()
      WHERE id IN (
        SELECT id FROM blog_posts WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'SCHEDULED' AND publish_at <= ${now}
        ORDER BY id FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(this.db);
    return result.rows;
  }

  /**
   * Claims the post's one announcement: true for the first caller in the post's life, false ever
   * after (a re-publication, a second publisher). Run in the fan-out's transaction, so the claim
   * and the fan-out commit or roll back together; the row lock serializes concurrent callers.
   */
  async claimAnnouncement(id: string): Promise<boolean> {
    const result = await this.db.updateTable('blog_posts').set({ announced_at: sql<Date>`now()` })
      .where('id', '=', id).where('announcement', '=', true).where('announced_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A page of SCHEDULED posts in publication order, after a (publish_at, id) position. */
  scheduledPage(after: ScheduledRef | null, limit: number): Promise<ScheduledRef[]> {
    return this.db.selectFrom('blog_posts').select(['id', 'publish_at']).where('status', '=', 'SCHEDULED')
      .$if(after !== null, (qb) => qb.where((eb) => eb.or([
        eb('publish_at', '>', after!.publish_at), eb.and([eb('publish_at', '=', after!.publish_at), eb('id', '>', after!.id)]),
      ])))
      .orderBy('publish_at').orderBy('id').limit(limit).execute() as Promise<ScheduledRef[]>;
  }

  /** Those of `ids` still SCHEDULED after `now`, locked (skipping any a writer holds: it decides their job). */
  lockFuture(ids: readonly string[], now: Date): Promise<ScheduledRef[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('blog_posts').select(['id', 'publish_at']).where('id', 'in', [...ids])
      .where('status', '=', 'SCHEDULED').where('publish_at', '>', now)
      .orderBy('id').forUpdate().skipLocked().execute() as Promise<ScheduledRef[]>;
  }

  async countOverdue(before: Date): Promise<number> {
    const row = await this.db.selectFrom('blog_posts').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'SCHEDULED').where('publish_at', '<', before).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listScheduled(limit: number, offset: number): Promise<{ rows: PostRow[]; total: number }> {
    const base = this.db.selectFrom('blog_posts').where('status', '=', 'SCHEDULED');
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('publish_at').orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }
}

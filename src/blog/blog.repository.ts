import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { BlogStatus } from '../platform/db/schema.js';
import type { PostRow } from './blog.schemas.js';

export interface NewPost {
  authorId: string;
  assigneeId: string | null;
  title: string;
  excerpt?: string;
  content: string;
  status?: BlogStatus;
  announcement?: boolean;
}

export type PostPatch = Partial<Omit<NewPost, 'authorId'>> & { publishAt?: Date | null };

export interface PostFilter {
  status?: BlogStatus;
  authorId?: string;
  assigneeId?: string;
  /** Non-admins: published posts and those they wrote or are assigned; undefined sees everything. */
  visibleTo?: string;
}

/** Set when a post is first published, kept when it is archived and published again. */
const publishedAt = (status: BlogStatus | undefined) => (status === 'PUBLISHED' ? sql<Date>`coalesce(published_at, now())` : undefined);

export class BlogRepository extends Repository {
  insert(post: NewPost): Promise<PostRow> {
    return this.db.insertInto('blog_posts').values({
      author_id: post.authorId, assignee_id: post.assigneeId, title: post.title, excerpt: post.excerpt, content: post.content,
      status: post.status, announcement: post.announcement, published_at: post.status === 'PUBLISHED' ? sql<Date>`now()` : null,
    }).returningAll().executeTakeFirstOrThrow();
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<PostRow | undefined> {
    return this.db.selectFrom('blog_posts').selectAll().where('id', '=', id)
      .$if(options.lock === true, (qb) => qb.forUpdate())
      .executeTakeFirst();
  }

  findMany(ids: readonly string[]): Promise<PostRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('blog_posts').selectAll().where('id', 'in', [...ids]).execute();
  }

  async list(filter: PostFilter, limit: number, offset: number): Promise<{ rows: PostRow[]; total: number }> {
    const base = this.db.selectFrom('blog_posts')
      .$if(filter.status !== undefined, (qb) => qb.where('status', '=', filter.status!))
      .$if(filter.authorId !== undefined, (qb) => qb.where('author_id', '=', filter.authorId!))
      .$if(filter.assigneeId !== undefined, (qb) => qb.where('assignee_id', '=', filter.assigneeId!))
      .$if(filter.visibleTo !== undefined, (qb) => qb.where((eb) => eb.or([
        eb('status', '=', 'PUBLISHED'), eb('author_id', '=', filter.visibleTo!), eb('assignee_id', '=', filter.visibleTo!),
      ])));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  update(id: string, patch: PostPatch): Promise<PostRow | undefined> {
    return this.db.updateTable('blog_posts').set({
      title: patch.title, excerpt: patch.excerpt, content: patch.content, status: patch.status, assignee_id: patch.assigneeId,
      announcement: patch.announcement, published_at: publishedAt(patch.status), publish_at: patch.publishAt,
      version: sql<number>`version + 1`, updated_at: sql<Date>`now()`,
    }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('blog_posts').where('id', '=', id).execute();
  }
}

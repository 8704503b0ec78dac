import { sql } from 'kysely';
import type { App } from '../../src/app.js';
import type { AssetStatus, AssetType, BlogStatus, ProjectStatus } from '../../src/platform/db/schema.js';
import { indexInTx, indexManyInTx } from '../../src/search/search.enqueue.js';

/**
 * Writes entities the way the catalog services do (row + index job in one transaction), so the
 * search tests exercise the real outbox → BullMQ → index path without depending on the REST layer.
 */
export function fixtures(app: App) {
  const db = app.database.db;
  return {
    async creator(userId: string, stageName: string, extra: { bio?: string; specialties?: string[] } = {}) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('creators').values({ user_id: userId, stage_name: stageName, bio: extra.bio, specialties: extra.specialties })
          .returning('id').executeTakeFirstOrThrow();
        await indexInTx(tx, 'creator', row.id);
        return row.id;
      });
    },
    async brand(userId: string, companyName: string) {
      return (await db.insertInto('brands').values({ user_id: userId, company_name: companyName }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async project(brandId: string, title: string, extra: { description?: string; status?: ProjectStatus } = {}) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('projects').values({ brand_id: brandId, title, ...extra }).returning('id').executeTakeFirstOrThrow();
        await indexInTx(tx, 'project', row.id);
        return row.id;
      });
    },
    async asset(creatorId: string, title: string, extra: { description?: string; type?: AssetType; tags?: string[]; status?: AssetStatus; projectId?: string } = {}) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('ip_assets').values({
          creator_id: creatorId, title, description: extra.description, type: extra.type ?? 'IMAGE', tags: extra.tags,
          status: extra.status ?? 'PUBLISHED', project_id: extra.projectId ?? null, storage_key: null, mime_type: null,
          thumbnail_url: null, preview_url: null, metadata: null,
        }).returning('id').executeTakeFirstOrThrow();
        await indexInTx(tx, 'asset', row.id);
        return row.id;
      });
    },
    async updateAsset(id: string, patch: { title?: string; description?: string; status?: AssetStatus }) {
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('ip_assets').set({ ...patch, version: sql<number>`version + 1`, updated_at: new Date() }).where('id', '=', id).execute();
        await indexInTx(tx, 'asset', id);
      });
    },
    async deleteAsset(id: string) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('ip_assets').where('id', '=', id).execute();
        await indexInTx(tx, 'asset', id);
      });
    },
    async license(assetId: string, brandId: string, terms: string) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('licenses').values({ asset_id: assetId, brand_id: brandId, terms, starts_at: new Date() }).returning('id').executeTakeFirstOrThrow();
        await indexInTx(tx, 'license', row.id);
        return row.id;
      });
    },
    async post(authorId: string, title: string, extra: { excerpt?: string; content?: string; status?: BlogStatus; assigneeId?: string } = {}) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('blog_posts').values({
          author_id: authorId, title, excerpt: extra.excerpt, content: extra.content, status: extra.status ?? 'PUBLISHED', assignee_id: extra.assigneeId ?? null,
        }).returning('id').executeTakeFirstOrThrow();
        await indexInTx(tx, 'blog_post', row.id);
        return row.id;
      });
    },
    /** A bulk import: many assets in one statement, indexed through the bulk queue. */
    async importAssets(creatorId: string, count: number, title: (i: number) => string) {
      return db.transaction().execute(async (tx) => {
        const rows = await tx.insertInto('ip_assets').values(Array.from({ length: count }, (_, i) => ({
          creator_id: creatorId, title: title(i), type: 'DOCUMENT' as const, status: 'PUBLISHED' as const,
          storage_key: null, mime_type: null, thumbnail_url: null, preview_url: null, metadata: null,
        }))).returning('id').execute();
        await indexManyInTx(tx, 'asset', rows.map((r) => r.id));
        return rows.map((r) => r.id);
      });
    },
  };
}

import { sql, type RawBuilder } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import { SEARCH_ENTITY_TYPES, type SearchEntityType } from '../platform/db/schema.js';

/** The entity table each document type is built from (its rows' existence decides deletions). */
const SOURCE_TABLE: Record<SearchEntityType, string> = {
  asset: 'ip_assets', creator: 'creators', project: 'projects', license: 'licenses', blog_post: 'blog_posts',
};

const COLUMNS = [
  'title', 'body', 'document', 'title_document', 'metadata', 'is_public', 'viewer_ids', 'parent_ids', 'status', 'asset_type', 'tags',
  'creator_id', 'project_id', 'brand_id', 'created_at', 'updated_at', 'source_version',
] as const;

export type Keys = Partial<Record<SearchEntityType, readonly string[]>>;

export interface WriteCounts {
  readonly added: number;
  readonly fixed: number;
  readonly removed: number;
}

const list = (names: readonly string[], prefix = '') => sql.raw(names.map((c) => `${prefix}${c}`).join(', '));

/**
 * Upserts the documents of `source` (a query over search_source). A row is written only when it
 * differs, and never over a document built from a newer version of its entity: a statement that
 * read an older snapshot (a reindex batch racing a realtime update) cannot undo the newer one.
 * The words of the titles written join search_vocabulary (typo tolerance, migration 0026), in
 * word order: two writers adding the same new words lock them in the same order, never a cycle.
 */
function upsert(source: RawBuilder<unknown>) {
  return sql<{ added: string; fixed: string }>`
    WITH src AS (${source}),
    up AS (
      INSERT INTO search_documents AS d (entity_type, entity_id, ${list(COLUMNS)}, indexed_at)
      SELECT entity_type, entity_id, ${list(COLUMNS)}, now() FROM src
      ON CONFLICT (entity_type, entity_id) DO UPDATE SET ${sql.raw(COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', '))}, indexed_at = now()
      WHERE d.source_version <= EXCLUDED.source_version
        AND (${list(COLUMNS, 'd.')}) IS DISTINCT FROM (${list(COLUMNS, 'EXCLUDED.')})
      RETURNING (xmax = 0) AS inserted, d.title
    ),
    words AS (
      INSERT INTO search_vocabulary (word)
      SELECT DISTINCT w FROM up, unnest(tsvector_to_array(to_tsvector('simple', up.title))) w
      WHERE length(w) <= 60 AND to_tsvector('english', w) <> ''::tsvector
      ORDER BY 1
      ON CONFLICT (word) DO NOTHING
    )
    SELECT count(*) FILTER (WHERE inserted) AS added, count(*) FILTER (WHERE NOT inserted) AS fixed FROM up`;
}

/** Every statement of the search index: realtime refreshes, bulk chunks and reindex batches. */
export class SearchIndexRepository extends Repository {
  /** Documents built from an entity (its assets, projects, licenses): they follow its changes. */
  async dependents(entityId: string): Promise<Keys> {
    const rows = await this.db.selectFrom('search_documents').select(['entity_type', 'entity_id'])
      .where(sql<boolean>`parent_ids @> ARRAY[${entityId}]::uuid[]`).execute();
    const keys: Record<string, string[]> = {};
    for (const r of rows) (keys[r.entity_type] ??= []).push(r.entity_id);
    return keys;
  }

  /** Brings the documents of `keys` in line with their entities: upserts what exists, deletes the rest. */
  async sync(keys: Keys): Promise<WriteCounts> {
    const present = SEARCH_ENTITY_TYPES.filter((t) => (keys[t]?.length ?? 0) > 0);
    if (present.length === 0) return { added: 0, fixed: 0, removed: 0 };
    // One OR per type: the planner folds the constant entity_type tests and prunes the view's branches.
    const where = sql.join(present.map((t) => sql`(entity_type = ${t} AND entity_id = ANY(${[...keys[t]!]}::uuid[]))`), sql` OR `);
    const { rows: [written] } = await upsert(sql`SELECT * FROM search_source WHERE ${where}`).execute(this.db);
    let removed = 0;
    for (const t of present) {
      const result = await sql`
        DELETE FROM search_documents d WHERE d.entity_type = ${t} AND d.entity_id = ANY(${[...keys[t]!]}::uuid[])
          AND NOT EXISTS (SELECT 1 FROM ${sql.table(SOURCE_TABLE[t])} s WHERE s.id = d.entity_id)`.execute(this.db);
      removed += Number(result.numAffectedRows ?? 0);
    }
    return { added: Number(written!.added), fixed: Number(written!.fixed), removed };
  }

  /**
   * One reindex batch: the next `limit` entities of a type after `after` (id order), upserted where
   * they drifted, and the documents in the same id range whose entity is gone deleted. `last` is
   * the cursor for the next batch, null when the type is done.
   */
  async reindexBatch(type: SearchEntityType, after: string | null, limit: number): Promise<WriteCounts & { documents: number; last: string | null }> {
    const from = after ?? '00000000-0000-0000-0000-000000000000';
    const ids = await sql<{ id: string }>`
      SELECT id FROM ${sql.table(SOURCE_TABLE[type])} WHERE id > ${from}::uuid ORDER BY id LIMIT ${limit}`.execute(this.db);
    const last = ids.rows.length === limit ? ids.rows[ids.rows.length - 1]!.id : null;
    const upto = last ? sql`AND entity_id <= ${last}::uuid` : sql``;
    const { rows: [written] } = await upsert(sql`
      SELECT * FROM search_source WHERE entity_type = ${type} AND entity_id > ${from}::uuid ${upto}`).execute(this.db);
    const after_ = after ? sql`AND d.entity_id > ${after}::uuid` : sql``;
    const uptoD = last ? sql`AND d.entity_id <= ${last}::uuid` : sql``;
    const removed = await sql`
      DELETE FROM search_documents d WHERE d.entity_type = ${type} ${after_} ${uptoD}
        AND NOT EXISTS (SELECT 1 FROM ${sql.table(SOURCE_TABLE[type])} s WHERE s.id = d.entity_id)`.execute(this.db);
    return { added: Number(written!.added), fixed: Number(written!.fixed), removed: Number(removed.numAffectedRows ?? 0), documents: ids.rows.length, last };
  }

  /** Entities per type, for a reindex's progress. */
  async sourceCounts(): Promise<Record<SearchEntityType, number>> {
    const parts = SEARCH_ENTITY_TYPES.map((t) => sql`SELECT ${t}::text AS t, count(*)::int AS n FROM ${sql.table(SOURCE_TABLE[t])}`);
    const { rows } = await sql<{ t: SearchEntityType; n: number }>`${sql.join(parts, sql` UNION ALL `)}`.execute(this.db);
    return Object.fromEntries(rows.map((r) => [r.t, r.n])) as Record<SearchEntityType, number>;
  }
}

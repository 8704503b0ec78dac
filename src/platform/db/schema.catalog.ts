import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, DefaultTimestamp, NullableTimestamp, NullableJson, Json } from './schema.columns.js';

/** Row types of the catalog (creators, brands, projects, assets, licenses, blog) and the search index, part of schema.ts. */

export const ASSET_TYPES = ['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'THREE_D', 'OTHER'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
export const ASSET_STATUSES = ['DRAFT', 'PUBLISHED', 'ARCHIVED'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];
export const SCAN_STATUSES = ['PENDING', 'SCANNING', 'CLEAN', 'INFECTED', 'ERROR'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];
export const PROJECT_STATUSES = ['DRAFT', 'ACTIVE', 'COMPLETED', 'ARCHIVED'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export const LICENSE_STATUSES = ['PENDING', 'ACTIVE', 'EXPIRED', 'TERMINATED'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];
export const BLOG_STATUSES = ['DRAFT', 'SCHEDULED', 'PUBLISHED', 'ARCHIVED'] as const;
export type BlogStatus = (typeof BLOG_STATUSES)[number];
export const SEARCH_ENTITY_TYPES = ['asset', 'creator', 'project', 'license', 'blog_post'] as const;
export type SearchEntityType = (typeof SEARCH_ENTITY_TYPES)[number];

/** Every entity row has `version`: +1 per update, so the search index never keeps an older one. */
interface Versioned {
  /** Set with sql`version + 1` on update. */
  version: ColumnType<number, never, number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CreatorsTable extends Versioned {
  id: Generated<string>;
  user_id: string;
  stage_name: string;
  bio: ColumnType<string, string | undefined, string>;
  specialties: ColumnType<string[], string[] | undefined, string[]>;
}

export interface BrandsTable extends Versioned {
  id: Generated<string>;
  user_id: string;
  company_name: string;
}

export interface ProjectsTable extends Versioned {
  id: Generated<string>;
  brand_id: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  status: ColumnType<ProjectStatus, ProjectStatus | undefined, ProjectStatus>;
}

export interface IpAssetsTable extends Versioned {
  id: Generated<string>;
  creator_id: string;
  project_id: string | null;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  type: AssetType;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<AssetStatus, AssetStatus | undefined, AssetStatus>;
  storage_key: string | null;
  mime_type: string | null;
  file_size: ColumnType<number | null, number | null | undefined, number | null>;
  scan_status: ColumnType<ScanStatus, ScanStatus | undefined, ScanStatus>;
  thumbnail_url: string | null;
  preview_url: string | null;
  metadata: NullableJson;
}

export interface LicensesTable extends Versioned {
  id: Generated<string>;
  asset_id: string;
  brand_id: string;
  status: ColumnType<LicenseStatus, LicenseStatus | undefined, LicenseStatus>;
  terms: ColumnType<string, string | undefined, string>;
  starts_at: Timestamp;
  ends_at: NullableTimestamp;
}

export interface BlogPostsTable extends Versioned {
  id: Generated<string>;
  author_id: string;
  assignee_id: string | null;
  title: string;
  excerpt: ColumnType<string, string | undefined, string>;
  content: ColumnType<string, string | undefined, string>;
  status: ColumnType<BlogStatus, BlogStatus | undefined, BlogStatus>;
  announcement: ColumnType<boolean, boolean | undefined, boolean>;
  publish_at: NullableTimestamp;
  published_at: NullableTimestamp;
  /** When the post's one announcement went out (migration 0010); null: never announced. */
  announced_at: NullableTimestamp;
}

export interface SearchDocumentsTable {
  entity_type: SearchEntityType;
  entity_id: string;
  title: string;
  body: string;
  document: string;
  title_document: string;
  metadata: Json;
  is_public: boolean;
  viewer_ids: string[];
  parent_ids: string[];
  status: string;
  asset_type: AssetType | null;
  tags: string[];
  creator_id: string | null;
  project_id: string | null;
  brand_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  source_version: number;
  indexed_at: DefaultTimestamp;
}

export interface SearchReindexRunsTable {
  id: Generated<string>;
  trigger: string;
  status: ColumnType<'RUNNING' | 'COMPLETED' | 'FAILED', 'RUNNING' | 'COMPLETED' | 'FAILED' | undefined, 'RUNNING' | 'COMPLETED' | 'FAILED'>;
  documents: ColumnType<number, number | undefined, number>;
  added: ColumnType<number, number | undefined, number>;
  fixed: ColumnType<number, number | undefined, number>;
  removed: ColumnType<number, number | undefined, number>;
  error: string | null;
  started_at: DefaultTimestamp;
  completed_at: NullableTimestamp;
}

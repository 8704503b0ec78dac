import type { Selectable } from 'kysely';
import type {
  AssetStatus, AssetType, BrandsTable, CreatorsTable, IpAssetsTable, LicensesTable, LicenseStatus, ProjectsTable, ProjectStatus, ScanStatus,
} from '../platform/db/schema.js';
import type { AuthUser } from '../platform/http/auth.js';
import { toIso } from '../platform/http/reply.js';

/** Who is asking: the signed-in user's id and role. */
export type Actor = Pick<AuthUser, 'id' | 'role'>;
export const isAdmin = (actor: Actor) => actor.role === 'ADMIN';

export type CreatorRow = Selectable<CreatorsTable>;
export type BrandRow = Selectable<BrandsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type AssetRow = Selectable<IpAssetsTable>;
export type LicenseRow = Selectable<LicensesTable>;

/** Statuses everyone may see; the others only the owner and admins. */
export const PUBLIC_ASSET_STATUSES: readonly AssetStatus[] = ['PUBLISHED'];
export const PUBLIC_PROJECT_STATUSES: readonly ProjectStatus[] = ['ACTIVE', 'COMPLETED'];

const iso = (value: Date) => toIso(value)!;

export interface CreatorView {
  id: string; userId: string; stageName: string; bio: string; specialties: string[]; version: number; createdAt: string; updatedAt: string;
}
export const creatorView = (r: CreatorRow): CreatorView => ({
  id: r.id, userId: r.user_id, stageName: r.stage_name, bio: r.bio, specialties: r.specialties,
  version: Number(r.version), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
});

export interface BrandView { id: string; userId: string; companyName: string; version: number; createdAt: string; updatedAt: string }
export const brandView = (r: BrandRow): BrandView => ({
  id: r.id, userId: r.user_id, companyName: r.company_name, version: Number(r.version), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
});

export interface ProjectView {
  id: string; brandId: string; title: string; description: string; status: ProjectStatus; version: number; createdAt: string; updatedAt: string;
}
export const projectView = (r: ProjectRow): ProjectView => ({
  id: r.id, brandId: r.brand_id, title: r.title, description: r.description, status: r.status,
  version: Number(r.version), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
});

export interface AssetView {
  id: string; creatorId: string; projectId: string | null; title: string; description: string; type: AssetType; tags: string[];
  status: AssetStatus; storageKey: string | null; mimeType: string | null; fileSize: number | null; scanStatus: ScanStatus;
  thumbnailUrl: string | null; previewUrl: string | null; metadata: Record<string, unknown> | null; version: number;
  createdAt: string; updatedAt: string;
}
export const assetView = (r: AssetRow): AssetView => ({
  id: r.id, creatorId: r.creator_id, projectId: r.project_id, title: r.title, description: r.description, type: r.type, tags: r.tags,
  status: r.status, storageKey: r.storage_key, mimeType: r.mime_type, fileSize: r.file_size === null ? null : Number(r.file_size),
  scanStatus: r.scan_status, thumbnailUrl: r.thumbnail_url, previewUrl: r.preview_url,
  metadata: (r.metadata as Record<string, unknown> | null) ?? null, version: Number(r.version), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
});

export interface LicenseView {
  id: string; assetId: string; brandId: string; status: LicenseStatus; terms: string; startsAt: string; endsAt: string | null;
  version: number; createdAt: string; updatedAt: string;
}
export const licenseView = (r: LicenseRow): LicenseView => ({
  id: r.id, assetId: r.asset_id, brandId: r.brand_id, status: r.status, terms: r.terms, startsAt: iso(r.starts_at), endsAt: toIso(r.ends_at),
  version: Number(r.version), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
});

/** A JSON merge patch of a metadata object, split for SQL: keys to set and keys (set to null) to remove. */
export function splitMetadataPatch(patch: Record<string, unknown>): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) remove.push(key);
    else set[key] = value;
  }
  return { set, remove };
}

export interface Page<T> { items: T[]; total: number }
export const offsetOf = (query: { page: number; pageSize: number }) => (query.page - 1) * query.pageSize;

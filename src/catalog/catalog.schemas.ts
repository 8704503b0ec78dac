import { z } from 'zod';
import { ASSET_STATUSES, ASSET_TYPES, LICENSE_STATUSES, PROJECT_STATUSES } from '../platform/db/schema.js';
import { paginationQuery } from '../platform/http/validation.js';

/** Bounds of every field, in one place (also used by the seed and the tests). */
export const LIMITS = {
  name: 200, stageName: 100, bio: 5_000, description: 10_000, terms: 20_000,
  tag: 50, tags: 30, metadataBytes: 16_384, metadataKeys: 100, bulkAssets: 1_000,
} as const;

/**
 * Ids are opaque: a malformed one is an id that matches nothing (404 for references, an empty
 * list for filters), so schemas bound their length only and services check the format.
 */
const id = z.string().max(100);
const title = z.string().trim().min(1).max(LIMITS.name);
const text = (max: number) => z.string().trim().max(max);

/** Trimmed, lowercased, inner whitespace collapsed, deduplicated in first-seen order. */
export const normalizeTags = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.trim().toLowerCase().replace(/\s+/g, ' ')))];
const tags = z.array(z.string().trim().min(1).max(LIMITS.tag)).max(LIMITS.tags).transform(normalizeTags);

/** Written by the preview jobs (API.md's IpAsset.metadata); clients may read them, not set them. */
export const SYSTEM_METADATA_KEYS = ['previewGenerated', 'previewGeneratedAt', 'previewError', 'previewLastAttempt', 'previewSize', 'previewDuration'] as const;
const metadata = z.record(z.string().min(1).max(100), z.unknown())
  .refine((value) => Object.keys(value).length <= LIMITS.metadataKeys, `must have at most ${LIMITS.metadataKeys} keys`)
  .refine((value) => JSON.stringify(value).length <= LIMITS.metadataBytes, 'must serialise to at most 16 KiB')
  .refine((value) => !SYSTEM_METADATA_KEYS.some((key) => key in value), `must not set system keys (${SYSTEM_METADATA_KEYS.join(', ')})`);

const timestamp = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/** A PATCH must change something. */
const nonEmpty = <T extends object>(value: T) => Object.keys(value).length > 0;
const NON_EMPTY = { message: 'at least one field is required' };

export const createCreatorBody = z.strictObject({
  stageName: title.max(LIMITS.stageName),
  bio: text(LIMITS.bio).optional(),
  specialties: tags.optional(),
  userId: id.optional(),
});
export const updateCreatorBody = z.strictObject({
  stageName: title.max(LIMITS.stageName).optional(),
  bio: text(LIMITS.bio).optional(),
  specialties: tags.optional(),
}).refine(nonEmpty, NON_EMPTY);

export const createBrandBody = z.strictObject({ companyName: title, userId: id.optional() });
export const updateBrandBody = z.strictObject({ companyName: title.optional() }).refine(nonEmpty, NON_EMPTY);

export const createProjectBody = z.strictObject({
  title,
  description: text(LIMITS.description).optional(),
  status: z.enum(PROJECT_STATUSES).optional(),
  brandId: id.optional(),
});
export const updateProjectBody = z.strictObject({
  title: title.optional(),
  description: text(LIMITS.description).optional(),
  status: z.enum(PROJECT_STATUSES).optional(),
}).refine(nonEmpty, NON_EMPTY);

export const createAssetBody = z.strictObject({
  title,
  description: text(LIMITS.description).optional(),
  type: z.enum(ASSET_TYPES),
  tags: tags.optional(),
  projectId: id.optional(),
  status: z.enum(ASSET_STATUSES).optional(),
  metadata: metadata.optional(),
  creatorId: id.optional(),
});
export const bulkAssetsBody = z.strictObject({ assets: z.array(createAssetBody).min(1).max(LIMITS.bulkAssets) });
/** `metadata` is merged into the stored object; a key set to null is removed (JSON merge patch). */
export const updateAssetBody = z.strictObject({
  title: title.optional(),
  description: text(LIMITS.description).optional(),
  type: z.enum(ASSET_TYPES).optional(),
  tags: tags.optional(),
  projectId: id.nullable().optional(),
  status: z.enum(ASSET_STATUSES).optional(),
  metadata: metadata.optional(),
}).refine(nonEmpty, NON_EMPTY);

const endsAfterStart = (body: { startsAt?: Date; endsAt?: Date | null }) => !body.startsAt || !body.endsAt || body.endsAt > body.startsAt;
const ENDS_AFTER_START = { message: 'must be after startsAt', path: ['endsAt'] };
export const createLicenseBody = z.strictObject({
  assetId: id,
  brandId: id.optional(),
  terms: text(LIMITS.terms).optional(),
  startsAt: timestamp,
  endsAt: timestamp.nullable().optional(),
  status: z.enum(LICENSE_STATUSES).optional(),
}).refine(endsAfterStart, ENDS_AFTER_START);
export const updateLicenseBody = z.strictObject({
  terms: text(LIMITS.terms).optional(),
  startsAt: timestamp.optional(),
  endsAt: timestamp.nullable().optional(),
  status: z.enum(LICENSE_STATUSES).optional(),
}).refine(nonEmpty, NON_EMPTY).refine(endsAfterStart, ENDS_AFTER_START);

/** Filters take ids as opaque strings: a malformed one matches nothing. */
const filterId = z.string().max(100).optional();
export const listCreatorsQuery = z.object({ ...paginationQuery(20), userId: filterId, specialty: z.string().trim().toLowerCase().max(LIMITS.tag).optional() });
export const listBrandsQuery = z.object({ ...paginationQuery(20), userId: filterId });
export const listProjectsQuery = z.object({ ...paginationQuery(20), brandId: filterId, status: z.enum(PROJECT_STATUSES).optional() });
export const listAssetsQuery = z.object({
  ...paginationQuery(20), creatorId: filterId, projectId: filterId, type: z.enum(ASSET_TYPES).optional(),
  status: z.enum(ASSET_STATUSES).optional(), tag: z.string().trim().toLowerCase().max(LIMITS.tag).optional(),
});
export const listLicensesQuery = z.object({ ...paginationQuery(20), assetId: filterId, brandId: filterId, status: z.enum(LICENSE_STATUSES).optional() });

export type CreateCreatorInput = z.output<typeof createCreatorBody>;
export type UpdateCreatorInput = z.output<typeof updateCreatorBody>;
export type CreateBrandInput = z.output<typeof createBrandBody>;
export type UpdateBrandInput = z.output<typeof updateBrandBody>;
export type CreateProjectInput = z.output<typeof createProjectBody>;
export type UpdateProjectInput = z.output<typeof updateProjectBody>;
export type CreateAssetInput = z.output<typeof createAssetBody>;
export type UpdateAssetInput = z.output<typeof updateAssetBody>;
export type CreateLicenseInput = z.output<typeof createLicenseBody>;
export type UpdateLicenseInput = z.output<typeof updateLicenseBody>;
export type ListCreatorsQuery = z.output<typeof listCreatorsQuery>;
export type ListBrandsQuery = z.output<typeof listBrandsQuery>;
export type ListProjectsQuery = z.output<typeof listProjectsQuery>;
export type ListAssetsQuery = z.output<typeof listAssetsQuery>;
export type ListLicensesQuery = z.output<typeof listLicensesQuery>;

import { z } from 'zod';
import type { AssetView, BrandView, CreatorView, LicenseView, ProjectView } from './catalog.views.js';
import { ASSET_STATUSES, ASSET_TYPES, LICENSE_STATUSES, PROJECT_STATUSES, SCAN_STATUSES } from '../platform/db/schema.js';
import { isoTimestamp, type Same } from '../platform/http/route-doc.js';

/** Response shapes of the catalog (creators, brands, projects, assets, licenses), for OpenAPI and the client. */

const stamps = { version: z.number().int().describe('increases with every change'), createdAt: isoTimestamp, updatedAt: isoTimestamp };

export const creatorSchema = z.object({
  id: z.string(), userId: z.string(), stageName: z.string(), bio: z.string(), specialties: z.array(z.string()), ...stamps,
}).meta({ id: 'Creator' });

export const brandSchema = z.object({ id: z.string(), userId: z.string(), companyName: z.string(), ...stamps }).meta({ id: 'Brand' });

export const projectSchema = z.object({
  id: z.string(), brandId: z.string(), title: z.string(), description: z.string(), status: z.enum(PROJECT_STATUSES), ...stamps,
}).meta({ id: 'Project' });

export const assetSchema = z.object({
  id: z.string(), creatorId: z.string(), projectId: z.string().nullable(), title: z.string(), description: z.string(),
  type: z.enum(ASSET_TYPES).meta({ id: 'AssetType' }), tags: z.array(z.string()), status: z.enum(ASSET_STATUSES), storageKey: z.string().nullable(),
  mimeType: z.string().nullable(), fileSize: z.number().int().nullable(), scanStatus: z.enum(SCAN_STATUSES), thumbnailUrl: z.string().nullable(),
  previewUrl: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable().describe('previewGenerated, previewGeneratedAt, previewError, previewLastAttempt, previewSize, previewDuration are set by the preview jobs'),
  ...stamps,
}).meta({ id: 'IpAsset' });

export const licenseSchema = z.object({
  id: z.string(), assetId: z.string(), brandId: z.string(), status: z.enum(LICENSE_STATUSES), terms: z.string(), startsAt: isoTimestamp,
  endsAt: isoTimestamp.nullable(), ...stamps,
}).meta({ id: 'License' });

const _creator: Same<z.output<typeof creatorSchema>, CreatorView> = true;
const _brand: Same<z.output<typeof brandSchema>, BrandView> = true;
const _project: Same<z.output<typeof projectSchema>, ProjectView> = true;
const _asset: Same<z.output<typeof assetSchema>, AssetView> = true;
const _license: Same<z.output<typeof licenseSchema>, LicenseView> = true;

import { z } from 'zod';
import type { MissingPreview, PreviewsAdminService } from './previews-admin.service.js';
import { isoTimestamp, okBody, pageBody, type Same } from '../platform/http/route-doc.js';

/** Response shapes of the media API (files, thumbnails, previews and their admin re-runs). */

export const missingPreviewSchema = z.object({
  assetId: z.string(), title: z.string(), type: z.string(), scanStatus: z.string(), previewError: z.string().nullable(),
  previewLastAttempt: isoTimestamp.nullable(), updatedAt: isoTimestamp,
}).meta({ id: 'MissingPreview' });
export const missingPreviewsPage = pageBody(missingPreviewSchema);
export const previewRunBody = okBody(z.union([z.object({ jobId: z.string() }), z.object({ queued: z.number().int() })]));

/** The multipart body of an upload: one file part. */
export const uploadBody = z.object({ file: z.string().meta({ format: 'binary' }).describe('the file (one part)') });
export const fileResponse = z.string().describe('the bytes (Range, ETag and If-None-Match supported)');

type Run = Awaited<ReturnType<PreviewsAdminService['runOne']>> | Awaited<ReturnType<PreviewsAdminService['runMissing']>>;
const _missing: Same<z.output<typeof missingPreviewSchema>, MissingPreview> = true;
const _run: Same<z.output<typeof previewRunBody>['data'], Run> = true;

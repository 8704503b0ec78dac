import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { assetSchema } from '../catalog/index.js';
import { AppError, InvalidError } from '../platform/errors.js';
import type { AuthUser } from '../platform/http/auth.js';
import { ok, paginated } from '../platform/http/reply.js';
import { okBody, type RouteDoc } from '../platform/http/route-doc.js';
import { INVALID_BODY, paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import { ObjectTooLargeError } from '../platform/storage/storage.js';
import { DEFAULT_THUMBNAIL_WIDTH } from './media.files.js';
import { attachmentDisposition, cacheControl, notModified, parseRange, rangeStillValid } from './media.http.js';
import { fileResponse, missingPreviewsPage, previewRunBody, uploadBody } from './media.responses.js';
import type { MediaService, ServedFile } from './media.service.js';
import type { PreviewsAdminService } from './previews-admin.service.js';

type Req = FastifyRequest<{ Params: { id: string } }>;
/** A file the caller may read, with its stored size (MediaService.size: a missing object is a 404). */
interface Found {
  readonly file: ServedFile;
  readonly size: number;
}
const USER = { config: { access: 'user' as const } };
const ADMIN = { config: { access: 'admin' as const, rateLimit: 'admin.jobs' as const } };
// Multipart boundaries and part headers around the file; a body larger than the limit plus this is refused unread.
const MULTIPART_SLACK = 64 * 1024;
const BROKEN_UPLOAD = /Unexpected end of|Malformed|terminated early|Premature close|aborted/i;

const versionQuery = z.object({ v: z.string().max(64).optional() });
const thumbnailQuery = versionQuery.extend({ size: z.enum(['200', '400', '800']).optional() });
const runBody = z.union([z.strictObject({ assetId: z.string().min(1).max(100) }), z.strictObject({ missing: z.literal(true) })]);
const missingQuery = z.object(paginationQuery(20));
const doc = <C extends object>(base: { config: C }, summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>, tags = ['media']) =>
  ({ config: { ...base.config, openapi: { summary, tags, ...rest } } });
const FILE = { contentType: 'application/octet-stream', response: fileResponse, errors: { 416: 'Range not satisfiable' } };

export interface MediaRoutesDeps {
  readonly media: MediaService;
  readonly previews: PreviewsAdminService;
}

export function mediaRoutes(app: Http, deps: MediaRoutesDeps): void {
  const { media, previews } = deps;

  // multipart/form-data is parsed for this route only; every other route stays JSON-only.
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fields: 20, parts: 25 } });
    scope.post('/api/assets/:id/file', doc(USER, 'Upload an asset\'s file (multipart, one file part)', {
      body: uploadBody, bodyContentType: 'multipart/form-data', response: okBody(assetSchema),
      description: 'The asset\'s creator or an admin. Typed by its bytes; then scanned, thumbnailed and previewed by jobs.',
      errors: { 413: 'Request body too large', 415: 'the file is not of the asset\'s type' },
    }), async (request: Req, reply) => {
      const actor = request.user!;
      const max = media.uploadMaxBytes;
      try {
        const asset = await media.uploadTarget(actor, request.params.id);
        if (Number(request.headers['content-length']) > max + MULTIPART_SLACK) throw new ObjectTooLargeError(max);
        if (!request.isMultipart()) {
          throw new InvalidError(INVALID_BODY, [{ code: 'invalid_content_type', path: [], message: 'Send the file as multipart/form-data' }]);
        }
        // One byte over the limit reaches storage, whose counter refuses it (busboy alone would silently truncate).
        const part = await request.file({ limits: { fileSize: max + 1, files: 1 } });
        if (!part) throw new InvalidError(INVALID_BODY, [{ code: 'missing_file', path: ['file'], message: 'A file part is required' }]);
        return ok(await media.upload(actor, asset, part.file, part.filename));
      } catch (err) {
        // The rest of a refused body is not read: the connection closes instead of draining it.
        if (!request.raw.readableEnded) void reply.header('connection', 'close');
        throw uploadError(err, max);
      }
    });
  });

  // The original and the preview are found (or are a 404) before their query is validated, as they
  // were when the handler parsed it: a bad `v` is a 400 only for a file the caller may read.
  const found = new WeakMap<FastifyRequest, Found>();
  const foundFirst = (find: (actor: AuthUser, id: string) => Promise<ServedFile>) => async (request: FastifyRequest) => {
    const file = await find(request.user!, idOf(request));
    found.set(request, { file, size: await media.size(file) });
  };
  const foundOf = (request: FastifyRequest) => found.get(request)!;

  app.get('/api/assets/:id/file', {
    schema: { querystring: versionQuery }, preValidation: foundFirst((actor, id) => media.original(actor, id)), ...doc(USER, 'Download the original file (owner and admins)', FILE),
  }, async (request, reply) => sendFile(request, reply, media, foundOf(request), { inline: false, v: request.query.v }));

  app.get('/api/assets/:id/thumbnail', { schema: { querystring: thumbnailQuery }, ...doc(USER, 'A WebP thumbnail (200, 400 or 800 px wide)', FILE) }, async (request, reply) => {
    const width = request.query.size ? (Number(request.query.size) as 200 | 400 | 800) : DEFAULT_THUMBNAIL_WIDTH;
    const file = await media.thumbnail(request.user!, idOf(request), width);
    return sendFile(request, reply, media, { file, size: await media.size(file) }, { inline: true, v: request.query.v });
  });

  app.get('/api/assets/:id/preview', {
    schema: { querystring: versionQuery }, preValidation: foundFirst((actor, id) => media.preview(actor, id)), ...doc(USER, 'The preview clip (video 10 s, audio 30 s)', FILE),
  }, async (request, reply) => sendFile(request, reply, media, foundOf(request), { inline: true, v: request.query.v }));

  app.get('/api/admin/jobs/previews', { schema: { querystring: missingQuery }, ...doc(ADMIN, 'Video and audio assets missing a preview', { response: missingPreviewsPage }, ['admin', 'media']) }, async (request) => {
    const q = request.query;
    const { items, total } = await previews.missing(q.page, q.pageSize);
    return paginated(items, q.page, q.pageSize, total);
  });

  app.post('/api/admin/jobs/previews/run', { schema: { body: runBody }, ...doc(ADMIN, 'Re-run the preview of one asset, or of every one missing', { response: previewRunBody, status: 202 }, ['admin', 'media']) }, async (request, reply) => {
    const { body } = request;
    const adminId = request.user!.id;
    const data = 'assetId' in body ? await previews.runOne(adminId, body.assetId) : await previews.runMissing(adminId);
    return reply.status(202).send(ok(data));
  });
}

function uploadError(err: unknown, max: number): unknown {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return new ObjectTooLargeError(max);
  if (e.code?.startsWith('FST_') || BROKEN_UPLOAD.test(e.message ?? '')) {
    return new InvalidError('The upload was incomplete or malformed.', [{ code: 'invalid_multipart', path: [], message: e.message ?? 'unreadable multipart body' }]);
  }
  return err;
}

/** The `:id` of an asset route (opaque: a malformed one is an asset that does not exist). */
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/**
 * One file with Range (single ranges), ETag/If-None-Match/If-Range and cache headers. `v` is the
 * URL's version (the validated query's): the current one may be cached for good.
 */
async function sendFile(request: FastifyRequest, reply: FastifyReply, media: MediaService, found: Found, shown: { inline: boolean; v: string | undefined }) {
  const { file, size } = found;
  const { inline, v } = shown;
  void reply.headers({
    'accept-ranges': 'bytes', etag: file.etag, 'cache-control': cacheControl(v, file.version),
    // Served from the API's origin: whatever the bytes are, a browser must not run them.
    'content-security-policy': "default-src 'none'; sandbox",
    'content-disposition': inline ? 'inline' : attachmentDisposition(file.fileName ?? null),
  });
  if (notModified(request.headers['if-none-match'], file.etag)) return reply.status(304).send();
  const ifRange = request.headers['if-range'];
  const range = rangeStillValid(typeof ifRange === 'string' ? ifRange : undefined, file.etag) ? parseRange(request.headers.range, size) : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    return reply.status(416).header('content-range', `bytes */${size}`).send({ success: false, error: 'Range not satisfiable' });
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
  void reply.status(range.kind === 'partial' ? 206 : 200).header('content-type', file.contentType).header('content-length', end - start + 1);
  if (range.kind === 'partial') void reply.header('content-range', `bytes ${start}-${end}/${size}`);
  // Fastify's HEAD route zeroes Content-Length for an empty reply, but keeps it for a (drained) stream.
  if (request.method === 'HEAD' || size === 0) return reply.send(Readable.from([]));
  return reply.send(await media.read(file, range.kind === 'partial' ? { start, end } : undefined));
}

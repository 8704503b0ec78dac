import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../../../src/platform/storage/s3.storage.js';
import { ObjectTooLargeError } from '../../../src/platform/storage/storage.js';

/**
 * S3Storage against a small in-process S3 (path-style PutObject, the multipart calls, GET/HEAD):
 * enough to see what goes over the wire — one PutObject for a small body, parts in parallel for a
 * large one, and an abort (nothing stored, no parts left) whenever the body fails or grows too large.
 */
interface FakeS3 {
  readonly objects: Map<string, Buffer>;
  readonly uploads: Map<string, Map<number, Buffer>>;
  readonly calls: string[];
  inFlightParts: number;
  maxInFlightParts: number;
}

const MiB = 1024 * 1024;
let server: Server;
let s3: FakeS3;
let storage: S3Storage;

function fakeS3(): { server: Server; state: FakeS3 } {
  const state: FakeS3 = { objects: new Map(), uploads: new Map(), calls: [], inFlightParts: 0, maxInFlightParts: 0 };
  let nextUpload = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url!, 'http://s3');
      const key = decodeURIComponent(url.pathname.replace(/^\/bucket\//, ''));
      const uploadId = url.searchParams.get('uploadId');
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        state.calls.push('create');
        const id = `u${++nextUpload}`;
        state.uploads.set(id, new Map());
        res.end(`<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
      } else if (req.method === 'PUT' && uploadId) {
        state.calls.push('part');
        state.inFlightParts++;
        state.maxInFlightParts = Math.max(state.maxInFlightParts, state.inFlightParts);
        const body = await bodyOf(req);
        // Held a moment, so parts sent together are seen together.
        await new Promise((resolve) => setTimeout(resolve, 50));
        state.inFlightParts--;
        state.uploads.get(uploadId)?.set(Number(url.searchParams.get('partNumber')), body);
        res.setHeader('ETag', `"p${url.searchParams.get('partNumber')}"`);
        res.end();
      } else if (req.method === 'POST' && uploadId) {
        state.calls.push('complete');
        await bodyOf(req);
        const parts = [...state.uploads.get(uploadId)!.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
        state.objects.set(key, Buffer.concat(parts));
        state.uploads.delete(uploadId);
        res.end(`<CompleteMultipartUploadResult><Bucket>bucket</Bucket><Key>${key}</Key><ETag>"done"</ETag></CompleteMultipartUploadResult>`);
      } else if (req.method === 'DELETE' && uploadId) {
        state.calls.push('abort');
        state.uploads.delete(uploadId);
        res.statusCode = 204;
        res.end();
      } else if (req.method === 'PUT') {
        state.calls.push('put');
        state.objects.set(key, await bodyOf(req));
        res.setHeader('ETag', '"whole"');
        res.end();
      } else if (req.method === 'GET' || req.method === 'HEAD') {
        const object = state.objects.get(key);
        if (!object) {
          res.statusCode = 404;
          res.end(req.method === 'GET' ? '<Error><Code>NoSuchKey</Code></Error>' : undefined);
          return;
        }
        res.setHeader('Content-Length', object.length);
        res.end(req.method === 'GET' ? object : undefined);
      } else {
        res.statusCode = 400;
        res.end();
      }
    })().catch((err: Error) => res.destroy(err));
  });
  return { server, state };
}

/** The request's payload; a streamed (aws-chunked) body would need decoding, and none is sent here. */
async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  expect(req.headers['content-encoding'] ?? '').not.toContain('aws-chunked');
  return buffer(req);
}

/** `size` bytes in 1 MiB chunks (a pattern, so a misplaced part shows), failing after `failAfter` bytes when given. */
function body(size: number, failAfter?: number): Readable {
  return Readable.from((async function* () {
    for (let sent = 0; sent < size; sent += MiB) {
      if (failAfter !== undefined && sent >= failAfter) throw new Error('connection reset');
      yield pattern(sent, Math.min(MiB, size - sent));
    }
  })(), { objectMode: false });
}
const PATTERN = Buffer.from(Array.from({ length: MiB + 251 }, (_, i) => i % 251));
const pattern = (offset: number, length: number) => Buffer.from(PATTERN.subarray(offset % 251, (offset % 251) + length));

beforeAll(async () => {
  const fake = fakeS3();
  server = fake.server;
  s3 = fake.state;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  storage = new S3Storage({
    bucket: 'bucket', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forcePathStyle: true, accessKeyId: 'k', secretAccessKey: 's',
  });
});
afterEach(() => {
  s3.objects.clear();
  s3.uploads.clear();
  s3.calls.length = 0;
  s3.maxInFlightParts = 0;
});
afterAll(async () => {
  await storage.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('S3Storage.put', () => {
  it('sends a small body as one PutObject and reads it back', async () => {
    expect(await storage.put('assets/a/original', body(1000), { contentType: 'image/png' })).toEqual({ size: 1000 });
    expect(s3.calls).toEqual(['put']);
    expect(await buffer(await storage.get('assets/a/original'))).toEqual(pattern(0, 1000));
    expect(await storage.stat('assets/a/original')).toEqual({ size: 1000 });
    expect(await storage.localPath('assets/a/original')).toBeNull();
  });

  it('sends a large body as a multipart upload, parts in parallel, and completes it', async () => {
    const size = 20 * MiB;
    expect(await storage.put('assets/a/big', body(size))).toEqual({ size });
    expect(s3.calls[0]).toBe('create');
    expect(s3.calls.filter((c) => c === 'part')).toHaveLength(3);
    expect(s3.calls.at(-1)).toBe('complete');
    expect(s3.maxInFlightParts).toBeGreaterThan(1);
    expect(s3.objects.get('assets/a/big')!.equals(Buffer.concat(Array.from({ length: 20 }, (_, i) => pattern(i * MiB, MiB))))).toBe(true);
  });

  it('aborts the multipart upload when the body fails mid-way: no object, no parts left', async () => {
    await expect(storage.put('assets/a/cut', body(30 * MiB, 18 * MiB))).rejects.toThrow('connection reset');
    expect(s3.calls).toContain('abort');
    expect(s3.calls).not.toContain('complete');
    expect(s3.objects.has('assets/a/cut')).toBe(false);
    expect(s3.uploads.size).toBe(0);
  });

  it('refuses a body past maxBytes with ObjectTooLargeError, aborting what was sent', async () => {
    await expect(storage.put('assets/a/huge', body(30 * MiB), { maxBytes: 20 * MiB })).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(s3.calls).toContain('abort');
    expect(s3.objects.has('assets/a/huge')).toBe(false);
    expect(s3.uploads.size).toBe(0);
    // Under the limit in one part: nothing is sent at all.
    await expect(storage.put('assets/a/small', body(3 * MiB), { maxBytes: 2 * MiB })).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(s3.objects.has('assets/a/small')).toBe(false);
  });
});

import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { pipeline, type Readable } from 'node:stream';
import { assertValidKey, assertValidRange, byteCounter, ObjectNotFoundError, withBody, type ByteRange, type PutOptions, type Storage, type StoredObject } from './storage.js';

export interface S3StorageOptions {
  readonly bucket: string;
  /** For S3-compatible stores (MinIO, R2, …); unset means AWS. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** MinIO and most self-hosted stores need path-style URLs (`endpoint/bucket/key`). */
  readonly forcePathStyle?: boolean;
}

// S3's minimum part size is 5 MiB; 8 MiB keeps the part count of a 10 GB upload under 1,300.
const PART_SIZE = 8 * 1024 * 1024;
// Parts in flight at once (lib-storage's default): at most 4 × 8 MiB of one upload in memory.
const PARTS_IN_FLIGHT = 4;

/**
 * An S3 bucket. A put goes through lib-storage's Upload: a body that fits in one part is one
 * PutObject, a larger one a multipart upload with parts sent in parallel and aborted on any failure,
 * so (as with PutObject) an object only appears when the whole upload completed.
 */
export class S3Storage implements Storage {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region || 'us-east-1',
      endpoint: options.endpoint || undefined,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined,
    });
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<{ size: number }> {
    withBody(body, () => assertValidKey(key));
    const counter = byteCounter(options.maxBytes);
    // The body's failure (a cut-off upload) and the counter's (too large) reach the Upload through
    // the counter it reads; either way both streams end.
    pipeline(body, counter, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counter, ContentType: options.contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      return { size: counter.bytes };
    } catch (err) {
      body.destroy();
      counter.destroy();
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    if (range) assertValidRange(range);
    try {
      const out = await this.client.send(new GetObjectCommand({
        Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }));
      return out.Body as Readable;
    } catch (err) {
      throw isNotFound(err) ? new ObjectNotFoundError(key) : err;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Objects live in the bucket: a reader that needs a file downloads it. */
  async localPath(key: string): Promise<string | null> {
    assertValidKey(key);
    return null;
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let ContinuationToken: string | undefined;
    do {
      // At most 1,000 keys per page (S3's own limit); the next page is asked for only when needed.
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken, MaxKeys: 1_000 }));
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date() };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/**
 * An S3 bucket. A body of unknown length goes up as a multipart upload, aborted on any failure, so
 * (as with PutObject) an object only appears when the whole upload completed.
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
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const flushPart = async () => {
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }))).UploadId;
      const PartNumber = parts.length + 1;
      const { ETag } = await this.client.send(new UploadPartCommand({
        Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber, Body: Buffer.concat(pending), ContentLength: pendingBytes,
      }));
      parts.push({ ETag, PartNumber });
      pending = [];
      pendingBytes = 0;
    };
    try {
      await pipeline(body, counter, async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= PART_SIZE) await flushPart();
        }
      });
      if (uploadId === undefined) {
        await this.client.send(new PutObjectCommand({
          Bucket: this.bucket, Key: key, Body: Buffer.concat(pending), ContentLength: pendingBytes, ContentType: options.contentType,
        }));
      } else {
        if (pendingBytes > 0) await flushPart();
        await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      }
      return { size: counter.bytes };
    } catch (err) {
      body.destroy();
      if (uploadId !== undefined) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      }
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

import { LocalStorage } from './local.storage.js';
import { S3Storage, type S3StorageOptions } from './s3.storage.js';
import type { Storage } from './storage.js';

export interface StorageOptions {
  /** Root of the local store; default ./data/storage. */
  readonly root?: string;
  /** S3 is used when a bucket is given (S3_BUCKET), local disk otherwise. */
  readonly s3?: Partial<S3StorageOptions>;
}

export function createStorage(options: StorageOptions = {}): Storage {
  const { s3 } = options;
  if (s3?.bucket) return new S3Storage({ ...s3, bucket: s3.bucket });
  return new LocalStorage({ root: options.root });
}

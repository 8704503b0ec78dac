import { Transform, type Readable } from 'node:stream';
import { AppError, InvalidError, NotFoundError } from '../errors.js';

/** Inclusive byte offsets, as in an HTTP Range header (`bytes=0-99` is `{ start: 0, end: 99 }`). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutOptions {
  readonly contentType?: string;
  /** The upload fails (and leaves nothing behind) once the body grows past this many bytes. */
  readonly maxBytes?: number;
}

/**
 * Blob storage behind one interface: local disk by default, any S3-compatible store when
 * configured. Keys are slash-separated paths such as `assets/<id>/original`.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Stores the whole stream under key, replacing any previous object; never exposes a partial one. */
  put(key: string, body: Readable, options?: PutOptions): Promise<{ size: number }>;
  /** Throws ObjectNotFoundError when the key does not exist. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  /**
   * The object as a file on this machine, for a reader that wants a path (ffmpeg seeks in it and
   * reads only what it needs): the local store's own file; null when it is missing or the store is
   * remote (the caller downloads it instead).
   */
  localPath(key: string): Promise<string | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Every stored object whose key starts with prefix (a folder such as `assets/`), a page at a time
   * from the backend: a sweep over millions of files never holds them all.
   */
  list(prefix: string): AsyncIterable<StoredObject>;
  close(): Promise<void>;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

export class ObjectNotFoundError extends NotFoundError {
  constructor(readonly key: string) {
    super('File not found');
  }
}

export class ObjectTooLargeError extends AppError {
  constructor(readonly maxBytes: number) {
    super(413, `The file is larger than the limit of ${maxBytes} bytes`);
  }
}

// One conservative alphabet for both backends: no `.`/`..` segments, no leading dot (the local
// store keeps its temporary files under `.tmp/`), nothing a shell, URL or S3 would reinterpret.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

/** Throws InvalidError unless key is a relative path of safe segments. */
export function assertValidKey(key: string): void {
  const ok = key.length > 0 && key.length <= MAX_KEY_LENGTH && key.split('/').every((s) => SEGMENT.test(s));
  if (!ok) throw new InvalidError(`Invalid storage key: ${JSON.stringify(key.slice(0, 80))}`);
}

export function assertValidRange(range: ByteRange): void {
  const ok = Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.end >= range.start;
  if (!ok) throw new InvalidError(`Invalid byte range ${range.start}-${range.end}`);
}

/** Where an asset's files live, e.g. `assetKey(id, 'original')`, `assetKey(id, 'thumbnail-400.webp')`. */
export function assetKey(assetId: string, name: string): string {
  const key = `assets/${assetId}/${name}`;
  assertValidKey(key);
  return key;
}

/** A pass-through that counts bytes and fails the pipeline once they exceed maxBytes. */
export function byteCounter(maxBytes?: number): Transform & { readonly bytes: number } {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (maxBytes !== undefined && bytes > maxBytes) callback(new ObjectTooLargeError(maxBytes));
      else callback(null, chunk);
    },
  });
  return Object.defineProperty(counter, 'bytes', { get: () => bytes }) as Transform & { readonly bytes: number };
}

/** Runs check; if it throws, the body is destroyed first: a put either consumes its body or ends it. */
export function withBody<T>(body: Readable, check: () => T): T {
  try {
    return check();
  } catch (err) {
    body.destroy();
    throw err;
  }
}

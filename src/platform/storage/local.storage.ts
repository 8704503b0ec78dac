import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, assertValidRange, byteCounter, ObjectNotFoundError, withBody, type ByteRange, type PutOptions, type Storage } from './storage.js';

/**
 * Files under one root directory. A put writes to `<root>/.tmp/` and renames into place (same
 * file system, so atomic): readers see the old file or the whole new one, never a partial upload.
 */
export class LocalStorage implements Storage {
  readonly kind = 'local';
  readonly root: string;

  constructor(root = './data/storage') {
    this.root = path.resolve(root);
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<{ size: number }> {
    const target = withBody(body, () => this.pathOf(key));
    const tmpDir = path.join(this.root, '.tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const counter = byteCounter(options.maxBytes);
    try {
      // flush: fsync before close, so a crash after the rename cannot leave an empty file behind.
      await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx', flush: true }));
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      return { size: counter.bytes };
    } catch (err) {
      body.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    if (range) assertValidRange(range);
    const file = await open(this.pathOf(key), 'r').catch((err: NodeJS.ErrnoException) => {
      throw isMissing(err) ? new ObjectNotFoundError(key) : err;
    });
    if (!(await file.stat()).isFile()) {
      await file.close();
      throw new ObjectNotFoundError(key);
    }
    return file.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size } : null;
    } catch (err) {
      if (isMissing(err as NodeJS.ErrnoException)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async close(): Promise<void> {}

  /** Keys are validated before they touch the file system, so none can leave the root. */
  private pathOf(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

function isMissing(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR';
}

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, opendir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, assertValidRange, byteCounter, ObjectNotFoundError, withBody, type ByteRange, type PutOptions, type Storage, type StoredObject } from './storage.js';

export interface LocalStorageOptions {
  /** The folder every object lives under; ./data/storage by default. */
  readonly root?: string;
}

/**
 * Files under one root directory. A put writes to `<root>/.tmp/` and renames into place (same
 * file system, so atomic): readers see the old file or the whole new one, never a partial upload.
 */
export class LocalStorage implements Storage {
  readonly kind = 'local';
  readonly root: string;

  constructor(options: LocalStorageOptions = {}) {
    this.root = path.resolve(options.root ?? './data/storage');
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
      // A delete may prune the folder between the two calls (its last file went): make it again.
      await rename(tmp, target).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await mkdir(path.dirname(target), { recursive: true });
        await rename(tmp, target);
      });
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

  /** The file itself; the stat keeps a missing one null, as for every reader of the interface. */
  async localPath(key: string): Promise<string | null> {
    return (await this.stat(key)) ? this.pathOf(key) : null;
  }

  /** Folders left empty go too (an upload's, then its asset's), so deleted owners leave no trace. */
  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    for (let dir = path.dirname(file); dir.startsWith(`${this.root}${path.sep}`); dir = path.dirname(dir)) {
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    // The walk starts at the deepest folder the prefix names; keys are matched against the prefix.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (folder) assertValidKey(folder.slice(0, -1));
    yield* this.walk(folder, prefix);
  }

  private async *walk(folder: string, prefix: string): AsyncIterable<StoredObject> {
    const dir = await opendir(path.join(this.root, ...folder.split('/').filter(Boolean))).catch((err: NodeJS.ErrnoException) => {
      if (isMissing(err)) return null;
      throw err;
    });
    if (!dir) return;
    // opendir reads entries in batches: a folder of a million files is never one array.
    for await (const entry of dir) {
      // `.tmp/` (puts in progress) and anything else not a valid key segment is not an object.
      if (entry.name.startsWith('.')) continue;
      const key = `${folder}${entry.name}`;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) yield* this.walk(`${key}/`, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const s = await stat(path.join(this.root, ...key.split('/'))).catch(() => null);
        if (s) yield { key, size: s.size, modifiedAt: s.mtime };
      }
    }
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

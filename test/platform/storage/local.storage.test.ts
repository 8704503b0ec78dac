import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidError } from '../../../src/platform/errors.js';
import { LocalStorage } from '../../../src/platform/storage/local.storage.js';
import { S3Storage } from '../../../src/platform/storage/s3.storage.js';
import { createStorage } from '../../../src/platform/storage/storage.factory.js';
import { assetKey, ObjectNotFoundError, ObjectTooLargeError } from '../../../src/platform/storage/storage.js';

let root: string;
let storage: LocalStorage;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'herald-storage-'));
  storage = new LocalStorage({ root });
});
afterEach(async () => {
  await storage.close();
  await rm(root, { recursive: true, force: true });
});

/** Yields the chunks, then fails: an upload cut off mid-way. */
function failingStream(chunks: string[]): Readable {
  return Readable.from((async function* () {
    for (const c of chunks) yield Buffer.from(c);
    throw new Error('connection reset');
  })(), { objectMode: false });
}

/** Every file under root, relative, including the temporary area. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe('LocalStorage', () => {
  it('stores a stream and reads it back whole, by range, and by stat', async () => {
    const key = assetKey('a1', 'original');
    expect(await storage.put(key, Readable.from([Buffer.from('hello '), Buffer.from('world')]))).toEqual({ size: 11 });
    expect(await readFile(path.join(root, 'assets', 'a1', 'original'), 'utf8')).toBe('hello world');
    expect(await text(await storage.get(key))).toBe('hello world');
    expect(await text(await storage.get(key, { start: 6, end: 10 }))).toBe('world');
    expect(await text(await storage.get(key, { start: 0, end: 0 }))).toBe('h');
    expect(await storage.stat(key)).toEqual({ size: 11 });
    expect(await filesUnder(root)).toEqual(['assets/a1/original']);
  });

  it('names the file itself as its local path (null when missing), for readers that want a path', async () => {
    const key = assetKey('a1', 'original');
    await storage.put(key, Readable.from([Buffer.from('bytes')]));
    expect(await storage.localPath(key)).toBe(path.join(root, 'assets', 'a1', 'original'));
    expect(await storage.localPath('assets/none/original')).toBeNull();
    await expect(storage.localPath('../outside')).rejects.toBeInstanceOf(InvalidError);
  });

  it('replaces an object, and stores an empty one', async () => {
    await storage.put('k', Readable.from([Buffer.from('first version')]));
    await storage.put('k', Readable.from([Buffer.from('second')]));
    expect(await text(await storage.get('k'))).toBe('second');
    expect(await storage.put('empty', Readable.from([]))).toEqual({ size: 0 });
    expect(await storage.stat('empty')).toEqual({ size: 0 });
  });

  it('reports missing keys: stat null, get ObjectNotFoundError, delete idempotent', async () => {
    expect(await storage.stat('assets/none/original')).toBeNull();
    await expect(storage.get('assets/none/original')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await storage.put('assets/x/original', Readable.from([Buffer.from('x')]));
    await expect(storage.get('assets/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await storage.stat('assets/x')).toBeNull();
    await storage.delete('assets/x/original');
    await storage.delete('assets/x/original');
    expect(await storage.stat('assets/x/original')).toBeNull();
  });

  it('rejects keys that could escape the root or clash with its temporary area', async () => {
    const bad = ['../escape', 'a/../../escape', '/etc/passwd', 'a//b', 'a/', './a', '.tmp/x', 'a/.hidden', 'a\\b', 'a/b\0', '', 'a b', 'x'.repeat(600)];
    for (const key of bad) {
      await expect(storage.put(key, Readable.from([Buffer.from('x')])), key).rejects.toBeInstanceOf(InvalidError);
      await expect(storage.get(key), key).rejects.toBeInstanceOf(InvalidError);
      await expect(storage.stat(key), key).rejects.toBeInstanceOf(InvalidError);
      await expect(storage.delete(key), key).rejects.toBeInstanceOf(InvalidError);
    }
    expect(() => assetKey('../x', 'original')).toThrow(InvalidError);
    const body = Readable.from([Buffer.from('x')]);
    await expect(storage.put('../x', body)).rejects.toBeInstanceOf(InvalidError);
    expect(body.destroyed).toBe(true);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('rejects invalid ranges', async () => {
    await storage.put('k', Readable.from([Buffer.from('abc')]));
    await expect(storage.get('k', { start: 2, end: 1 })).rejects.toBeInstanceOf(InvalidError);
    await expect(storage.get('k', { start: -1, end: 1 })).rejects.toBeInstanceOf(InvalidError);
    await expect(storage.get('k', { start: 0.5, end: 1 })).rejects.toBeInstanceOf(InvalidError);
  });

  it('leaves no file behind when the stream fails, and keeps the previous version', async () => {
    await expect(storage.put('assets/a2/original', failingStream(['partial ', 'data']))).rejects.toThrow('connection reset');
    expect(await storage.stat('assets/a2/original')).toBeNull();
    expect(await filesUnder(root)).toEqual([]);

    await storage.put('assets/a2/original', Readable.from([Buffer.from('good')]));
    await expect(storage.put('assets/a2/original', failingStream(['bad']))).rejects.toThrow('connection reset');
    expect(await text(await storage.get('assets/a2/original'))).toBe('good');
    expect(await filesUnder(root)).toEqual(['assets/a2/original']);
  });

  it('stops an upload past maxBytes and leaves nothing behind', async () => {
    const body = Readable.from((function* () {
      for (let i = 0; i < 100; i++) yield Buffer.alloc(1024, 1);
    })(), { objectMode: false });
    const err = await storage.put('big', body, { maxBytes: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectTooLargeError);
    expect((err as ObjectTooLargeError).status).toBe(413);
    expect(await filesUnder(root)).toEqual([]);
    expect(await storage.put('fits', Readable.from([Buffer.alloc(10_000)]), { maxBytes: 10_000 })).toEqual({ size: 10_000 });
  });
});

describe('LocalStorage listing and folder pruning', () => {
  it('lists every object under a prefix with size and time, skipping puts in progress', async () => {
    for (const key of ['assets/a1/u1/original', 'assets/a1/u1/thumbnail-200.webp', 'assets/a2/u2/original', 'other/x']) {
      await storage.put(key, Readable.from([Buffer.from(key)]));
    }
    await writeFile(path.join(root, '.tmp', 'partial'), 'x');
    const listed = [];
    for await (const o of storage.list('assets/')) listed.push(o);
    expect(listed.map((o) => o.key).sort()).toEqual(['assets/a1/u1/original', 'assets/a1/u1/thumbnail-200.webp', 'assets/a2/u2/original']);
    expect(listed.every((o) => o.size > 0 && o.modifiedAt.getTime() > Date.now() - 60_000)).toBe(true);
    const one = [];
    for await (const o of storage.list('assets/a1/u1/')) one.push(o.key);
    expect(one.sort()).toEqual(['assets/a1/u1/original', 'assets/a1/u1/thumbnail-200.webp']);
    const none = [];
    for await (const o of storage.list('assets/missing/')) none.push(o.key);
    expect(none).toEqual([]);
  });

  it('removes folders a delete leaves empty, and a put into a pruned folder still lands', async () => {
    await storage.put('assets/a1/u1/original', Readable.from([Buffer.from('x')]));
    await storage.put('assets/a1/u2/original', Readable.from([Buffer.from('y')]));
    await storage.delete('assets/a1/u1/original');
    expect(await readdir(path.join(root, 'assets', 'a1'))).toEqual(['u2']);
    await storage.delete('assets/a1/u2/original');
    expect(await readdir(root)).toEqual(['.tmp']);
    await storage.put('assets/a1/u3/original', Readable.from([Buffer.from('z')]));
    expect(await text(await storage.get('assets/a1/u3/original'))).toBe('z');
  });
});

describe('createStorage', () => {
  it('chooses S3 when a bucket is given, local disk otherwise', async () => {
    const local = createStorage({ root });
    expect(local).toBeInstanceOf(LocalStorage);
    expect((local as LocalStorage).root).toBe(root);
    expect(createStorage({ root, s3: { bucket: '' } })).toBeInstanceOf(LocalStorage);
    const s3 = createStorage({ s3: { bucket: 'media', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, accessKeyId: 'k', secretAccessKey: 's' } });
    expect(s3).toBeInstanceOf(S3Storage);
    await s3.close();
  });
});

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { assetTypeOfMime, sniffBuffer, sniffStream } from '../../src/previews/sniff.js';
import { ffmpeg, mediaDir } from './media.fixtures.js';

const dir = mediaDir();
const media: Record<string, Buffer> = {};

beforeAll(async () => {
  const f = (name: string) => path.join(dir.path, name);
  await Promise.all([
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=0.2', '-c:v', 'libx264', '-preset', 'ultrafast', f('clip.mp4')]),
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=0.2', '-c:v', 'libvpx', f('clip.webm')]),
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', '-c:a', 'libmp3lame', f('tone.mp3')]),
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', f('tone.wav')]),
  ]);
  for (const name of ['clip.mp4', 'clip.webm', 'tone.mp3', 'tone.wav']) media[name] = await readFile(f(name));
  const pixels = { create: { width: 8, height: 8, channels: 3 as const, background: '#c33' } };
  media['image.png'] = await sharp(pixels).png().toBuffer();
  media['image.jpg'] = await sharp(pixels).jpeg().toBuffer();
  media['image.webp'] = await sharp(pixels).webp().toBuffer();
});

describe('sniffBuffer', () => {
  it('goes by the bytes: video, audio, images', async () => {
    expect(await sniffBuffer(media['clip.mp4']!)).toEqual({ mime: 'video/mp4', ext: 'mp4', assetType: 'VIDEO' });
    expect(await sniffBuffer(media['clip.webm']!)).toEqual({ mime: 'video/webm', ext: 'webm', assetType: 'VIDEO' });
    expect(await sniffBuffer(media['tone.mp3']!)).toEqual({ mime: 'audio/mpeg', ext: 'mp3', assetType: 'AUDIO' });
    expect(await sniffBuffer(media['tone.wav']!)).toEqual({ mime: 'audio/wav', ext: 'wav', assetType: 'AUDIO' });
    expect(await sniffBuffer(media['image.png']!)).toEqual({ mime: 'image/png', ext: 'png', assetType: 'IMAGE' });
    expect(await sniffBuffer(media['image.jpg']!)).toMatchObject({ mime: 'image/jpeg', assetType: 'IMAGE' });
    expect(await sniffBuffer(media['image.webp']!)).toMatchObject({ mime: 'image/webp', assetType: 'IMAGE' });
  });

  it('recognises documents and 3D models', async () => {
    expect(await sniffBuffer(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'))).toEqual({ mime: 'application/pdf', ext: 'pdf', assetType: 'DOCUMENT' });
    const glb = Buffer.alloc(20);
    glb.write('glTF', 0, 'latin1');
    glb.writeUInt32LE(2, 4);
    glb.writeUInt32LE(20, 8);
    expect(await sniffBuffer(glb)).toMatchObject({ mime: 'model/gltf-binary', assetType: 'THREE_D' });
  });

  it('does not take a script named .mp4 for a video', async () => {
    // The name plays no part: there is none to pass. A shell script is text, and OTHER.
    expect(await sniffBuffer(Buffer.from('#!/bin/sh\nrm -rf "$HOME"\n'))).toEqual({ mime: 'text/plain', ext: null, assetType: 'OTHER' });
    expect(await sniffBuffer(Buffer.from('<script>alert(1)</script> ftypisom'))).toEqual({ mime: 'text/plain', ext: null, assetType: 'OTHER' });
    expect(await sniffBuffer(Buffer.from('héllo wörld ✓'))).toMatchObject({ mime: 'text/plain' });
  });

  it('calls unknown bytes octet-stream and nothing empty', async () => {
    const noise = randomBytes(4096);
    noise[0] = 0; // no format starts with a NUL followed by random bytes
    noise[1] = 0;
    expect(await sniffBuffer(noise)).toEqual({ mime: 'application/octet-stream', ext: null, assetType: 'OTHER' });
    expect(await sniffBuffer(Buffer.alloc(0))).toEqual({ mime: 'application/x-empty', ext: null, assetType: 'OTHER' });
  });
});

describe('assetTypeOfMime', () => {
  it('maps MIME families and the odd ones file-type files elsewhere', () => {
    const cases: Array<[string, string]> = [
      ['video/quicktime', 'VIDEO'], ['video/x-matroska', 'VIDEO'], ['application/mxf', 'VIDEO'], ['image/mj2', 'VIDEO'],
      ['audio/ogg; codecs=opus', 'AUDIO'], ['audio/x-m4a', 'AUDIO'], ['audio/flac', 'AUDIO'],
      ['image/heic', 'IMAGE'], ['image/gif', 'IMAGE'], ['image/vnd.dwg', 'OTHER'],
      ['model/stl', 'THREE_D'], ['model/3mf', 'THREE_D'], ['application/x-blender', 'THREE_D'], ['application/x-ft-fbx', 'THREE_D'],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'DOCUMENT'],
      ['application/vnd.oasis.opendocument.spreadsheet', 'DOCUMENT'], ['application/x-cfb', 'DOCUMENT'], ['application/epub+zip', 'DOCUMENT'],
      ['application/ogg', 'OTHER'], ['application/zip', 'OTHER'], ['application/x-elf', 'OTHER'], ['application/xml', 'OTHER'], ['text/plain', 'OTHER'],
    ];
    expect(cases.map(([mime]) => [mime, assetTypeOfMime(mime)])).toEqual(cases);
  });
});

describe('sniffStream', () => {
  it('sniffs the head and hands on every byte, in small chunks or one', async () => {
    const whole = Buffer.concat([media['clip.mp4']!, randomBytes(200_000)]);
    const chunks = Array.from({ length: Math.ceil(whole.length / 1000) }, (_, i) => whole.subarray(i * 1000, (i + 1) * 1000));
    const { sniffed, stream } = await sniffStream(Readable.from(chunks));
    expect(sniffed.assetType).toBe('VIDEO');
    expect((await buffer(stream)).equals(whole)).toBe(true);

    const small = await sniffStream(Readable.from([media['image.png']!]));
    expect(small.sniffed.mime).toBe('image/png');
    expect((await buffer(small.stream)).equals(media['image.png']!)).toBe(true);

    const empty = await sniffStream(Readable.from([]));
    expect(empty.sniffed.mime).toBe('application/x-empty');
    expect((await buffer(empty.stream)).length).toBe(0);
  });

  it('passes on an error of the source after the head', async () => {
    const source = Readable.from((async function* () {
      yield media['image.png']!;
      yield randomBytes(70_000);
      throw new Error('upload aborted');
    })(), { objectMode: false });
    const { sniffed, stream } = await sniffStream(source);
    expect(sniffed.mime).toBe('image/png');
    await expect(buffer(stream)).rejects.toThrow('upload aborted');
  });

  it('lets go of the source when the sniffed stream is dropped', async () => {
    const source = Readable.from([media['tone.wav']!, randomBytes(100_000), randomBytes(100_000)], { objectMode: false });
    const { stream } = await sniffStream(source, 1024);
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });
});

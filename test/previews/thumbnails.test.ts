import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderThumbnails, thumbnailSpecs } from '../../src/previews/thumbnails.js';

const image = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#3a7' } });

describe('thumbnailSpecs', () => {
  it('names three WebP widths that never upscale', () => {
    expect(thumbnailSpecs()).toEqual([200, 400, 800].map((width) => ({
      width, name: `thumbnail-${width}.webp`, resize: { width, withoutEnlargement: true }, webp: { quality: 80, effort: 4 },
    })));
    expect(thumbnailSpecs([400]).map((s) => s.name)).toEqual(['thumbnail-400.webp']);
  });
});

describe('renderThumbnails', () => {
  it('makes 200/400/800 px wide WebP keeping the aspect ratio', async () => {
    const thumbs = await renderThumbnails(await image(1600, 900).png().toBuffer());
    expect(thumbs.map((t) => [t.name, t.pixelWidth, t.pixelHeight])).toEqual([
      ['thumbnail-200.webp', 200, 113], ['thumbnail-400.webp', 400, 225], ['thumbnail-800.webp', 800, 450],
    ]);
    for (const t of thumbs) expect(await sharp(t.data).metadata()).toMatchObject({ format: 'webp', width: t.pixelWidth, height: t.pixelHeight });
  });

  it('does not upscale a small image', async () => {
    const thumbs = await renderThumbnails(await image(300, 150).jpeg().toBuffer());
    expect(thumbs.map((t) => [t.width, t.pixelWidth, t.pixelHeight])).toEqual([[200, 200, 100], [400, 300, 150], [800, 300, 150]]);
  });

  it('applies the EXIF orientation (a portrait photo stored sideways)', async () => {
    const sideways = await image(1000, 500).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const [small] = await renderThumbnails(sideways, [200]);
    expect([small!.pixelWidth, small!.pixelHeight]).toEqual([200, 400]);
  });

  it('rejects truncated and non-image input', async () => {
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    await expect(renderThumbnails(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).rejects.toThrow(/premature end of JPEG/);
    await expect(renderThumbnails(Buffer.from('#!/bin/sh\necho hi\n'))).rejects.toThrow(/unsupported image format/);
    await expect(renderThumbnails(Buffer.alloc(0))).rejects.toThrow();
  });
});

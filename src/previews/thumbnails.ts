import sharp, { type ResizeOptions, type WebpOptions } from 'sharp';

/** Image thumbnails: three WebP widths, never upscaled. The options are pure; the sharp call is thin. */

export const THUMBNAIL_WIDTHS = [200, 400, 800] as const;
export type ThumbnailWidth = (typeof THUMBNAIL_WIDTHS)[number];

export interface ThumbnailSpec {
  readonly width: ThumbnailWidth;
  readonly name: string;
  readonly resize: ResizeOptions;
  readonly webp: WebpOptions;
}

/** What each thumbnail is: its storage name and sharp's resize and WebP options. */
export function thumbnailSpecs(widths: readonly ThumbnailWidth[] = THUMBNAIL_WIDTHS): ThumbnailSpec[] {
  return widths.map((width) => ({
    width,
    name: `thumbnail-${width}.webp`,
    // withoutEnlargement: a 300 px image stays 300 px in the 400 and 800 slots rather than blurring.
    resize: { width, withoutEnlargement: true },
    webp: { quality: 80, effort: 4 },
  }));
}

export interface Thumbnail {
  readonly width: ThumbnailWidth;
  readonly name: string;
  readonly data: Buffer;
  /** The real pixel size (smaller than width for small images). */
  readonly pixelWidth: number;
  readonly pixelHeight: number;
}

/**
 * All thumbnails of one image (a file path or bytes): decoded once, EXIF orientation applied, first
 * frame of animations. Truncated or corrupt images throw sharp's error.
 */
export async function renderThumbnails(input: string | Buffer, widths?: readonly ThumbnailWidth[]): Promise<Thumbnail[]> {
  // failOn 'error': a truncated JPEG fails instead of yielding a half-grey thumbnail.
  const image = sharp(input, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
  return Promise.all(thumbnailSpecs(widths).map(async (spec) => {
    const { data, info } = await image.clone().resize(spec.resize).webp(spec.webp).toBuffer({ resolveWithObject: true });
    return { width: spec.width, name: spec.name, data, pixelWidth: info.width, pixelHeight: info.height };
  }));
}

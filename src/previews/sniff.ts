import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';

export type AssetType = 'IMAGE' | 'VIDEO' | 'AUDIO' | 'DOCUMENT' | 'THREE_D' | 'OTHER';

export interface Sniffed {
  readonly mime: string;
  /** file-type's extension for the detected format; null for text and unknown bytes. */
  readonly ext: string | null;
  readonly assetType: AssetType;
}

/** How much of the start of a file sniffing looks at; zip-based formats (docx, 3mf) need a few KB. */
export const SNIFF_BYTES = 64 * 1024;

const DOCUMENT_MIMES = new Set([
  'application/pdf', 'application/rtf', 'application/epub+zip', 'application/postscript', 'application/eps',
  'application/x-mobipocket-ebook', 'application/vnd.apple.pages', 'application/vnd.apple.numbers', 'application/vnd.apple.keynote',
  // Pre-2007 Word, Excel and PowerPoint files are Compound File Binary containers.
  'application/x-cfb',
]);
const DOCUMENT_PREFIXES = ['application/vnd.openxmlformats-officedocument.', 'application/vnd.oasis.opendocument.', 'application/vnd.ms-word.', 'application/vnd.ms-excel.', 'application/vnd.ms-powerpoint.'];
const THREE_D_MIMES = new Set(['application/x-blender', 'application/x-ft-fbx', 'application/x-ft-draco', 'application/vnd.sketchup.skp']);
// Containers file-type files under application/ or image/ that hold video.
const VIDEO_MIMES = new Set(['application/mxf', 'application/vnd.rn-realmedia', 'application/vnd.ms-asf', 'image/mj2']);

/** The asset type of a sniffed MIME type. Pure. */
export function assetTypeOfMime(mime: string): AssetType {
  if (VIDEO_MIMES.has(mime) || mime.startsWith('video/')) return 'VIDEO';
  if (mime === 'image/vnd.dwg') return 'OTHER';
  if (mime.startsWith('image/')) return 'IMAGE';
  if (mime.startsWith('audio/')) return 'AUDIO';
  if (mime.startsWith('model/') || THREE_D_MIMES.has(mime)) return 'THREE_D';
  if (DOCUMENT_MIMES.has(mime) || DOCUMENT_PREFIXES.some((p) => mime.startsWith(p))) return 'DOCUMENT';
  return 'OTHER';
}

/**
 * What the bytes are, whatever the file is called: magic numbers via file-type, then plain text
 * (a script is text/plain and OTHER, even when named .mp4), else application/octet-stream.
 */
export async function sniffBuffer(head: Uint8Array): Promise<Sniffed> {
  if (head.length === 0) return { mime: 'application/x-empty', ext: null, assetType: 'OTHER' };
  const found = await fileTypeFromBuffer(head.subarray(0, SNIFF_BYTES));
  if (found) return { mime: found.mime, ext: found.ext, assetType: assetTypeOfMime(found.mime) };
  return { mime: looksLikeText(head) ? 'text/plain' : 'application/octet-stream', ext: null, assetType: 'OTHER' };
}

/**
 * Sniffs the first bytes of a stream (an upload, say) and hands back a stream of all of its bytes,
 * the sniffed ones included, to pipe on to storage. Errors of the source reach the returned stream.
 */
export async function sniffStream(source: Readable, bytes = SNIFF_BYTES): Promise<{ sniffed: Sniffed; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    size += chunk.length;
  }
  const sniffed = await sniffBuffer(Buffer.concat(head));
  async function* replay() {
    yield* head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const stream = Readable.from(replay(), { objectMode: false });
  // A caller that refuses the type drops the stream unread; the source (the upload) goes with it.
  stream.once('close', () => source.destroy());
  return { sniffed, stream };
}

/** UTF-8 without NUL bytes. A multi-byte character cut at the end of the sample is fine. */
function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The types of an MP4's top-level boxes, in file order ('ftyp', 'moov', 'mdat', ...): each box
 * starts with a 32-bit big-endian size and a 4-letter type; size 1 means a 64-bit size follows,
 * size 0 runs to the end of the file. Throws on a size that does not fit, so a file that is not
 * an MP4 cannot pass as one with no boxes.
 */
export function mp4TopLevelBoxes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at < bytes.length;) {
    if (at + 8 > bytes.length) throw new Error(`MP4: a box header at ${at} runs past the end (${bytes.length} bytes)`);
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    else if (size === 0) size = bytes.length - at;
    if (size < 8 || at + size > bytes.length) throw new Error(`MP4: box '${type}' at ${at} has an impossible size ${size}`);
    types.push(type);
    at += size;
  }
  return types;
}

/** Only the index (moov) and media data (mdat) boxes, in file order: ['moov', 'mdat'] when faststart put the index first. */
export function mp4IndexAndData(bytes: Buffer): string[] {
  return mp4TopLevelBoxes(bytes).filter((type) => type === 'moov' || type === 'mdat');
}

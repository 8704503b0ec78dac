import { FfmpegUnavailableError, type FfmpegBinaries } from '../previews/index.js';
import type { Scanner } from './clamav.js';

export const NO_SCANNER_WARNING = 'No virus scanner is configured (CLAMAV_URL unset): uploads are marked CLEAN without a scan.';

/** The previews health group's own facts: a warning without a scanner, a problem when clamd does not answer. */
export async function scannerHealth(scanner: Scanner | null): Promise<{ warnings?: string[]; problems?: string[] }> {
  if (!scanner) return { warnings: [NO_SCANNER_WARNING] };
  return (await scanner.ping()) ? {} : { problems: [`media-scan: clamd at ${scanner.address} does not answer`] };
}

/**
 * The scanner's facts, and previews off (a problem, with the fix) without a usable ffmpeg and
 * ffprobe. Checked in this process: API and worker processes share FFMPEG_PATH and their image.
 */
export async function previewsHealth(probe: { scanner: Scanner | null; ffmpeg: () => Promise<FfmpegBinaries> }): Promise<{ warnings?: string[]; problems?: string[] }> {
  const [scanner, missing] = await Promise.all([scannerHealth(probe.scanner), probe.ffmpeg().then(() => null, (err: Error) => err)]);
  if (!missing) return scanner;
  const problem = missing instanceof FfmpegUnavailableError ? missing.message : `Previews are off: ${missing.message}`;
  return { ...scanner, problems: [...(scanner.problems ?? []), problem] };
}

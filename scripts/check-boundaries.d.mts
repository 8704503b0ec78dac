/** Types of check-boundaries.mjs (plain Node, so `npm run lint` needs no build step). */
export function importsOf(file: string, text: string): string[];
export function checkBoundaries(files: ReadonlyMap<string, string>): string[];

import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * A V8 CPU profile of this process's main thread (the service under test; the load generator runs
 * in a worker thread of its own) over one measured run, when BENCH_CPU_PROF names a directory:
 * `node --cpu-prof` would profile the seeding and every other run too. Open the .cpuprofile in
 * Chrome DevTools, or total its self time by package.
 */
export function cpuProfiler(dir: string | undefined): { around(label: string): { before(): Promise<void>; after(): Promise<void> } | undefined } {
  if (!dir) return { around: () => undefined };
  const session = new Session();
  session.connect();
  return {
    around: (label) => ({
      before: async () => {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        await session.post('Profiler.start');
      },
      after: async () => {
        const { profile } = await session.post('Profiler.stop');
        const file = path.join(dir, `${label.replace(/[^\w.-]+/g, '_')}.cpuprofile`);
        await writeFile(file, JSON.stringify(profile));
        process.stderr.write(`[bench] CPU profile of ${label}: ${file}\n`);
      },
    }),
  };
}

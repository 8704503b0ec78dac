import { PerformanceObserver, constants, monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * Where a latency tail could come from on the server's side, over one run (issue 21): the main
 * thread's event-loop delay (perf_hooks, 1 ms resolution: GC pauses and long synchronous work show
 * here), garbage-collection pauses (PerformanceObserver 'gc' entries: count, total, longest), and
 * the pg pool's queue (requests waiting for a connection, sampled every ms).
 */

export interface TailProbe {
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly gcPauses: number;
  readonly gcTotalMs: number;
  readonly gcMaxMs: number;
  /** The longest pause of a major (mark-compact) collection, and how many there were. */
  readonly gcMajorMaxMs: number;
  readonly gcMajorPauses: number;
  /** The main heap in use after the run (the service, the bare server and the bench share it). */
  readonly heapUsedMb: number;
  /** Share of 1-ms samples with a request waiting for a pool connection, and the most waiting. */
  readonly poolWaitingShare: number;
  readonly poolWaitingMax: number;
}

interface Pool { readonly waitingCount: number }

const r2 = (x: number) => Number(x.toFixed(2));

export function tailProbe(pool: Pool): { before(): Promise<void>; after(): Promise<void>; result(): TailProbe } {
  let delay: IntervalHistogram | undefined;
  let observer: PerformanceObserver | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let gc = { count: 0, total: 0, max: 0, majorMax: 0, major: 0 };
  let samples = 0;
  let waiting = 0;
  let waitingMax = 0;
  let out: TailProbe | undefined;
  return {
    before: async () => {
      gc = { count: 0, total: 0, max: 0, majorMax: 0, major: 0 };
      samples = waiting = waitingMax = 0;
      delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gc.count++; gc.total += e.duration; gc.max = Math.max(gc.max, e.duration);
          if (((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) { gc.major++; gc.majorMax = Math.max(gc.majorMax, e.duration); }
        }
      });
      observer.observe({ entryTypes: ['gc'] });
      sampler = setInterval(() => {
        samples++;
        if (pool.waitingCount > 0) waiting++;
        waitingMax = Math.max(waitingMax, pool.waitingCount);
      }, 1);
    },
    after: async () => {
      delay!.disable();
      observer!.disconnect();
      clearInterval(sampler);
      out = {
        eventLoopDelayP99Ms: r2(delay!.percentile(99) / 1e6), eventLoopDelayMaxMs: r2(delay!.max / 1e6),
        gcPauses: gc.count, gcTotalMs: r2(gc.total), gcMaxMs: r2(gc.max), gcMajorMaxMs: r2(gc.majorMax), gcMajorPauses: gc.major,
        heapUsedMb: Math.round(v8.getHeapStatistics().used_heap_size / 2 ** 20),
        poolWaitingShare: r2(samples ? waiting / samples : 0), poolWaitingMax: waitingMax,
      };
    },
    result: () => out!,
  };
}

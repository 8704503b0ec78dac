import type { CannonRequest } from './autocannon.js';
import { measureAtRate, type OpenLoopSummary } from './open-loop.js';
import { tailProbe, type TailProbe } from './tail-probes.js';

/**
 * Issue 21's p99s below saturation: each plain read, bare and then the service, at fixed offered
 * rates that are fractions of the bare server's saturated throughput in the same run (open loop,
 * open-loop.ts), with the server-side tail probes (tail-probes.ts) of each run.
 */

interface Pool { readonly waitingCount: number }

export interface FixedRateRead {
  readonly path: string;
  readonly requests: readonly CannonRequest[];
  /** The bare server's saturated req/s in this run (the median round). */
  readonly bareSaturatedPerSec: number;
  readonly p99TargetMs: number;
  readonly bare: { readonly url: string; readonly pool: Pool; settle(): Promise<void> };
  readonly herald: { readonly url: string; readonly pool: Pool; settle(): Promise<void> };
}

type Measured = OpenLoopSummary & { readonly tail: TailProbe };

export interface FixedRateResult {
  readonly fraction: number;
  readonly offeredPerSec: number;
  readonly herald: Measured;
  readonly bare: Measured;
  /** herald's p99 within the target, every request answered 2xx and the offered rate kept. */
  readonly pass: boolean;
  readonly bareWithinTarget: boolean;
}

/** BENCH_FIXED_RATES: fractions of bare's saturated throughput ("0.5,0.8"; "off": none). */
export function fixedRateFractions(raw = process.env.BENCH_FIXED_RATES): number[] {
  if (raw === 'off' || raw === '0') return [];
  const fractions = (raw || '0.5,0.8').split(',').map(Number);
  if (fractions.some((f) => !(f > 0 && f <= 1))) throw new Error(`BENCH_FIXED_RATES must be fractions in (0, 1], got "${raw}"`);
  return fractions;
}

const healthy = (m: OpenLoopSummary) =>
  m.non2xx === 0 && m.errors === 0 && m.unfinished === 0 && m.answeredPerSec >= 0.97 * m.offeredPerSec;

export async function runFixedRates(
  label: string, read: FixedRateRead, fractions: readonly number[],
  load: { connections: number; durationSec: number; warmupSec: number },
): Promise<FixedRateResult[]> {
  const results: FixedRateResult[] = [];
  for (const fraction of fractions) {
    const rate = Math.max(1, Math.round(fraction * read.bareSaturatedPerSec));
    const one = async (who: 'bare' | 'herald'): Promise<Measured> => {
      const side = read[who];
      const probe = tailProbe(side.pool);
      const m = await measureAtRate(`${who === 'bare' ? 'bare ' : ''}${label} (${fraction} of bare's saturated rate)`, side.url, {
        ...load, rate, requests: read.requests, around: probe,
      });
      await side.settle();
      return { ...m, tail: probe.result() };
    };
    const bare = await one('bare');
    const herald = await one('herald');
    results.push({
      fraction, offeredPerSec: rate, herald, bare,
      pass: herald.p99Ms <= read.p99TargetMs && healthy(herald),
      bareWithinTarget: bare.p99Ms <= read.p99TargetMs && healthy(bare),
    });
  }
  return results;
}

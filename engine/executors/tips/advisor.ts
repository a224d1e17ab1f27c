/**
 * The dynamic tip: what the competition pays (Jito's tip-floor percentiles) and how our own
 * bundles fared (landed or not, with the tip they carried) make the `tip` fact routing rules
 * read. The percentile we bid at follows our recent landing rate: landing nearly everything, the
 * median is enough; landing less, climb (75th, 95th, 99th). The rules pass the recommendation to
 * the Jito executor as the route's `tipLamports`, and their floor, cap and profit share bound it.
 */
import type { TipFloor, TipFloorSource } from './floor.ts';

/** The `tip` fact (catalog: engine/facts/catalog.ts). Atoms as decimal strings. */
export interface TipFact {
  source: 'jito-tip-floor' | 'none';
  p25Lamports: string;
  p50Lamports: string;
  p75Lamports: string;
  p95Lamports: string;
  p99Lamports: string;
  emaP50Lamports: string;
  ageSeconds: number;
  samples: number;
  landed: number;
  notLanded: number;
  landingRate: number;
  percentile: number;
  recommendedLamports: string;
  recommendedSol: number;
}

export interface TipAdvisorOptions {
  /** Our last bundles the landing rate is taken over (default 20). */
  window?: number;
  /** Below this many, the landing rate is not trusted and we bid the 75th percentile (default 5). */
  minSamples?: number;
  now?: () => number;
}

/** The competition percentile to bid at for a landing rate over `samples` of our bundles. */
export function percentileFor(landingRate: number, samples: number, minSamples: number): 50 | 75 | 95 | 99 {
  if (samples < minSamples) return 75;
  if (landingRate >= 0.9) return 50;
  if (landingRate >= 0.6) return 75;
  if (landingRate >= 0.3) return 95;
  return 99;
}

function at(floor: TipFloor, p: 50 | 75 | 95 | 99): bigint {
  return p === 50 ? floor.p50 : p === 75 ? floor.p75 : p === 95 ? floor.p95 : floor.p99;
}

export class TipAdvisor {
  private readonly outcomes: { landed: boolean; tip: bigint }[] = [];
  private readonly window: number;
  private readonly minSamples: number;
  private readonly now: () => number;

  constructor(
    readonly floor: TipFloorSource,
    opts: TipAdvisorOptions = {},
  ) {
    this.window = opts.window ?? 20;
    this.minSamples = opts.minSamples ?? 5;
    this.now = opts.now ?? Date.now;
  }

  /** One of our bundles: landed or not, and the tip it carried. */
  record(landed: boolean, tipLamports: bigint): void {
    this.outcomes.push({ landed, tip: tipLamports });
    if (this.outcomes.length > this.window) this.outcomes.shift();
  }

  fact(): TipFact {
    const f = this.floor.current();
    const landed = this.outcomes.filter((o) => o.landed).length;
    const samples = this.outcomes.length;
    const landingRate = samples ? landed / samples : 0;
    const percentile = percentileFor(landingRate, samples, this.minSamples);
    const recommended = f ? at(f, percentile) : 0n;
    const s = (v: bigint | undefined) => (v ?? 0n).toString();
    return {
      source: f ? 'jito-tip-floor' : 'none',
      p25Lamports: s(f?.p25),
      p50Lamports: s(f?.p50),
      p75Lamports: s(f?.p75),
      p95Lamports: s(f?.p95),
      p99Lamports: s(f?.p99),
      emaP50Lamports: s(f?.emaP50),
      ageSeconds: f ? Math.max(0, Math.round((this.now() - Date.parse(f.time)) / 1000)) : 0,
      samples,
      landed,
      notLanded: samples - landed,
      landingRate: Math.round(landingRate * 1000) / 1000,
      percentile,
      recommendedLamports: recommended.toString(),
      recommendedSol: Number(recommended) / 1e9,
    };
  }
}

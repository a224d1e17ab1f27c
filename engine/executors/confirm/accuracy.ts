/**
 * Quote accuracy: realized output against the quote it was traded on, per venue and per route
 * (executor), kept as the `quoteAccuracy` fact rules can read — e.g. route away from a venue
 * whose fills fall short of its quotes. Shortfall is in bps of the expected amount: positive
 * when less arrived than quoted.
 */
export interface AccuracyStats {
  samples: number;
  meanShortfallBps: number;
  worstShortfallBps: number;
  lastShortfallBps: number;
}

export interface QuoteAccuracyFact extends AccuracyStats {
  byVenue: Record<string, AccuracyStats>;
  byRoute: Record<string, AccuracyStats>;
}

/** Shortfall of `realized` against `expected`, bps (exact integer division, then to a number). */
export function shortfallBps(expected: bigint, realized: bigint): number {
  if (expected <= 0n) return 0;
  return Number(((expected - realized) * 1_000_000n) / expected) / 100;
}

class Acc {
  n = 0;
  sum = 0;
  worst = -Infinity;
  last = 0;
  add(bps: number): void {
    this.n += 1;
    this.sum += bps;
    this.worst = Math.max(this.worst, bps);
    this.last = bps;
  }
  stats(): AccuracyStats {
    return { samples: this.n, meanShortfallBps: this.n ? this.sum / this.n : 0, worstShortfallBps: this.n ? this.worst : 0, lastShortfallBps: this.last };
  }
}

export class QuoteAccuracy {
  private readonly all = new Acc();
  private readonly venues = new Map<string, Acc>();
  private readonly routes = new Map<string, Acc>();

  /** Records one confirmed execution; returns its shortfall in bps. */
  record(venue: string, route: string, expectedOut: bigint, realizedOut: bigint): number {
    const bps = shortfallBps(expectedOut, realizedOut);
    this.all.add(bps);
    for (const [map, key] of [[this.venues, venue], [this.routes, route]] as const) {
      const acc = map.get(key) ?? new Acc();
      acc.add(bps);
      map.set(key, acc);
    }
    return bps;
  }

  /**
   * Records a reconciliation as another process published it with a live fill (JSON: amounts as
   * decimal text); false, recording nothing, when it lacks the venue, route or either amount.
   */
  recordPublished(reconciliation: unknown): boolean {
    const r = reconciliation as { venue?: unknown; route?: unknown; expectedAmountOut?: unknown; realizedAmountOut?: unknown } | undefined;
    const atoms = (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : undefined);
    const expected = atoms(r?.expectedAmountOut);
    const realized = atoms(r?.realizedAmountOut);
    if (typeof r?.venue !== 'string' || typeof r.route !== 'string' || expected === undefined || realized === undefined) return false;
    this.record(r.venue, r.route, expected, realized);
    return true;
  }

  /** The `quoteAccuracy` fact. */
  fact(): QuoteAccuracyFact {
    const obj = (m: Map<string, Acc>) => Object.fromEntries([...m].map(([k, a]) => [k, a.stats()]));
    return { ...this.all.stats(), byVenue: obj(this.venues), byRoute: obj(this.routes) };
  }
}

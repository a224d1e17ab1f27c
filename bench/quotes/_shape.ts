/**
 * The shape of a per-venue quote benchmark. `bench/quotes.ts` runs every `bench/quotes/<venue>.ts`
 * (files starting with `_` are helpers): a new venue adds a file, nothing else changes.
 */

export interface QuoteBenchCase {
  /** What is quoted, e.g. "USDC→SOL 1,000,000 USDC, exact-in, crosses 9 ticks". */
  name: string;
  /** Target for our µs per quote, when the issue sets one. */
  targetMicros?: number;
  /** One local quote (state already built). */
  ours: () => unknown;
  /** The official SDK doing the same quote, measured in the same run. */
  baseline?: { name: string; run: () => unknown };
}

export interface QuoteBench {
  venue: string;
  cases: QuoteBenchCase[];
}

/** What a venue bench module exports as default: the bench, or a (possibly async) function making it. */
export type QuoteBenchExport = QuoteBench | (() => QuoteBench | Promise<QuoteBench>);

/**
 * The local router: best route for a pair from decoded pool state, in-process and exact. One
 * hop on every pool trading the pair, and two hops through each intermediate mint (SOL, USDC by
 * default) over every pool combination; exact-in keeps the largest output, exact-out the
 * smallest input. State older than `maxStateAgeSlots` behind the provider's slot is never quoted.
 */
import { isAddress } from '../accounts/index.ts';
import { NATIVE_MINT } from '../venues/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { quoteError } from './errors.ts';
import { compoundImpactBps, routeLeg, withinStateAge, type PoolEntry, type PoolProvider, type QuoteRequest, type QuoteSource, type RouteLeg, type RouteQuote } from './types.ts';

/** Wrapped SOL: the native mint. */
export const SOL_MINT = NATIVE_MINT;
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';

export interface LocalRouterOptions {
  /** Mints a two-hop route may pass through (default SOL and USDC). */
  intermediateMints?: readonly string[];
  /** Refuse pool state more than this many slots behind the provider's slot (default 150, about a minute). */
  maxStateAgeSlots?: number;
  /** 1 = direct pools only (default 2). */
  maxHops?: 1 | 2;
  now?: () => number;
}

interface Failure {
  pools: string[];
  code: string;
  message: string;
}

export class LocalRouter implements QuoteSource {
  readonly name = 'local' as const;
  private readonly intermediates: readonly string[];
  private readonly maxAge: number;
  private readonly maxHops: 1 | 2;
  private readonly now: () => number;

  constructor(
    private readonly provider: PoolProvider,
    opts: LocalRouterOptions = {},
  ) {
    this.intermediates = opts.intermediateMints ?? [SOL_MINT, USDC_MINT];
    this.maxAge = opts.maxStateAgeSlots ?? 150;
    this.maxHops = opts.maxHops ?? 2;
    this.now = opts.now ?? Date.now;
    if (!Number.isInteger(this.maxAge) || this.maxAge < 0) throw quoteError('QUOTE_CONFIG_INVALID', `maxStateAgeSlots must be a non-negative integer; got ${opts.maxStateAgeSlots}`, { field: 'maxStateAgeSlots', value: opts.maxStateAgeSlots });
  }

  /** Whether a pool's state is recent enough to quote from (unknown slot = too old, when the provider tracks slots). */
  isFresh(entry: PoolEntry): boolean {
    return withinStateAge(entry.state.slot, this.provider.currentSlot(), this.maxAge);
  }

  /** A quote given earlier may be served while the oldest state it read is still within the limit. */
  isCurrent(q: RouteQuote): boolean {
    return withinStateAge(q.slot, this.provider.currentSlot(), this.maxAge);
  }

  async quote(req: QuoteRequest): Promise<RouteQuote> {
    return this.quoteSync(req);
  }

  /** The best local route, synchronously (planners search many sizes). */
  quoteSync(req: QuoteRequest): RouteQuote {
    validateRequest(req);
    const failures: Failure[] = [];
    const stale: { pool: string; slot: number | undefined }[] = [];
    const fresh = (entries: readonly PoolEntry[]) =>
      entries.filter((e) => {
        if (this.isFresh(e)) return true;
        stale.push({ pool: e.state.address, slot: e.state.slot });
        return false;
      });
    const attempt = <T>(pools: string[], f: () => T): T | undefined => {
      try {
        return f();
      } catch (err) {
        if (!isSolrulesError(err)) throw err;
        failures.push({ pools, code: err.code, message: err.message });
        return undefined;
      }
    };
    const exactIn = req.mode === 'exact-in';
    let best: { legs: RouteLeg[]; slots: (number | undefined)[] } | undefined;
    const better = (legs: RouteLeg[]) => {
      if (!best) return true;
      const a = legs[legs.length - 1]!.amountOut;
      const b = best.legs[best.legs.length - 1]!.amountOut;
      if (exactIn) return a > b || (a === b && legs.length < best.legs.length);
      return legs[0]!.amountIn < best.legs[0]!.amountIn || (legs[0]!.amountIn === best.legs[0]!.amountIn && legs.length < best.legs.length);
    };
    const consider = (legs: RouteLeg[], slots: (number | undefined)[]) => {
      if (better(legs)) best = { legs, slots };
    };

    for (const e of fresh(this.provider.poolsFor(req.inputMint, req.outputMint))) {
      const q = attempt([e.state.address], () => (exactIn ? e.venue.quoteExactIn(e.state, req.inputMint, req.amount) : e.venue.quoteExactOut(e.state, req.inputMint, req.amount)));
      if (q) consider([routeLeg(q)], [e.state.slot]);
    }
    if (this.maxHops === 2) {
      for (const mid of this.intermediates) {
        if (mid === req.inputMint || mid === req.outputMint) continue;
        const first = fresh(this.provider.poolsFor(req.inputMint, mid));
        const second = first.length ? fresh(this.provider.poolsFor(mid, req.outputMint)) : [];
        if (!first.length || !second.length) continue;
        if (exactIn) {
          for (const e1 of first) {
            const q1 = attempt([e1.state.address], () => e1.venue.quoteExactIn(e1.state, req.inputMint, req.amount));
            if (!q1 || q1.amountOut === 0n) continue;
            for (const e2 of second) {
              if (e2.state.address === e1.state.address) continue;
              const q2 = attempt([e1.state.address, e2.state.address], () => e2.venue.quoteExactIn(e2.state, mid, q1.amountOut));
              if (q2) consider([routeLeg(q1), routeLeg(q2)], [e1.state.slot, e2.state.slot]);
            }
          }
        } else {
          for (const e2 of second) {
            const q2 = attempt([e2.state.address], () => e2.venue.quoteExactOut(e2.state, mid, req.amount));
            if (!q2) continue;
            for (const e1 of first) {
              if (e2.state.address === e1.state.address) continue;
              const q1 = attempt([e1.state.address, e2.state.address], () => e1.venue.quoteExactOut(e1.state, req.inputMint, q2.amountIn));
              if (q1) consider([routeLeg(q1), routeLeg(q2)], [e1.state.slot, e2.state.slot]);
            }
          }
        }
      }
    }

    const context = { inputMint: req.inputMint, outputMint: req.outputMint, amount: req.amount.toString(), mode: req.mode };
    if (!best) {
      if (stale.length && !failures.length) {
        throw quoteError('QUOTE_STATE_STALE', `every pool for ${req.inputMint} → ${req.outputMint} has state more than ${this.maxAge} slots behind slot ${this.provider.currentSlot()}; not quoting from it`, {
          ...context,
          currentSlot: this.provider.currentSlot(),
          maxStateAgeSlots: this.maxAge,
          stale: stale.slice(0, 10),
        });
      }
      throw quoteError('QUOTE_NO_ROUTE', `no local route for ${req.amount} atoms ${req.inputMint} → ${req.outputMint} (${req.mode})${failures.length ? `: ${failures[0]!.code} ${failures[0]!.message}` : ': no pool trades the pair directly or through an intermediate mint'}`, {
        ...context,
        failures: failures.slice(0, 10),
        stale: stale.slice(0, 10),
      });
    }
    const { legs, slots } = best as { legs: RouteLeg[]; slots: (number | undefined)[] };
    const known = slots.filter((s): s is number => s !== undefined);
    return {
      source: 'local',
      mode: req.mode,
      inputMint: req.inputMint,
      outputMint: req.outputMint,
      amountIn: legs[0]!.amountIn,
      amountOut: legs[legs.length - 1]!.amountOut,
      priceImpactBps: compoundImpactBps(legs),
      legs,
      accounts: [...new Set(legs.flatMap((l) => l.accounts))],
      slot: known.length === slots.length && known.length ? Math.min(...known) : undefined,
      quotedAt: this.now(),
    };
  }
}

/** Checks a request's fields; `QUOTE_INVALID_REQUEST` names the bad one. */
export function validateRequest(req: QuoteRequest): void {
  const bad = (field: string, value: unknown, expected: string) => {
    throw quoteError('QUOTE_INVALID_REQUEST', `quote request field '${field}' must be ${expected}; got ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)}`, { field, value: typeof value === 'bigint' ? value.toString() : value });
  };
  if (!isAddress(req.inputMint)) bad('inputMint', req.inputMint, 'a base58 mint address');
  if (!isAddress(req.outputMint)) bad('outputMint', req.outputMint, 'a base58 mint address');
  if (req.inputMint === req.outputMint) bad('outputMint', req.outputMint, 'a mint other than inputMint');
  if (typeof req.amount !== 'bigint' || req.amount <= 0n || req.amount > 0xffff_ffff_ffff_ffffn) bad('amount', req.amount, 'atoms between 1 and 2^64 − 1');
  if (req.mode !== 'exact-in' && req.mode !== 'exact-out') bad('mode', req.mode, "'exact-in' or 'exact-out'");
  if (req.slippageBps !== undefined && !(Number.isInteger(req.slippageBps) && req.slippageBps >= 0 && req.slippageBps < 10_000)) bad('slippageBps', req.slippageBps, 'an integer number of bps in [0, 10000)');
}

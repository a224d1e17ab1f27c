/**
 * The per-tick facts of the engine's synchronous tick path. The facts every strategy shares
 * (price, wallet, time) are built when first read in a tick — most ticks of most strategies read
 * none of them — with the values an eager build at the start of the tick gives. Each strategy keeps
 * one facts object for the whole run (its planner's facts plus the shared ones as accessors), used
 * only synchronously within a tick; what outlives the tick (an order's facts) is a plain copy.
 */
import { priceFact, timeFact, walletFact, type PriceFact, type TimeFact, type WalletFact } from '../facts/index.ts';
import type { TokenInfo } from '../orders/index.ts';
import type { PriceBar, TickContext } from '../strategies/index.ts';
import type { PriceEvent } from '../messages/index.ts';

/** What the shared facts of one tick are built from, captured at the start of the tick. */
export class SharedTickFacts {
  private priceValue: PriceFact | undefined;
  private walletValue: WalletFact | undefined;
  private timeValue: TimeFact | undefined;

  constructor(
    readonly event: PriceEvent,
    readonly now: Date,
    /** The price window (oldest first) as of this tick; read before the next tick changes it. */
    private readonly recent: readonly number[],
    readonly baseAtoms: bigint,
    readonly quoteAtoms: bigint,
    private readonly market: { base: TokenInfo; quote: TokenInfo },
  ) {}

  get price(): PriceFact {
    if (this.priceValue) return this.priceValue;
    const e = this.event;
    const price = priceFact({ mint: e.mint, symbol: e.symbol, recentUsd: this.recent, time: this.now, source: e.source, ...(e.slot !== undefined ? { slot: e.slot } : {}) });
    if (typeof e.bidUsd === 'number') price.bidUsd = e.bidUsd;
    if (typeof e.askUsd === 'number') price.askUsd = e.askUsd;
    return (this.priceValue = price);
  }

  get wallet(): WalletFact {
    return (this.walletValue ??= walletFact({ baseAtoms: this.baseAtoms, quoteAtoms: this.quoteAtoms, baseDecimals: this.market.base.decimals, quoteDecimals: this.market.quote.decimals }));
  }

  get time(): TimeFact {
    return (this.timeValue ??= timeFact(this.now));
  }

  /** Builds all three now: before the tick awaits, so a later tick cannot change what they are built from. */
  materialize(): void {
    void this.price;
    void this.wallet;
    void this.time;
  }
}

/** A strategy's TickContext for one tick: price and wallet facts built only when a planner reads them. */
export class LazyTickContext implements TickContext {
  readonly quoteUsd = 1;
  readonly priceUsd: number;
  readonly walletAtoms: { base: bigint; quote: bigint };
  bar?: PriceBar;
  otherBars?: Readonly<Record<string, PriceBar>>;

  constructor(
    private readonly shared: SharedTickFacts,
    readonly params: Record<string, unknown>,
    readonly base: TokenInfo,
    readonly quote: TokenInfo,
  ) {
    this.priceUsd = shared.event.usd;
    this.walletAtoms = { base: shared.baseAtoms, quote: shared.quoteAtoms };
    if (shared.event.bar) this.bar = shared.event.bar;
    if (shared.event.otherBars) this.otherBars = shared.event.otherBars;
  }

  get time(): Date {
    return this.shared.now;
  }

  get price(): PriceFact {
    return this.shared.price;
  }

  get wallet(): WalletFact {
    return this.shared.wallet;
  }
}

/** Fact names the engine supplies to every strategy (they win over a planner's fact of the same name). */
const SHARED = ['price', 'wallet', 'time'] as const;
/** What a chain run's scanners decode beside the price, a fact each when the tick has it (they win over a planner's). */
const MARKET = ['spread', 'pool', 'volume'] as const;

const isShared = (key: string) => key === 'price' || key === 'wallet' || key === 'time';

/**
 * One strategy's facts object, reused tick after tick: its planner's facts as data properties
 * (rebuilt when their names change), the tick's market facts (spread, pool, volume) when it has
 * them, and price, wallet and time as enumerable accessors reading the current tick's shared
 * facts — the same keys and values as `{ ...plannerFacts, ...market, price, wallet, time }`.
 */
export class StrategyFacts {
  private object: Record<string, unknown> = {};
  private keys: string[] = [];
  private shared: SharedTickFacts | undefined;

  /** The facts of this tick (valid until the next call). */
  fill(planner: Record<string, unknown>, shared: SharedTickFacts): Readonly<Record<string, unknown>> {
    this.shared = shared;
    const event = shared.event as unknown as Record<string, unknown>;
    let o = this.object;
    const keys = this.keys;
    let k = 0;
    let same = true;
    for (const key in planner) {
      if (!Object.hasOwn(planner, key) || isShared(key) || ((key === 'spread' || key === 'pool' || key === 'volume') && event[key])) continue;
      if (keys[k] !== key) same = false;
      k++;
    }
    for (const key of MARKET) {
      if (!event[key]) continue;
      if (keys[k] !== key) same = false;
      k++;
    }
    if (!same || k !== keys.length) o = this.rebuild(planner, event);
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      o[key] = (key === 'spread' || key === 'pool' || key === 'volume') && event[key] ? event[key] : planner[key];
    }
    return o;
  }

  /** A plain copy of the current facts (accessors evaluated): what an order keeps. */
  snapshot(): Record<string, unknown> {
    return { ...this.object };
  }

  private rebuild(planner: Record<string, unknown>, event: Record<string, unknown>): Record<string, unknown> {
    const market = MARKET.filter((key) => event[key]);
    const keys: string[] = [];
    for (const key in planner) if (Object.hasOwn(planner, key) && !isShared(key) && !(market as string[]).includes(key)) keys.push(key);
    keys.push(...market);
    const o: Record<string, unknown> = {};
    for (const key of keys) o[key] = undefined;
    for (const name of SHARED) Object.defineProperty(o, name, { enumerable: true, configurable: false, get: () => this.shared![name] });
    this.keys = keys;
    this.object = o;
    return o;
  }
}

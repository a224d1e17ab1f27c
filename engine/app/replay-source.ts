/**
 * The replay fact source: a daily OHLC series replayed as four price ticks a candle (open, the
 * extreme nearer the open, the other extreme, close — an assumption about intra-day paths, not
 * data), published on the bus as a chain's price feed would be.
 */
import type { Bus } from '../infra/bus/index.ts';
import { metrics } from '../infra/telemetry/index.ts';
import { candleTicks, type Candle, type PriceTick } from '../market/index.ts';
import type { TokenInfo } from '../orders/index.ts';
import type { FactSource } from './app.ts';
import type { TradingEngine } from './engine.ts';
import { pricesSubject, type PriceEvent } from '../messages/index.ts';

export interface ReplayOptions {
  candles: readonly Candle[];
  base: TokenInfo;
  /** Where the series came from, for the banner. */
  file: string;
  /** Days a second (0: as fast as possible). */
  speed?: number;
  /** Called after each tick settles (progress lines). */
  onTick?: (tick: PriceTick, index: number, engine: TradingEngine) => void;
  /** Awaited after each tick settles, before the next is published (a checkpoint). */
  afterTick?: (tick: PriceTick, index: number, engine: TradingEngine) => Promise<void>;
  /** Only ticks after this time (ISO): a replay continuing from a checkpoint mid-day. */
  after?: string;
}

export class ReplaySource implements FactSource {
  readonly mode = 'replay' as const;
  readonly ticks: PriceTick[];
  private stopped = false;

  constructor(private readonly opts: ReplayOptions) {
    const after = opts.after === undefined ? -Infinity : Date.parse(opts.after);
    this.ticks = candleTicks(opts.candles).filter((t) => t.time.getTime() > after);
  }

  get description(): string {
    return `a replayed price series (${this.opts.file})`;
  }

  async run(bus: Bus, engine: TradingEngine): Promise<void> {
    const { base } = this.opts;
    for (const [i, tick] of this.ticks.entries()) {
      if (this.stopped) break;
      const time = tick.time.toISOString();
      const event: PriceEvent = { id: `replay:${base.mint}:${time}`, mint: base.mint, symbol: base.symbol, usd: tick.priceUsd, time, source: 'replay' };
      metrics.scanner.events.inc({ mode: 'replay', venue: 'replay', kind: 'price' });
      await bus.publish(pricesSubject(base.mint), event, { msgId: event.id! });
      await bus.settle();
      metrics.engine.replayTicks.inc();
      metrics.engine.replayProgress.set((i + 1) / this.ticks.length);
      await this.opts.afterTick?.(tick, i, engine);
      // Let timers, sockets and signals in between ticks: an embedded store and bus settle in
      // microtasks only, so without this a replay would starve /healthz, admin actions and SIGINT.
      await new Promise((r) => setImmediate(r));
      this.opts.onTick?.(tick, i, engine);
      if ((this.opts.speed ?? 0) > 0 && tick.phase === 'close') await new Promise((r) => setTimeout(r, 1000 / this.opts.speed!));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

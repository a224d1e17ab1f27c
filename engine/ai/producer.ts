/**
 * The engine's `ai` fact producer: per market, candles built from what the engine sees, analyses
 * submitted to the queue on each strategy's schedule (`ai:` in strategies.yaml) and on demand
 * (`solrules admin analyze`), and per strategy the `ai` fact from the latest answer.
 *
 * Off the evaluation path: in a run (`wait: 'background'`) a due analysis is submitted and not
 * awaited — the tick is evaluated with the answer in force, and the new answer reaches the fact
 * when it arrives. In a backtest (`wait: 'inline'`) answers come from recordings only (no
 * network) and are awaited before the bar is evaluated, so the run is deterministic: the
 * recorded answer to the chart of a close is what the rules see at that close.
 */
import { SolrulesError } from '../errors/index.ts';
import { CandleBuilder } from './candle-builder.ts';
import { lastWindow } from './chart/candles-file.ts';
import { defaultStudies } from './chart/studies.ts';
import type { AnalysisResult } from './client.ts';
import { aiFact, type AiFact } from './fact.ts';
import type { Language } from './prompts.ts';
import type { AnalysisQueue, Trigger } from './queue.ts';
import { defaultAiLogger, type AiLogger, type Clock } from './support.ts';
import type { Bar, ChartInput, TradeMarker } from './types.ts';

/** Candles before the chart's first one that its indicators are computed over (SMA 50, MACD 26/9 warm up within them). */
export const CHART_WARMUP_BARS = 100;
/** Fewest closed candles an on-demand chart is drawn with. */
export const MIN_CHART_BARS = 20;
/** Most fills a chart stream keeps for its markers (older ones also go once they are before its oldest candle). */
export const MAX_CHART_FILLS = 500;

/** A filled order of a strategy, as its chart marks it: base-token side, fill price (USD) and fill time (ms). */
export interface StrategyFill {
  strategy: string;
  side: 'buy' | 'sell';
  priceUsd: number;
  timeMs: number;
}

/** One strategy's analysis schedule as the engine runs it (from its `ai:` entry). */
export interface AiStrategySchedule {
  strategy: string;
  everyMs: number;
  /** Chart candles, e.g. 4h, and the same in ms. */
  timeframe: string;
  timeframeMs: number;
  bars: number;
  maxAgeSeconds: number;
  language: Language;
  followUp: boolean;
  /** The queue this strategy's analyses go to (one per recordings file); undefined when no AI client is configured. */
  queue?: AnalysisQueue;
}

export interface AiProducerOptions {
  /** The engine's market, e.g. SOL/USDC (what the chart and the fact name). */
  market: string;
  schedules: readonly AiStrategySchedule[];
  /** background: a run (never wait for an answer); inline: a backtest replaying recordings (wait, deterministically). */
  wait: 'background' | 'inline';
  /** The engine's clock (fact age, schedule slots). */
  clock: Clock;
  /** Why there is no AI client, when a schedule has no queue (said by analyzeNow and status). */
  notConfigured?: string;
  log?: AiLogger;
}

/** Counters of one chart stream, for the run summary and the backtest report. */
export interface StreamCounts {
  scheduled: number;
  onDemand: number;
  ok: number;
  failed: Record<string, number>;
  /** Slots that came before enough candles for a chart. */
  waitingForCandles: number;
}

/** One chart stream: the candles and analyses strategies with the same chart settings share. */
class ChartStream {
  readonly candles: CandleBuilder;
  readonly strategies: AiStrategySchedule[] = [];
  readonly counts: StreamCounts = { scheduled: 0, onDemand: 0, ok: 0, failed: {}, waitingForCandles: 0 };
  /** Per strategy, the schedule slot (UTC multiple of its `every`) last analysed. */
  private readonly lastSlot = new Map<string, number>();
  /** Fills of this stream's strategies, oldest first (the chart marks those inside its window). */
  private readonly fills: StrategyFill[] = [];

  constructor(
    readonly key: string,
    readonly market: string,
    readonly spec: AiStrategySchedule,
  ) {
    this.candles = new CandleBuilder(spec.timeframeMs, spec.bars + CHART_WARMUP_BARS);
  }

  /** Whether a strategy's slot came up at `now` (each slot is analysed once; missed slots collapse into one). */
  due(now: number): boolean {
    let due = false;
    for (const s of this.strategies) {
      const slot = Math.floor(now / s.everyMs);
      if (this.lastSlot.get(s.strategy) !== slot) due = true;
    }
    return due;
  }

  consumeSlots(now: number): void {
    for (const s of this.strategies) this.lastSlot.set(s.strategy, Math.floor(now / s.everyMs));
  }

  addFill(fill: StrategyFill): void {
    this.fills.push(fill);
    const oldest = this.candles.closed[0]?.time ?? -Infinity;
    while (this.fills.length > MAX_CHART_FILLS || (this.fills.length && this.fills[0]!.timeMs < oldest)) this.fills.shift();
  }

  /**
   * The chart of the last `bars` closed candles, indicators computed over up to CHART_WARMUP_BARS
   * before them, marking the stream's strategies' fills inside the window (first candle's open to
   * last candle's close); with several strategies on the chart each marker names its strategy.
   */
  chart(): ChartInput {
    const history = this.candles.closed.slice(-(this.spec.bars + CHART_WARMUP_BARS));
    const window = lastWindow(history, defaultStudies(history), this.spec.bars);
    const from = window.bars[0]?.time ?? Infinity;
    const to = (window.bars.at(-1)?.time ?? -Infinity) + this.spec.timeframeMs;
    const named = this.strategies.length > 1;
    const trades: TradeMarker[] = this.fills
      .filter((f) => f.timeMs >= from && f.timeMs < to)
      .map((f) => ({ time: f.timeMs, side: f.side, price: f.priceUsd, ...(named ? { label: `${f.side.toUpperCase()} ${f.strategy}` } : {}) }));
    return { market: this.market, timeframe: this.spec.timeframe, ...window, ...(trades.length ? { trades } : {}) };
  }
}

/** What an on-demand analysis returns: per chart stream of the market, the result and the facts it now gives. */
export interface OnDemandAnalysis {
  market: string;
  analyses: Array<{ stream: string; candles: number; result: AnalysisResult; facts: Record<string, AiFact> }>;
}

export class AiFactProducer {
  private readonly streams: ChartStream[] = [];
  private readonly byStrategy = new Map<string, { stream: ChartStream; schedule: AiStrategySchedule }>();
  private readonly log: AiLogger;
  /** Background analyses not finished yet (stop() waits for them). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly opts: AiProducerOptions) {
    this.log = opts.log ?? defaultAiLogger();
    for (const s of opts.schedules) {
      // Strategies asking about the same chart the same way share its analyses (and pay once).
      const key = `${opts.market} ${s.timeframe}×${s.bars} ${s.language}${s.followUp ? '' : ' standalone'}`;
      let stream = this.streams.find((x) => x.key === key && x.spec.queue === s.queue);
      if (!stream) this.streams.push((stream = new ChartStream(key, opts.market, s)));
      stream.strategies.push(s);
      this.byStrategy.set(s.strategy, { stream, schedule: s });
    }
  }

  /** Strategies with an `ai` fact. */
  get strategies(): string[] {
    return [...this.byStrategy.keys()];
  }

  /**
   * A price event: candles advance, due analyses are submitted. Returns a promise only in
   * inline mode with analyses due (a backtest awaits it before evaluating the bar).
   */
  onPrice(timeMs: number, usd: number, bar?: Readonly<Bar>): Promise<void> | undefined {
    let due: Promise<unknown>[] | undefined;
    for (const s of this.streams) {
      if (bar) s.candles.addBar(bar);
      else s.candles.addTick(timeMs, usd);
      s.candles.closeUntil(timeMs);
      if (!s.due(timeMs)) continue;
      if (!s.spec.queue) {
        s.consumeSlots(timeMs);
        continue;
      }
      if (s.candles.closed.length < s.spec.bars) {
        // Not enough candles for the chart yet: the slot stays open until there are.
        s.counts.waitingForCandles += 1;
        continue;
      }
      s.consumeSlots(timeMs);
      s.counts.scheduled += 1;
      // In a run the chart is drawn (tens of ms of CPU) after this tick, not inside it: the job starts on the next turn of the event loop.
      (due ??= []).push(this.opts.wait === 'inline' ? this.analyze(s, 'schedule') : new Promise((r) => setImmediate(r)).then(() => this.analyze(s, 'schedule')));
    }
    if (!due) return undefined;
    if (this.opts.wait === 'inline') return Promise.all(due).then(() => undefined);
    for (const p of due) {
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
    return undefined;
  }

  /** A strategy's filled order (the engine's execution result): marked on its chart while inside the chart's window. */
  onFill(fill: StrategyFill): void {
    this.byStrategy.get(fill.strategy)?.stream.addFill(fill);
  }

  /** The chart a strategy's next analysis would send now (undefined for a strategy without an `ai:` schedule). */
  chartOf(strategy: string): ChartInput | undefined {
    return this.byStrategy.get(strategy)?.stream.chart();
  }

  /** The `ai` fact of a strategy now (undefined for a strategy without an `ai:` schedule). */
  fact(strategy: string): AiFact | undefined {
    const entry = this.byStrategy.get(strategy);
    if (!entry) return undefined;
    return aiFact(this.opts.market, entry.schedule.queue?.latest(entry.stream.key), this.opts.clock.now(), entry.schedule.maxAgeSeconds);
  }

  /**
   * Analyses a market now (the admin command): the chart of its closed candles goes to the queue
   * at once, the answer is awaited, and it becomes the fact of every strategy reading that chart.
   * Throws AI_NO_CHART (unknown market, too few candles) or AI_NOT_CONFIGURED (no AI client).
   */
  async analyzeNow(market: string): Promise<OnDemandAnalysis> {
    const configured = this.streams.filter((s) => s.spec.queue);
    if (!configured.length) throw new SolrulesError('AI_NOT_CONFIGURED', `no AI client is configured in this engine: ${this.opts.notConfigured ?? 'set SOLRULES_AI_BASE_URL and SOLRULES_AI_MODEL'}`, { market });
    const wanted = market.trim().toUpperCase();
    const base = this.opts.market.split('/')[0]!.toUpperCase();
    if (wanted !== this.opts.market.toUpperCase() && wanted !== base) {
      throw new SolrulesError('AI_NO_CHART', `this engine analyses ${this.opts.market} only; got '${market}'`, { market, known: this.opts.market });
    }
    const short = configured.find((s) => s.candles.closed.length < MIN_CHART_BARS);
    if (short) throw new SolrulesError('AI_NO_CHART', `only ${short.candles.closed.length} closed ${short.spec.timeframe} candle(s) of ${this.opts.market} so far; a chart needs at least ${MIN_CHART_BARS}`, { market, candles: short.candles.closed.length });
    const analyses: OnDemandAnalysis['analyses'] = [];
    for (const s of configured) {
      s.counts.onDemand += 1;
      const result = (await this.analyze(s, 'on-demand'))!;
      const facts = Object.fromEntries(s.strategies.map((x) => [x.strategy, this.fact(x.strategy)!]));
      analyses.push({ stream: s.key, candles: Math.min(s.candles.closed.length, s.spec.bars), result, facts });
    }
    return { market: this.opts.market, analyses };
  }

  /** Per chart stream: its strategies, counters and the latest result's status. */
  status(): Array<{ stream: string; strategies: string[]; candles: number; configured: boolean; counts: StreamCounts; latest?: { status: string; at: number; code?: string } }> {
    return this.streams.map((s) => {
      const latest = s.spec.queue?.latest(s.key);
      return {
        stream: s.key,
        strategies: s.strategies.map((x) => x.strategy),
        candles: s.candles.closed.length,
        configured: s.spec.queue !== undefined,
        counts: structuredClone(s.counts),
        ...(latest ? { latest: { status: latest.status, at: latest.at, ...(latest.status !== 'ok' ? { code: latest.error.code } : {}) } } : {}),
      };
    });
  }

  /** Waits for background analyses still running (at most `maxMs`: a stopping engine keeps a paid answer's recording, but does not hang on a slow model). */
  async settle(maxMs = Infinity): Promise<void> {
    const all = Promise.allSettled([...this.inFlight]);
    if (maxMs === Infinity) {
      await all;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  private async analyze(s: ChartStream, trigger: Trigger): Promise<AnalysisResult | undefined> {
    try {
      const result = await s.spec.queue!.submit({ market: s.key, chart: () => s.chart(), language: s.spec.language, followUp: s.spec.followUp, trigger });
      if (result.status === 'ok') s.counts.ok += 1;
      else s.counts.failed[result.error.code] = (s.counts.failed[result.error.code] ?? 0) + 1;
      return result;
    } catch (err) {
      // A full queue refuses the job: the fact keeps the previous answer (or goes stale), it is never half-updated.
      const code = err instanceof SolrulesError ? err.code : 'AI_UNEXPECTED';
      s.counts.failed[code] = (s.counts.failed[code] ?? 0) + 1;
      this.log.warn({ stream: s.key, trigger, code }, `AI analysis not run: ${(err as Error).message}`);
      if (trigger === 'on-demand') throw err;
      return undefined;
    }
  }
}

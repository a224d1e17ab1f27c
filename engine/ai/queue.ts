/**
 * The analysis queue: periodic analyses per strategy schedule and on-demand ones, run with a
 * concurrency limit and a minimum spacing between calls, stopped by the daily budget, and
 * continued as a conversation (follow-up) from each market's previous answer. Time comes from an
 * injected clock: `runDue()` is driven by the engine loop, a backtest or a test.
 */
import { SolrulesError } from '../errors/index.ts';
import type { DailyBudget } from './budget.ts';
import { renderChart } from './chart/render.ts';
import { formatPrice, formatUtc } from './chart/scale.ts';
import type { AiClient, AnalysisRequest, AnalysisResult } from './client.ts';
import { aiFact, type AiFact } from './fact.ts';
import type { Language, PromptVars } from './prompts.ts';
import { defaultAiLogger, type AiLogger, type Clock } from './support.ts';
import { metrics } from '../infra/telemetry/index.ts';
import type { ChartInput } from './types.ts';

export type Trigger = 'schedule' | 'on-demand';

export interface AnalysisJob {
  market: string;
  /** Builds the chart input when the job runs (so it shows the newest candles). */
  chart: () => ChartInput | Promise<ChartInput>;
  language?: Language;
  /** Continue from the market's previous answer (default true). */
  followUp?: boolean;
  trigger?: Trigger;
}

export interface Schedule extends AnalysisJob {
  /** Strategy the schedule belongs to. */
  strategy: string;
  everyMs: number;
}

export interface QueueOptions {
  client: Pick<AiClient, 'analyze' | 'model'>;
  clock: Clock;
  budget?: DailyBudget;
  /** Analyses running at once (default 1). */
  concurrency?: number;
  /** Minimum time between two analyses starting (rate limit; default 0). */
  minIntervalMs?: number;
  /** Jobs waiting beyond this are refused (default 100). */
  maxQueued?: number;
  /** An answer older than this makes the fact unready (default 2 h). */
  maxAgeSeconds?: number;
  log?: AiLogger;
}

/** The prompt's facts about a chart (market, timeframe, span, last close). */
export function promptVarsOf(input: ChartInput): PromptVars {
  const bars = input.bars;
  return { market: input.market, timeframe: input.timeframe, bars: bars.length, from: formatUtc(bars[0]!.time), to: formatUtc(bars[bars.length - 1]!.time), lastClose: formatPrice(bars[bars.length - 1]!.close) };
}

interface Pending {
  job: AnalysisJob;
  resolve: (r: AnalysisResult) => void;
  reject: (e: unknown) => void;
}

export class AnalysisQueue {
  private readonly pending: Pending[] = [];
  private running = 0;
  private nextStartAt = 0;
  private readonly latestByMarket = new Map<string, AnalysisResult>();
  private readonly previousOk = new Map<string, { answer: NonNullable<AnalysisRequest['previous']>; result: AnalysisResult }>();
  private readonly schedules: (Schedule & { nextAt: number })[] = [];
  private readonly log: AiLogger;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: QueueOptions) {
    const c = opts.concurrency ?? 1;
    if (!(Number.isInteger(c) && c >= 1)) throw new SolrulesError('AI_CONFIG', `queue concurrency must be an integer >= 1; got ${c}`, { field: 'concurrency', value: c });
    this.log = opts.log ?? defaultAiLogger();
  }

  /** Queues an analysis; resolves with its result (a failure is a result, not a rejection). */
  submit(job: AnalysisJob): Promise<AnalysisResult> {
    if (this.pending.length >= (this.opts.maxQueued ?? 100)) {
      return Promise.reject(new SolrulesError('AI_QUEUE_FULL', `analysis queue full (${this.pending.length} waiting); dropped ${job.market}`, { market: job.market }));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ job: { trigger: 'on-demand', ...job }, resolve, reject });
      this.pump();
    });
  }

  /** Adds a periodic analysis; the first is due at once. */
  schedule(s: Schedule): void {
    if (!(s.everyMs > 0)) throw new SolrulesError('AI_CONFIG', `schedule of ${s.strategy} needs everyMs > 0; got ${s.everyMs}`, { field: 'everyMs', value: s.everyMs });
    this.schedules.push({ ...s, nextAt: this.opts.clock.now() });
  }

  /** Submits every schedule that is due at the clock's time; resolves when they finished. */
  runDue(): Promise<AnalysisResult[]> {
    const now = this.opts.clock.now();
    const due = this.schedules.filter((s) => s.nextAt <= now);
    for (const s of due) {
      // Skip missed slots instead of bursting to catch up (each would be paid for).
      while (s.nextAt <= now) s.nextAt += s.everyMs;
    }
    return Promise.all(due.map((s) => this.submit({ ...s, trigger: 'schedule' })));
  }

  /** Polls runDue() on a real timer (the engine's live mode). */
  start(pollMs = 1000): void {
    this.stop();
    this.timer = setInterval(() => void this.runDue().catch((err) => this.log.error({ err: String(err) }, 'scheduled AI analysis failed')), pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The latest result for a market (success or failure). */
  latest(market: string): AnalysisResult | undefined {
    return this.latestByMarket.get(market);
  }

  /** The `ai` fact of a market at the clock's time. */
  fact(market: string): AiFact {
    return aiFact(market, this.latestByMarket.get(market), this.opts.clock.now(), this.opts.maxAgeSeconds ?? 7200);
  }

  status(): { queued: number; running: number; budget?: ReturnType<DailyBudget['status']> } {
    return { queued: this.pending.length, running: this.running, ...(this.opts.budget ? { budget: this.opts.budget.status() } : {}) };
  }

  /**
   * A refused analysis is counted (solrules_ai_budget_refusals_total); only the first of a budget
   * day is logged — a fast replay would otherwise log one warning per queued job.
   */
  private noteBudgetRefusal(job: AnalysisJob, message: string): void {
    metrics.ai.budgetRefusals.inc();
    this.summarizeBudgetRefusals(); // a past day's refusals, before this day's first warning
    const refusedToday = this.opts.budget!.countRefused();
    if (refusedToday === 1) this.log.warn({ market: job.market, trigger: job.trigger }, `${message}; further analyses refused until the budget resets are counted (solrules_ai_budget_refusals_total) and summed up in one line when it does`);
  }

  /** One line for the refusals of a budget window that has ended (the day rolled, or the limit allows calls again). */
  private summarizeBudgetRefusals(): void {
    const ended = this.opts.budget?.takeRefusalSummary();
    if (ended) this.log.info({ day: ended.day, refused: ended.refused }, `AI budget of ${ended.day} UTC: ${ended.refused} analys${ended.refused === 1 ? 'is' : 'es'} refused while it was exhausted`);
  }

  private pump(): void {
    while (this.running < (this.opts.concurrency ?? 1) && this.pending.length > 0) {
      const next = this.pending.shift()!;
      this.running++;
      this.run(next.job)
        .then(next.resolve, next.reject)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async run(job: AnalysisJob): Promise<AnalysisResult> {
    const { clock } = this.opts;
    const spacing = this.opts.minIntervalMs ?? 0;
    const wait = this.nextStartAt - clock.now();
    this.nextStartAt = Math.max(clock.now(), this.nextStartAt) + spacing;
    if (wait > 0) await clock.sleep(wait);

    const input = await job.chart();
    const vars = promptVarsOf(input);
    const refusal = this.opts.budget?.refusal();
    if (refusal) {
      const result: AnalysisResult = {
        status: 'budget-exhausted', market: job.market, timeframe: input.timeframe, model: this.opts.client.model, at: clock.now(), chartSha256: '', requestHash: '',
        usage: { promptTokens: 0, completionTokens: 0 }, costUsd: 0, calls: 0,
        error: { code: 'AI_BUDGET_EXHAUSTED', message: `AI analysis stopped: ${refusal}` },
      };
      this.noteBudgetRefusal(job, result.error.message);
      this.latestByMarket.set(job.market, result);
      return result;
    }
    this.summarizeBudgetRefusals();
    const chart = renderChart(input);
    const last = this.previousOk.get(job.market);
    if (last && last.result.chartSha256 === chart.sha256) {
      // Same chart as the last answer (no new candle): that answer stands, nothing is paid.
      this.log.info({ market: job.market, trigger: job.trigger }, 'AI analysis skipped: chart unchanged since the last answer');
      const same: AnalysisResult = { ...last.result, source: 'cache', calls: 0, costUsd: 0, usage: { promptTokens: 0, completionTokens: 0 } } as AnalysisResult;
      this.latestByMarket.set(job.market, same);
      return same;
    }
    const previous = job.followUp === false ? undefined : last?.answer;
    const result = await this.opts.client.analyze({ market: job.market, timeframe: input.timeframe, chart, vars, ...(job.language ? { language: job.language } : {}), ...(previous ? { previous } : {}) });
    this.latestByMarket.set(job.market, result);
    if (result.status === 'ok') this.previousOk.set(job.market, { answer: { answer: result.answer, vars }, result });
    return result;
  }
}

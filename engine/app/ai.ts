/**
 * The `ai` fact producer of an engine, built from strategies.yaml (`ai:` per strategy) and the
 * environment (SOLRULES_AI_*: base URL, model, key, budget). A run asks the configured model and
 * records every answer; a backtest replays recorded answers only and never builds a client that
 * could reach a network. Built only when an enabled strategy declares `ai:` — otherwise the engine
 * does no AI work at all.
 */
import { resolve } from 'node:path';
import { AiClient, AiFactProducer, AnalysisCache, AnalysisQueue, AnalysisRecorder, DailyBudget, aiConfigFromEnv, systemClock, type AiStrategySchedule, type Clock, type Language } from '../ai/index.ts';
import { durationMs, type StrategiesConfig } from '../config/index.ts';
import { SolrulesError, isSolrulesError } from '../errors/index.ts';
import { logger } from '../infra/telemetry/index.ts';

/** Where recorded answers go by default, relative to strategies.yaml. */
export const DEFAULT_AI_RECORDINGS = '.solrules/ai-analyses.jsonl';

/** How an engine gets its answers. */
export interface AiEngineOptions {
  /** live: the configured model (records every answer); replay: recordings only, no network (backtests); none: no client (facts stay missing). */
  mode: 'live' | 'replay' | 'none';
  /** Directory `recordings:` paths are relative to (strategies.yaml's). */
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  /** Tests: the HTTP client the AI client uses (a loopback server's). */
  fetch?: typeof fetch;
  /** Override when answers are awaited: a recording made through a backtest waits for each (default: inline when replaying, else background). */
  wait?: 'inline' | 'background';
}

/** The producer and what a summary or report says about it. */
export interface EngineAi {
  producer: AiFactProducer;
  /** Recorders by file (replay mode: which answers were replayed and which were missing). */
  recorders: Map<string, AnalysisRecorder>;
  /** Said once at start when the strategies' ai fact cannot become ready (no client configured, no recordings). */
  warnings: string[];
  /** Model the answers are asked of (live) or replayed for (replay); undefined without a client. */
  model?: string;
}

/** The enabled strategies' `ai:` schedules (queues filled in by buildEngineAi). */
export function aiSchedulesOf(cfg: StrategiesConfig, planned: (name: string) => boolean): Array<AiStrategySchedule & { recordings: string }> {
  const out: Array<AiStrategySchedule & { recordings: string }> = [];
  for (const [name, s] of Object.entries(cfg.strategies)) {
    if (!s.enabled || !s.ai || !planned(name)) continue;
    const timeframe = s.ai.timeframe ?? s.timeframe ?? '1h';
    const everyMs = durationMs(s.ai.every)!;
    const maxAgeMs = s.ai.maxAge ? durationMs(s.ai.maxAge)! : 2 * everyMs;
    out.push({
      strategy: name,
      everyMs,
      timeframe,
      timeframeMs: durationMs(timeframe)!,
      bars: s.ai.bars ?? 120,
      maxAgeSeconds: maxAgeMs / 1000,
      language: (s.ai.language ?? 'en') as Language,
      followUp: s.ai.followUp ?? true,
      recordings: s.ai.recordings ?? DEFAULT_AI_RECORDINGS,
    });
  }
  return out;
}

/** The engine's AI producer, or undefined when no enabled strategy declares `ai:` (then nothing AI runs per tick). */
export function buildEngineAi(cfg: StrategiesConfig, opts: AiEngineOptions, clock: Clock, planned: (name: string) => boolean): EngineAi | undefined {
  const schedules = aiSchedulesOf(cfg, planned);
  if (!schedules.length) return undefined;
  const env = opts.env ?? process.env;
  const log = logger().child({ component: 'ai' });
  const warnings: string[] = [];
  const recorders = new Map<string, AnalysisRecorder>();
  const files = [...new Set(schedules.map((s) => resolve(opts.baseDir, s.recordings)))];
  const strategiesOf = (file: string) => schedules.filter((s) => resolve(opts.baseDir, s.recordings) === file).map((s) => s.strategy).join(', ');
  // The day of the budget is the real UTC day (money is spent in real days, whatever time a replay shows).
  const clientClock: Clock = { now: clock.now, sleep: systemClock.sleep };
  const queues = new Map<string, AnalysisQueue>();
  let model: string | undefined;
  let notConfigured: string | undefined;
  if (opts.mode === 'replay') {
    for (const file of files) {
      const recorder = new AnalysisRecorder(file, 'replay', { missingOk: true });
      recorders.set(file, recorder);
      if (recorder.size === 0) warnings.push(`no recorded AI answers at ${file}: every analysis of ${strategiesOf(file)} will be missing, so its ai fact stays unready (record some with solrules run, or see docs/ai.md)`);
      // The request hash covers the model: replay the one the recordings were asked of.
      const models = recorder.models();
      const fileModel = env.SOLRULES_AI_MODEL || (models.length === 1 ? models[0] : undefined);
      if (!fileModel && models.length > 1) {
        throw new SolrulesError('AI_CONFIG', `${file} holds answers of several models (${models.join(', ')}); name the one to replay (solrules backtest --ai-model NAME)`, { field: 'SOLRULES_AI_MODEL', value: '' });
      }
      model ??= fileModel ?? 'none';
      const client = new AiClient({ model: fileModel ?? 'none', recorder, clock: clientClock, log });
      queues.set(file, new AnalysisQueue({ client, clock: clientClock, log }));
    }
  } else if (opts.mode === 'none') {
    notConfigured = 'this engine was built without an AI client';
    warnings.push(`strategies ${schedules.map((s) => s.strategy).join(', ')} read the ai fact, but this engine has no AI client: their ai fact stays unready (status missing)`);
  } else {
    try {
      const config = aiConfigFromEnv(env);
      const budget = new DailyBudget(config.budget, systemClock);
      const cache = new AnalysisCache();
      model = config.client.model;
      for (const file of files) {
        const recorder = new AnalysisRecorder(file, 'record');
        recorders.set(file, recorder);
        const client = new AiClient({ ...config.client, budget, recorder, clock: clientClock, log, ...(opts.fetch ? { fetch: opts.fetch } : {}) }, cache);
        queues.set(file, new AnalysisQueue({ client, clock: clientClock, budget, log }));
      }
    } catch (err) {
      if (!isSolrulesError(err, 'AI_CONFIG')) throw err;
      notConfigured = `${err.message} — the key comes from SOLRULES_AI_API_KEY (never strategies.yaml)`;
      warnings.push(`strategies ${schedules.map((s) => s.strategy).join(', ')} read the ai fact, but no AI client is configured (${err.message}): their ai fact stays unready (status missing) and rules on it cannot hold. docs/ai.md says how to point the engine at OpenAI or a local Ollama.`);
    }
  }
  const producer = new AiFactProducer({
    market: `${cfg.market.base.symbol}/${cfg.market.quote.symbol}`,
    schedules: schedules.map((s) => {
      const queue = queues.get(resolve(opts.baseDir, s.recordings));
      return { ...s, ...(queue ? { queue } : {}) };
    }),
    wait: opts.wait ?? (opts.mode === 'replay' ? 'inline' : 'background'),
    clock,
    log,
    ...(notConfigured ? { notConfigured } : {}),
  });
  return { producer, recorders, warnings, ...(model ? { model } : {}) };
}

/**
 * `solrules admin analyze MARKET` on this engine: the market's chart analysed now, its answer fed
 * to the fact. Problems (no AI client, no chart, too few candles) are an `ok: false` result with a
 * typed code, not an exception, so the admin command can print them plainly.
 */
export async function analyzeOnDemand(engine: { ai?: AiFactProducer | undefined }, market: string, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const refuse = (code: string, message: string) => ({ ok: false, market, error: { code, message } });
  if (!engine.ai) {
    try {
      aiConfigFromEnv(env);
    } catch (err) {
      if (isSolrulesError(err, 'AI_CONFIG')) return refuse('AI_NOT_CONFIGURED', `no AI client is configured in this engine: ${err.message} (the key comes from SOLRULES_AI_API_KEY, never strategies.yaml)`);
      throw err;
    }
    return refuse('AI_NO_CHART', 'no enabled strategy of this engine declares ai:, so it keeps no chart and nothing would read the answer; `solrules analyze --candles FILE` analyses a candles file on its own');
  }
  try {
    const done = await engine.ai.analyzeNow(market);
    return { ok: done.analyses.every((a) => a.result.status === 'ok'), ...done };
  } catch (err) {
    if (isSolrulesError(err)) return refuse(err.code, err.message);
    throw err;
  }
}

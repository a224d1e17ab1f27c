/**
 * AI chart analysis: charts rendered from our candles and indicators (PNG, no browser), read by a
 * vision model behind any OpenAI-compatible chat-completions API, validated against a schema,
 * queued within rate and money limits, recorded for replay, and turned into the `ai` fact.
 */
export type { Bar, ChartInput, IndicatorLine, Pane, TradeMarker, AnalysisAnswer, Recommendation } from './types.ts';
export { renderChart, DEFAULT_CHART_SIZE, type RenderedChart } from './chart/render.ts';
export { chartSvg, type ChartSize } from './chart/svg.ts';
export { defaultStudies, sma, ema, bollinger, rsi, macd } from './chart/studies.ts';
export { readCandlesCsv, parseCandlesCsv, aggregateBars, lastWindow, timeframeMs } from './chart/candles-file.ts';
export { ANSWER_SCHEMA, WIRE_SCHEMA, HORIZONS, parseAnswer, type ParsedAnswer } from './answer.ts';
export { LANGUAGES, PROMPT_VERSION, promptTemplate, type Language, type PromptVars } from './prompts.ts';
export {
  AiClient,
  AnalysisCache,
  DEFAULT_LIMITS,
  requestHashOf,
  type AiClientOptions,
  type AnalysisRequest,
  type AnalysisResult,
  type AnalysisSuccess,
  type AnalysisFailure,
  type AnalysisSource,
  type ResponseFormatMode,
} from './client.ts';
export { retryAfterMs, type HttpLimits } from './http.ts';
export { DailyBudget, costOf, type BudgetLimits, type BudgetStatus, type TokenPrices, type Usage } from './budget.ts';
export { AnalysisRecorder, type RecordedAnalysis, type RecorderMode, type ReplayReport } from './recorder.ts';
export { AnalysisQueue, promptVarsOf, type AnalysisJob, type Schedule, type QueueOptions, type Trigger } from './queue.ts';
export { aiFact, type AiFact, type AiFactStatus } from './fact.ts';
export { aiConfigFromEnv, type AiEnvConfig } from './config.ts';
export { systemClock, redactText, redactingLogger, type Clock, type AiLogger } from './support.ts';
export { AiFactProducer, CHART_WARMUP_BARS, MAX_CHART_FILLS, MIN_CHART_BARS, type AiStrategySchedule, type StrategyFill, type AiProducerOptions, type OnDemandAnalysis, type StreamCounts } from './producer.ts';
export { CandleBuilder } from './candle-builder.ts';

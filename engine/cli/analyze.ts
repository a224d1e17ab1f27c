/** `solrules analyze --candles FILE`: renders a chart from candles and (unless --dry-run) asks the configured vision model about it. */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  AiClient,
  AnalysisRecorder,
  DailyBudget,
  aggregateBars,
  aiConfigFromEnv,
  aiFact,
  defaultStudies,
  lastWindow,
  LANGUAGES,
  promptVarsOf,
  readCandlesCsv,
  renderChart,
  systemClock,
  timeframeMs,
  type Language,
  type TradeMarker,
} from '../ai/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'render a candle chart with indicators to PNG and ask a vision model for buy / sell / hold';

const USAGE = `usage: solrules analyze --candles FILE [--timeframe 1h] [--bars 120] [--end TIME]
                        [--market NAME] [--trades FILE] [--out chart.png] [--language en|es|de]
                        [--dry-run] [--record FILE | --replay FILE] [--format text|json]

Renders the last --bars candles of FILE (CSV: timestamp,open,high,low,close[,volume]),
aggregated to --timeframe, with SMA 20/50, Bollinger(20,2), volume, RSI 14 and MACD 12/26/9,
to a 1024x768 PNG (--out). --end cuts the candles at a UTC time (e.g. 2025-06-01T00:00).
--trades marks trades from a CSV with the header time,side,price (side buy or sell).

Unless --dry-run, sends the chart to the OpenAI-compatible API configured by
  SOLRULES_AI_BASE_URL   e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama)
  SOLRULES_AI_MODEL      e.g. gpt-4o-mini or llama3.2-vision
  SOLRULES_AI_API_KEY    (not needed for a local server; never printed)
and prints the validated answer and the resulting \`ai\` fact. --record appends the answer to a
JSON-lines file; --replay answers from such a file only (no network).
Exit 0 on an answer, 1 when the analysis failed, 2 on usage errors.`;

/** Trades CSV (time,side,price); errors name file, line and column. */
function readTrades(file: string): TradeMarker[] {
  const rows = readFileSync(file, 'utf8').split(/\r?\n/);
  if (rows[0]?.trim() !== 'time,side,price') throw new UsageError(`${file}:1:1: header must be 'time,side,price'`);
  return rows.slice(1).flatMap((row, i) => {
    if (row.trim() === '') return [];
    const [time, side, price] = row.split(',').map((c) => c.trim());
    const at = Date.parse(/[zZ]$/.test(time ?? '') ? time! : `${time}Z`);
    if (!Number.isFinite(at)) throw new UsageError(`${file}:${i + 2}:1: time '${time}' is not a UTC time`);
    if (side !== 'buy' && side !== 'sell') throw new UsageError(`${file}:${i + 2}:${(time ?? '').length + 2}: side must be buy or sell, got '${side}'`);
    const p = Number(price);
    if (!(p > 0)) throw new UsageError(`${file}:${i + 2}:${(time ?? '').length + side.length + 3}: price '${price}' is not a positive number`);
    return [{ time: at, side, price: p }];
  });
}

function nativeStep(times: readonly number[]): number {
  const steps = times.slice(1, 50).map((t, i) => t - times[i]!);
  return Math.min(...steps);
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(
      argv,
      {
        candles: { type: 'string' },
        timeframe: { type: 'string' },
        bars: { type: 'string' },
        end: { type: 'string' },
        market: { type: 'string' },
        trades: { type: 'string' },
        out: { type: 'string' },
        language: { type: 'string' },
        'dry-run': { type: 'boolean' },
        record: { type: 'string' },
        replay: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      false,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.candles) throw new UsageError('--candles FILE is required');
    if (values.record && values.replay) throw new UsageError('--record and --replay exclude each other');
    const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
    const language = oneOf('language', values.language, LANGUAGES, 'en') as Language;
    const count = values.bars === undefined ? 120 : Number(values.bars);
    if (!Number.isInteger(count) || count < 20 || count > 400) throw new UsageError(`--bars must be an integer from 20 to 400; got '${values.bars}'`);

    let bars = readCandlesCsv(values.candles);
    if (values.end) {
      const end = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(values.end) ? values.end : `${values.end}Z`);
      if (!Number.isFinite(end)) throw new UsageError(`--end is not a time: '${values.end}'`);
      bars = bars.filter((b) => b.time < end);
    }
    if (bars.length < 2) throw new UsageError(`${values.candles}: fewer than 2 candles${values.end ? ` before ${values.end}` : ''}`);
    const native = nativeStep(bars.map((b) => b.time));
    const step = values.timeframe ? timeframeMs(values.timeframe) : native;
    if (step < native || step % native !== 0) throw new UsageError(`--timeframe ${values.timeframe} is not a multiple of the file's ${native / 60_000} min candles`);
    const timeframe = values.timeframe ?? (native % 3_600_000 === 0 ? `${native / 3_600_000}h` : `${native / 60_000}m`);
    if (step > native) bars = aggregateBars(bars, step);
    // Indicators over up to 300 earlier bars so the shown ones are warmed up.
    const history = bars.slice(-(count + 300));
    const window = lastWindow(history, defaultStudies(history), count);
    const trades = values.trades ? readTrades(values.trades) : [];
    const input = { market: values.market ?? basename(values.candles).replace(/\.[^.]+$/, ''), timeframe, ...window, trades };

    const started = performance.now();
    const chart = renderChart(input);
    const renderMs = performance.now() - started;
    if (values.out) writeFileSync(values.out, chart.png);
    const rendered = { out: values.out ?? null, bytes: chart.png.length, width: chart.width, height: chart.height, sha256: chart.sha256, renderMs: Math.round(renderMs) };
    if (format === 'text') console.error(`chart: ${input.market} ${timeframe}, ${input.bars.length} bars, ${chart.width}x${chart.height}, ${chart.png.length} bytes, rendered in ${rendered.renderMs} ms${values.out ? ` -> ${values.out}` : ' (not written: no --out)'}`);
    if (values['dry-run']) {
      if (format === 'json') console.log(JSON.stringify({ chart: rendered }, null, 2));
      return 0;
    }

    let client: AiClient;
    let budget: DailyBudget | undefined;
    let recorder: AnalysisRecorder | undefined;
    try {
      recorder = values.replay ? new AnalysisRecorder(values.replay, 'replay') : values.record ? new AnalysisRecorder(values.record, 'record') : undefined;
      if (values.replay) {
        client = new AiClient({ model: process.env.SOLRULES_AI_MODEL ?? 'replay', recorder: recorder! });
      } else {
        const config = aiConfigFromEnv();
        budget = new DailyBudget(config.budget, systemClock);
        client = new AiClient({ ...config.client, budget, ...(recorder ? { recorder } : {}) });
      }
    } catch (err) {
      if (isSolrulesError(err)) {
        console.error(`error [${err.code}]: ${err.message}`);
        return 1;
      }
      throw err;
    }
    const result = await client.analyze({ market: input.market, timeframe, chart, vars: promptVarsOf(input), language });
    const fact = aiFact(input.market, result, systemClock.now(), 3600);
    if (format === 'json') {
      console.log(JSON.stringify({ chart: rendered, result, fact, ...(recorder?.mode === 'replay' ? { replay: recorder.replayReport() } : {}) }, null, 2));
    } else if (result.status === 'ok') {
      console.log(JSON.stringify(result.answer, null, 2));
      console.error(`model ${result.model} (${result.source}), ${result.calls} call(s), ${result.usage.promptTokens}+${result.usage.completionTokens} tokens, est. $${result.costUsd.toFixed(5)}`);
    } else {
      console.error(`analysis ${result.status} [${result.error.code}]: ${result.error.message}`);
    }
    return result.status === 'ok' ? 0 : 1;
  });
}

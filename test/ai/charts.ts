/** Real SOL/USDT 1h candles (shared fixture) cut into chart inputs for AI tests. */
import { defaultStudies, lastWindow, readCandlesCsv, renderChart, promptVarsOf, type AnalysisRequest, type Bar, type ChartInput } from '../../engine/ai/index.ts';
import { sharedFixture } from '../support/paths.ts';

export const CANDLES_FILE = sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv');

let all: Bar[] | undefined;
/** Bars of the fixture (the last, possibly open, bar dropped). */
export function fixtureBars(): Bar[] {
  all ??= readCandlesCsv(CANDLES_FILE).slice(0, -1);
  return all;
}

/** A chart of 120 bars ending `endOffset` bars before the fixture's end. */
export function chartInput(endOffset = 0): ChartInput {
  const bars = fixtureBars().slice(0, fixtureBars().length - endOffset).slice(-400);
  const w = lastWindow(bars, defaultStudies(bars), 120);
  return { market: 'SOL/USDT', timeframe: '1h', bars: w.bars, indicators: w.indicators };
}

/** An analysis request for the chart ending `endOffset` bars before the end. */
export function request(endOffset = 0, extra: Partial<AnalysisRequest> = {}): AnalysisRequest {
  let base = rendered.get(endOffset);
  if (!base) {
    const input = chartInput(endOffset);
    base = { market: input.market, timeframe: input.timeframe, chart: renderChart(input), vars: promptVarsOf(input) };
    rendered.set(endOffset, base);
  }
  return { ...base, ...extra };
}
// Rendering costs ~50 ms of CPU; tests reuse charts (the renderer is deterministic).
const rendered = new Map<number, AnalysisRequest>();

/**
 * `npm run bench:ai`: chart rendering for AI analysis. Renders 1024×768 charts (120 bars, SMA
 * 20/50, Bollinger, volume, RSI, MACD) from real SOL/USDT 1h candles, and beside it, in the same
 * run, the baseline: resvg rasterizing a blank 1024×768 SVG with one line of text (the fixed cost
 * of the rasterizer, fonts and PNG encoding). Prints median ms per chart and PNG sizes.
 *
 * Options (environment): BENCH_CHARTS (charts per measurement, default 30).
 */
import { Resvg } from '@resvg/resvg-js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chartSvg, defaultStudies, lastWindow, readCandlesCsv, renderChart, DEFAULT_CHART_SIZE, type ChartInput } from '../engine/ai/index.ts';
import { sharedFixture } from '../test/support/paths.ts';

const N = Number(process.env.BENCH_CHARTS ?? 30);
const all = readCandlesCsv(sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv')).slice(0, -1);
const inputs: ChartInput[] = [];
for (let i = 0; i < N; i++) {
  const bars = all.slice(0, all.length - i * 24).slice(-420);
  inputs.push({ market: 'SOL/USDT', timeframe: '1h', ...lastWindow(bars, defaultStudies(bars), 120) });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

function time(fn: (i: number) => void): number[] {
  fn(0); // warm-up (JIT, font parsing)
  return inputs.map((_, i) => {
    const t = performance.now();
    fn(i);
    return performance.now() - t;
  });
}

const blank = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="768"><rect width="1024" height="768" fill="#fff"/><text x="8" y="20" font-size="15">SOL/USDT</text></svg>`;
const baseline = time(() => new Resvg(blank, { font: { loadSystemFonts: false, fontFiles: [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')], defaultFontFamily: 'DejaVu Sans' } }).render().asPng());
const svgOnly = time((i) => chartSvg(inputs[i]!, DEFAULT_CHART_SIZE));
const sizes: number[] = [];
const full = time((i) => sizes.push(renderChart(inputs[i]!).png.length));
sizes.shift();

const f = (ms: number) => ms.toFixed(1).padStart(7);
console.log(`charts: ${N} × 1024x768, 120 bars each, 8 indicator lines, real SOL/USDT 1h candles`);
console.log(`baseline blank SVG -> PNG (resvg + fonts + encode): ${f(median(baseline))} ms median`);
console.log(`chart SVG build only:                              ${f(median(svgOnly))} ms median`);
console.log(`chart render (SVG + rasterize + PNG):              ${f(median(full))} ms median, max ${f(Math.max(...full))} ms`);
console.log(`PNG size: median ${median(sizes)} bytes, min ${Math.min(...sizes)}, max ${Math.max(...sizes)}; as base64 data URL ~${Math.round((median(sizes) * 4) / 3 / 1024)} KiB per request`);
console.log(`ratio chart/baseline: ${(median(full) / median(baseline)).toFixed(2)}x`);

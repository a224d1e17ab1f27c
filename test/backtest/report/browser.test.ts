/**
 * The HTML report in a REAL headless Chromium (Debian's `chromium`), on the full 47,360-bar SOL 1h
 * series (TEST INPUT from sample.ts): it loads from file:// with no console error, every chart has
 * ink and data, every trade marker is drawn, the trades table has one row per trade, and zooming
 * switches to candles. Screenshots go to a temp dir (or SOLRULES_REPORT_SCREENSHOT=path.png).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeReport } from '../../../engine/backtest/report/index.ts';
import { HeadlessPage, requireChromium } from '../../support/browser.ts';
import { sampleResult, twoMarketResult } from './sample.ts';

interface Draws {
  price: { bars: number; candles: number; columns: number; markers: number; tradeLines: number; overlays: number; markersInMarket: number };
  equity: { columns: number };
  drawdown: { columns: number };
  [k: string]: unknown;
}
const nextFrames = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';

test('the report renders in headless Chromium with data in every chart (47,360 bars)', { timeout: 180_000 }, async (t) => {
  const chromium = requireChromium(t);
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-report-browser-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const t0 = performance.now();
  const { result, candles } = sampleResult();
  const written = writeReport(result, dir);
  const writeMs = performance.now() - t0;
  const fills = result.strategies.reduce((n, s) => n + s.fills.length, 0);
  const trades = result.strategies.reduce((n, s) => n + s.trades.length, 0);
  const closed = result.strategies.reduce((n, s) => n + s.trades.filter((x) => x.exitTimeMs !== null).length, 0);
  assert.equal(candles.timeMs.length, 47_360);

  const page = await HeadlessPage.launch(chromium, 1400, 1250);
  t.after(() => page.close());
  const loadMs = await page.goto(pathToFileURL(written.htmlPath).href);
  const r = await page.eval<{ ready: boolean; errors: string[]; renderMs: number; sinceNavigationMs: number; draws: Draws }>(
    '({ ready: __report.ready, errors: __report.errors, renderMs: __report.renderMs, sinceNavigationMs: __report.sinceNavigationMs, draws: __report.draws })');
  assert.deepEqual(page.problems, [], 'no console error, exception or browser log error');
  assert.equal(r.ready, true);
  assert.deepEqual(r.errors, []);

  // Whole span in view: one aggregated candle per pixel column, every marker drawn.
  const width = await page.eval<number>("document.querySelector('.chart canvas').clientWidth");
  const plotW = width - 80;
  assert.equal(r.draws.price.bars, 47_360);
  assert.equal(r.draws.price.candles, 0, '47k bars do not fit as candles: aggregated per pixel');
  assert.ok(r.draws.price.columns >= plotW * 0.95 && r.draws.price.columns <= plotW + 1, `price columns ${r.draws.price.columns} ≈ plot width ${plotW}`);
  assert.equal(r.draws.price.markersInMarket, fills);
  assert.equal(r.draws.price.markers, fills, 'no trade marker dropped by downsampling');
  assert.equal(r.draws.price.tradeLines, closed);
  assert.ok(r.draws.price.overlays >= 5 * plotW * 0.95, `sma ×2 and bands ×3 drawn (${r.draws.price.overlays} columns)`);
  assert.ok((r.draws['osc:RSI'] as { columns: number }).columns >= plotW * 0.95, 'RSI pane drawn');
  assert.ok(r.draws.equity.columns >= 3 * plotW * 0.95, 'portfolio + 2 strategy equity curves drawn');
  assert.ok(r.draws.drawdown.columns >= 3 * plotW * 0.95, 'drawdown curves drawn');

  // Ink on every canvas: share of non-white pixels.
  const ink = await page.eval<Array<{ chart: string; inked: number }>>(`Array.from(document.querySelectorAll('.chart')).map((w) => {
    const c = w.querySelector('canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
    return { chart: w.dataset.chart, inked: n / (d.length / 4) };
  })`);
  assert.deepEqual(ink.map((c) => c.chart), ['price', 'osc:RSI', 'equity', 'drawdown']);
  for (const c of ink) assert.ok(c.inked > 0.03, `${c.chart}: ${(c.inked * 100).toFixed(1)} % inked`);

  // What the page decoded is the data (7 significant digits at the largest price), gaps (not-ready SMA) kept as gaps.
  const decoded = await page.eval<{ close: number; sma0: boolean; sma60: number }>(
    '({ close: __report.market(0).c[30000], sma0: Number.isNaN(__report.market(0).ind[0].v[0]), sma60: __report.market(0).ind[0].v[60] })');
  assert.ok(Math.abs(decoded.close / candles.close[30_000]! - 1) < 1e-5, `close[30000] ${decoded.close} vs ${candles.close[30_000]}`);
  assert.equal(decoded.sma0, true);
  let s = 0;
  for (let i = 41; i <= 60; i++) s += candles.close[i]!;
  assert.ok(Math.abs(decoded.sma60 / (s / 20) - 1) < 1e-4, 'sma 20 at bar 60');

  // Tables: one row per trade, one column per strategy + the portfolio, SIMULATED stated.
  const tables = await page.eval<{ trades: number; metricCols: string[]; text: string }>(`({
    trades: document.querySelectorAll('#trades tbody tr').length,
    metricCols: Array.from(document.querySelectorAll('#metrics thead th')).map((x) => x.textContent),
    text: document.body.innerText })`);
  assert.equal(tables.trades, trades);
  assert.deepEqual(tables.metricCols, ['metric', 'sma-cross', 'rsi-revert', 'portfolio', 'convention']);
  assert.match(tables.text, /SIMULATED fills/);

  const shotDir = process.env.SOLRULES_REPORT_SCREENSHOT ?? join(dir, 'report.png');
  const overview = await page.screenshot();
  writeFileSync(shotDir, overview);

  // Zoom: the 1W button shows real candles; a trade row click brings its entry and exit markers into view.
  await page.eval(`document.querySelector('button[data-range="7"]').click(); ${nextFrames}`);
  const week = await page.eval<Draws['price']>('__report.draws.price');
  assert.ok(week.candles > 100 && week.candles <= 7 * 24 + 2, `1W = about 168 candles, got ${week.candles}`);
  assert.equal(week.columns, 0);
  await page.eval(`document.querySelectorAll('#trades tbody tr')[100].click(); ${nextFrames}`);
  const zoomed = await page.eval<Draws['price']>('__report.draws.price');
  assert.ok(zoomed.candles > 0 && zoomed.markers >= 2, `trade zoom: ${zoomed.candles} candles, ${zoomed.markers} markers`);
  await page.eval(`document.querySelector('.chart').dispatchEvent(new WheelEvent('wheel', { deltaY: 100, clientX: 600, clientY: 300, bubbles: true, cancelable: true })); ${nextFrames}`);
  await page.eval(`document.getElementById('logscale').click(); ${nextFrames}`);
  const zoomShot = await page.screenshot();
  writeFileSync(shotDir.replace(/\.png$/, '') + '-zoom.png', zoomShot);
  assert.deepEqual(page.problems, [], 'no error while zooming');
  assert.deepEqual(await page.eval('__report.errors'), []);

  process.stderr.write(`backtest report at 47,360 bars: HTML ${(written.htmlBytes / 1e6).toFixed(2)} MB, built+written in ${writeMs.toFixed(0)} ms; `
    + `chromium load ${loadMs.toFixed(0)} ms (first draw done ${r.sinceNavigationMs.toFixed(0)} ms after navigation start, script ${r.renderMs.toFixed(0)} ms); screenshot ${shotDir}\n`);
});

test('two markets: the selector swaps price and oscillator panes; trades without fills still get markers', { timeout: 120_000 }, async (t) => {
  const chromium = requireChromium(t);
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-report-browser2-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = twoMarketResult(1_000);
  const written = writeReport(result, dir);
  const page = await HeadlessPage.launch(chromium, 1200, 1000);
  t.after(() => page.close());
  await page.goto(pathToFileURL(written.htmlPath).href);
  const charts = () => page.eval<string[]>("Array.from(document.querySelectorAll('.chart')).map((w) => w.dataset.chart)");
  assert.deepEqual(await charts(), ['price', 'equity', 'drawdown'], 'SOL has no oscillator');
  const sol = result.strategies[0]!, ray = result.strategies[1]!;
  assert.equal((await page.eval<Draws['price']>('__report.draws.price')).markers, sol.fills.length);

  await page.eval(`const s = document.getElementById('market'); s.value = '1'; s.dispatchEvent(new Event('change')); ${nextFrames}`);
  assert.deepEqual(await charts(), ['price', 'osc:MACD 12,26,9', 'equity', 'drawdown']);
  const p = await page.eval<Draws['price']>('__report.draws.price');
  const rayMarkers = ray.trades.reduce((n, x) => n + (x.exitTimeMs === null ? 1 : 2), 0);
  assert.ok(ray.trades.length > 5 && ray.fills.length === 0, 'RAY strategy reports trades only');
  assert.equal(p.markers, rayMarkers, 'entry and exit markers taken from the trades');
  const macd = await page.eval<{ columns: number }>("__report.draws['osc:MACD 12,26,9']");
  assert.ok(macd.columns > 300, `MACD pane drawn (${macd.columns} columns)`);

  // A SOL trade row brings SOL back into the selector and the chart.
  const solRow = await page.eval<number>(`Array.from(document.querySelectorAll('#trades tbody tr')).findIndex((r) => r.dataset.market === 'SOL/USDT')`);
  await page.eval(`document.querySelectorAll('#trades tbody tr')[${solRow}].click(); ${nextFrames}`);
  assert.equal(await page.eval("document.getElementById('market').value"), '0');
  assert.deepEqual(await charts(), ['price', 'equity', 'drawdown']);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(await page.eval('__report.errors'), []);
});

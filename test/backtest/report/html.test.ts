/**
 * The report files without a browser: self-contained HTML (nothing to fetch), the SIMULATED label,
 * one table row per trade, and exact atoms in the JSON (checked against the equity curve's own atoms).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReportModel, pack, reportHtml, writeReport } from '../../../engine/backtest/report/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sampleResult } from './sample.ts';

test('report.html is self-contained and labelled SIMULATED; report.json keeps atoms exact', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { result } = sampleResult(3_000);
  const w = writeReport(result, dir);
  const html = readFileSync(w.htmlPath, 'utf8');

  assert.doesNotMatch(html, /<link\b/i, 'no external stylesheet');
  assert.doesNotMatch(html, /\b(src|href)\s*=/i, 'no src/href: nothing is loaded from anywhere');
  assert.doesNotMatch(html, /https?:\/\//i, 'no URL at all');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/, 'the page forbids itself any fetch');
  assert.match(html, /SIMULATED fills/);
  assert.match(html, /TEST INPUT/);

  const trades = result.strategies.reduce((n, s) => n + s.trades.length, 0);
  assert.ok(trades > 10, `the sample has trades (${trades})`);
  const tbody = /<table id="trades">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1]!;
  assert.equal((tbody.match(/<tr /g) ?? []).length, trades);

  const json = JSON.parse(readFileSync(w.jsonPath, 'utf8'));
  assert.equal(json.simulated, true);
  for (const [i, s] of json.strategies.entries()) {
    const eq = result.strategies[i]!.equity as unknown as { equityQuoteAtoms: bigint[] };
    const last = eq.equityQuoteAtoms[eq.equityQuoteAtoms.length - 1]!;
    // All-in sizing: every quote atom of P&L shows in the equity; Σ trade P&L = final − initial equity, exactly.
    assert.equal(s.metrics.pnl[0].atoms, (last - 10_000_000_000n).toString(), `${s.id}: P&L atoms`);
    assert.deepEqual(s.metrics.finalEquityExact, { atoms: last.toString(), decimals: 6, symbol: 'USDT' });
    assert.match(s.trades[0].pnlQuoteAtoms, /^-?\d+$/, 'bigints are decimal strings');
    assert.match(s.fills[0].sizeAtoms, /^\d+$/);
  }
});

test('packed columns keep gaps and round to the stated significant digits', () => {
  const p = pack([Number.NaN, 143.5612, 143.4, Number.NaN, 1.18], 6);
  assert.equal(p.e, -3); // 143.xxx: 3 integer digits, 6 significant → units of 0.001
  assert.deepEqual(p.d, [null, 143561, -161, null, -142220]);
});

test('a negative fee or a missing fill model is refused with the field named', () => {
  const { result } = sampleResult(200);
  result.metadata.fillModel.feeBps = -1;
  assert.throws(() => buildReportModel(result), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'metadata.fillModel.feeBps');
  const r2 = sampleResult(200).result;
  (r2.metadata as { fillModel: unknown }).fillModel = undefined;
  assert.throws(() => buildReportModel(r2), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'metadata.fillModel.description');
});

test('a strategy that never traded reports n/a ratios, an empty trades table and no markers', () => {
  const { result } = sampleResult(300);
  const idle = result.strategies[0]!;
  idle.trades = [];
  idle.fills = [];
  idle.equity = { timeMs: (result.markets[0]!.bars as unknown as { timeMs: Float64Array }).timeMs, equityUsd: new Float64Array(300).fill(10_000) };
  result.strategies = [idle];
  result.portfolio = { initialEquityUsd: 10_000, equity: idle.equity };
  const model = buildReportModel(result);
  const m = model.portfolio.metrics;
  assert.equal(m.trades, 0);
  assert.equal(m.winRatePct, null);
  assert.equal(m.sharpe, null, 'flat equity: stdev 0');
  assert.equal(m.maxDrawdownPct, 0);
  assert.equal(m.exposurePct, 0);
  const html = reportHtml(model);
  assert.match(html, /<table id="trades">.*?<tbody><\/tbody>/s);
  assert.match(html, /"markers":\[\]/);
});

test('a market without bars is refused', () => {
  const { result } = sampleResult(10);
  result.markets[0]!.bars = [];
  assert.throws(() => buildReportModel(result), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'markets[0].bars');
});

/**
 * The report as ONE self-contained HTML page: tables written here as static HTML (readable with
 * scripts off), charts drawn on canvas by the inline script in assets/report.js from a compact
 * inline JSON payload. Nothing is fetched: no CDN, no font, no image.
 */
import { readFileSync } from 'node:fs';
import { formatAtoms, tradeReturnPct, type AtomAmount, type Metrics } from './metrics.ts';
import type { CurveModel, MarketModel, ReportModel } from './report.ts';
import type { AiSection, Fill, IndicatorSeries, Trade } from './types.ts';

const ASSETS = new URL('./assets/', import.meta.url);
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#d62728'];

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `2024-03-01 14:00` (UTC). */
export function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `3d 4h`, `45m` … */
export function duration(ms: number): string {
  const m = Math.round(ms / 60_000);
  const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', mm ? `${mm}m` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0m';
}

const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const pct = (x: number | null) => (x === null ? 'n/a' : `${num(x)} %`);
const usd = (x: number | null) => (x === null ? 'n/a' : `$${num(x)}`);
const atoms = (xs: AtomAmount[]) => (xs.length ? xs.map((a) => `${formatAtoms(a.atoms, a.decimals)} ${a.symbol}`).join('<br>') : '0');
/** Prices to 6 significant digits, never in exponent form. */
export function price(x: number | null): string {
  if (x === null) return '—';
  const digits = Math.max(0, Math.min(10, 5 - Math.floor(Math.log10(Math.abs(x) || 1))));
  return x.toFixed(digits);
}

const METRIC_ROWS: Array<[string, (m: Metrics) => string, string]> = [
  ['Initial equity', (m) => usd(m.initialEquityUsd), 'USD at the start of the period'],
  ['Final equity', (m) => usd(m.finalEquityUsd), 'marked to market at the last close'],
  ['Final equity (exact)', (m) => (m.finalEquityExact ? atoms([m.finalEquityExact]) : 'n/a'), 'from the runner\'s atoms, when it keeps them'],
  ['Total return', (m) => pct(m.totalReturnPct), 'E_end / E_0 − 1'],
  ['CAGR', (m) => pct(m.cagrPct), '(E_end / E_0)^(365 d / period) − 1'],
  ['Buy & hold', (m) => pct(m.buyAndHoldPct), 'last close / first close − 1 of its market(s), equal-weighted, no fees'],
  ['Max drawdown', (m) => pct(m.maxDrawdownPct), 'max of 1 − E / running peak'],
  ['Max drawdown: peak → trough', (m) => (m.maxDrawdownPct > 0 ? `${utc(m.maxDrawdownPeakMs)} → ${utc(m.maxDrawdownTroughMs)}` : '—'), 'valuation times (bar closes)'],
  ['Max drawdown: recovered', (m) => (m.maxDrawdownPct === 0 ? '—' : m.maxDrawdownRecoveryMs === null ? 'not recovered' : utc(m.maxDrawdownRecoveryMs)), 'first close back at the peak'],
  ['Longest drawdown', (m) => `${duration(m.longestDrawdownMs)}${m.longestDrawdownOpen ? ' (still open)' : ''}`, 'peak → first close back at or above it'],
  ['Sharpe', (m) => num(m.sharpe), 'daily returns, mean / sample stdev · √365, rf 0'],
  ['Sortino', (m) => num(m.sortino), 'daily returns, mean / √(Σmin(r,0)²/n) · √365'],
  ['Calmar', (m) => num(m.calmar), 'CAGR / max drawdown'],
  ['Volatility (ann.)', (m) => pct(m.annualVolatilityPct), 'sample stdev of daily returns · √365'],
  ['Return periods', (m) => `${m.returnPeriods} × ${num(m.periodsPerYear, m.periodsPerYear % 1 ? 2 : 0)}/yr`, 'UTC days with a valuation'],
  ['Exposure', (m) => pct(m.exposurePct), 'time with an open position / period'],
  ['Trades (closed)', (m) => String(m.trades), ''],
  ['Open at end', (m) => String(m.openTrades), 'marked at the last close, not in trade statistics'],
  ['Win rate', (m) => pct(m.winRatePct), 'trades with net P&L > 0'],
  ['Profit factor', (m) => num(m.profitFactor), 'Σ winning P&L / |Σ losing P&L| (atoms)'],
  ['Expectancy', (m) => `${usd(m.expectancyUsd)} · ${pct(m.expectancyPct)}`, 'mean net P&L per trade · mean trade return'],
  ['Best / worst trade', (m) => `${pct(m.bestTradePct)} / ${pct(m.worstTradePct)}`, 'net P&L / entry value'],
  ['Avg holding time', (m) => (m.avgHoldingMs === null ? 'n/a' : `${duration(m.avgHoldingMs)} (${num(m.avgBarsHeld, 1)} bars)`), 'exit − entry'],
  ['Net P&L (exact)', (m) => atoms(m.pnl), 'Σ trade P&L in atoms, open trades marked'],
  ['Realized P&L (exact)', (m) => atoms(m.realizedPnl), 'closed trades only'],
  ['Net P&L (USD)', (m) => usd(m.pnlUsd), ''],
  ['Fees paid (exact)', (m) => atoms(m.fees), ''],
  ['Fees paid (USD)', (m) => usd(m.feesUsd), ''],
  ['Fills', (m) => String(m.fills), 'simulated'],
];

function metricsTable(model: ReportModel): string {
  const cols: CurveModel[] = [...model.strategies, model.portfolio];
  const head = cols.map((c) => `<th>${esc(c.id)}</th>`).join('');
  const rows = METRIC_ROWS.map(([label, f, how]) => `<tr><th title="${esc(how)}">${esc(label)}</th>${cols.map((c) => `<td>${f(c.metrics)}</td>`).join('')}<td class="how">${esc(how)}</td></tr>`);
  return `<table id="metrics"><thead><tr><th>metric</th>${head}<th class="how">convention</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metadataTable(model: ReportModel): string {
  const md = model.result.metadata;
  const fm = md.fillModel;
  const rows: Array<[string, string]> = [
    ['Fills', `<b class="sim">SIMULATED</b> — ${esc(fm.description)} (fill at: ${esc(fm.fillAt)}; fee ${fm.feeBps} bps; slippage ${fm.slippageBps} bps). Nothing was sent to any chain.`],
    ['Strategies', model.strategies.map((s) => `${esc(s.id)} <span class="dim">(${esc(s.source.kind)} on ${esc(s.source.marketIds.join(', '))}${s.source.description ? `; ${esc(s.source.description)}` : ''})</span>`).join('<br>')],
    ['Markets', model.markets.map((m) => `${esc(m.source.id)} <span class="dim">(${m.bars.timeMs.length.toLocaleString('en-US')} bars of ${duration(m.source.intervalMs)})</span>`).join('<br>')],
    ['Timeframe', esc(md.timeframe)],
    ['Period (UTC)', `${utc(md.period.fromMs)} → ${utc(md.period.toMs)} (${duration(md.period.toMs - md.period.fromMs)})`],
    ['Seed', md.seed === null ? 'none (deterministic)' : esc(md.seed)],
    ['Data files', md.dataFiles.map((f) => `${esc(f.path)}${f.rows !== undefined ? ` <span class="dim">(${f.rows} rows)</span>` : ''}${f.sha256 ? ` <span class="dim">sha256 ${esc(f.sha256)}</span>` : ''}`).join('<br>') || '—'],
    ['Rule-set hash', `<code>${esc(md.ruleSetHash)}</code>`],
    ['Engine', esc(md.engineVersion ?? '—')],
    ['Generated', esc(md.generatedAt)],
    ...(md.notes ?? []).map((n): [string, string] => ['Note', esc(n)]),
  ];
  return `<table id="metadata">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function tradesTable(model: ReportModel): string {
  const mk = new Map(model.markets.map((m) => [m.source.id, m.source]));
  const all: Trade[] = model.strategies.flatMap((s) => s.source.trades).sort((a, b) => a.entryTimeMs - b.entryTimeMs);
  const rows = all.map((t, i) => {
    const m = mk.get(t.marketId)!;
    const cls = t.pnlQuoteAtoms > 0n ? 'win' : t.pnlQuoteAtoms < 0n ? 'loss' : '';
    return `<tr class="${cls}" data-market="${esc(t.marketId)}" data-entry="${t.entryTimeMs}" data-exit="${t.exitTimeMs ?? ''}"><td>${i + 1}</td><td>${esc(t.strategyId)}</td><td>${esc(t.marketId)}</td>`
      + `<td>${utc(t.entryTimeMs)}</td><td>${price(t.entryPrice)}</td><td>${t.exitTimeMs === null ? 'open' : utc(t.exitTimeMs)}</td><td>${price(t.exitPrice)}</td>`
      + `<td>${formatAtoms(t.sizeAtoms, m.base.decimals)} ${esc(m.base.symbol)}</td><td>${formatAtoms(t.pnlQuoteAtoms, m.quote.decimals)} ${esc(m.quote.symbol)}</td>`
      + `<td>${usd(t.pnlUsd)}</td><td>${pct(tradeReturnPct(t))}</td><td>${formatAtoms(t.feesQuoteAtoms, m.quote.decimals)}</td><td>${t.barsHeld}</td><td>${esc(t.exitReason ?? '—')}</td></tr>`;
  });
  return `<table id="trades"><thead><tr><th>#</th><th>strategy</th><th>market</th><th>entry (UTC)</th><th>entry price</th><th>exit (UTC)</th><th>exit price</th><th>size</th><th>net P&amp;L</th><th>P&amp;L USD</th><th>return</th><th>fees</th><th>bars held</th><th>exit reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * A column for drawing, compact: integers in units of 10^e (e chosen for `digits` significant
 * digits at the column's largest magnitude), delta-encoded; NaN → null (a gap, delta chain kept).
 */
export interface PackedColumn { e: number; d: Array<number | null> }

/** Packs a column; the page decodes value = Σd · 10^e. */
export function pack(col: ArrayLike<number>, digits: number): PackedColumn {
  let max = 0;
  for (let i = 0; i < col.length; i++) if (Number.isFinite(col[i]!)) max = Math.max(max, Math.abs(col[i]!));
  const e = (max > 0 ? Math.floor(Math.log10(max)) + 1 : 1) - digits;
  // Multiplying by an exact power of ten (not by 10^e < 1) keeps decimals like 0.1 exact.
  const toUnits = e < 0 ? (v: number) => Math.round(v * 10 ** -e) : (v: number) => Math.round(v / 10 ** e);
  const d = new Array<number | null>(col.length);
  let prev = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    if (!Number.isFinite(v)) { d[i] = null; continue; }
    const units = toUnits(v);
    d[i] = units - prev;
    prev = units;
  }
  return { e, d };
}

/** Times as deltas (seconds when every time is whole seconds): `{t0, unit, d}`. */
function times(col: Float64Array): { t0: number; unit: number; d: number[] } {
  const unit = col.every((t) => t % 1000 === 0) ? 1000 : 1;
  const d = new Array<number>(Math.max(0, col.length - 1));
  for (let i = 1; i < col.length; i++) d[i - 1] = (col[i]! - col[i - 1]!) / unit;
  return { t0: col[0] ?? 0, unit, d };
}

/** Time columns shared by every series on the same clock (stored once, referenced by index). */
class TimeTables {
  readonly tables: Array<ReturnType<typeof times>> = [];
  private readonly cols: Float64Array[] = [];
  ref(col: Float64Array): number {
    const same = (a: Float64Array) => a.length === col.length && a.every((v, i) => v === col[i]);
    const found = this.cols.findIndex(same);
    if (found >= 0) return found;
    this.cols.push(col);
    this.tables.push(times(col));
    return this.tables.length - 1;
  }
}

// Significant digits at a column's largest value. Prices (and indicators drawn over them) get 7 so
// that a series spanning 1 → 300 keeps ~5 digits at its low end, where a zoomed chart needs them.
const PRICE_DIGITS = 7, SERIES_DIGITS = 6;

function indicatorPayload(s: IndicatorSeries, i: number) {
  const base = { name: s.name, pane: s.pane, group: s.group ?? s.name, color: s.color ?? PALETTE[(i + 3) % PALETTE.length] };
  const digits = s.pane === 'price' ? PRICE_DIGITS : SERIES_DIGITS;
  if (s.kind === 'line') return { ...base, kind: 'line', v: pack(s.values, digits), hist: !!s.histogram, levels: s.levels ?? [] };
  return { ...base, kind: 'band', u: pack(s.upper, digits), m: pack(s.middle, digits), l: pack(s.lower, digits), levels: [] };
}

function marketPayload(m: MarketModel, model: ReportModel, tt: TimeTables) {
  const strategyIndex = new Map(model.strategies.map((s, i) => [s.id, i]));
  const markers: Array<[number, number, number, number]> = [];
  const lines: Array<[number, number, number, number, number]> = [];
  for (const s of model.strategies) {
    const si = strategyIndex.get(s.id)!;
    const fills: Fill[] = s.source.fills.filter((f) => f.marketId === m.source.id);
    for (const f of fills) markers.push([f.timeMs, Number(f.price.toPrecision(7)), f.side === 'buy' ? 1 : -1, si]);
    for (const t of s.source.trades) {
      if (t.marketId !== m.source.id) continue;
      // Without fills, the trades themselves give the markers: never a chart without its trades.
      if (fills.length === 0) {
        markers.push([t.entryTimeMs, t.entryPrice, 1, si]);
        if (t.exitTimeMs !== null) markers.push([t.exitTimeMs, t.exitPrice!, -1, si]);
      }
      if (t.exitTimeMs !== null) lines.push([t.entryTimeMs, t.entryPrice, t.exitTimeMs, t.exitPrice!, t.pnlQuoteAtoms > 0n ? 1 : -1]);
    }
  }
  markers.sort((a, b) => a[0] - b[0]);
  const b = m.bars;
  return {
    id: m.source.id, base: m.source.base.symbol, quote: m.source.quote.symbol, intervalMs: m.source.intervalMs,
    t: tt.ref(b.timeMs), o: pack(b.open, PRICE_DIGITS), h: pack(b.high, PRICE_DIGITS), l: pack(b.low, PRICE_DIGITS), c: pack(b.close, PRICE_DIGITS),
    ind: m.indicators.map(indicatorPayload), markers, lines,
  };
}

/** Equity for drawing; the drawdown is recomputed in the page from it and the starting equity. */
function curvePayload(c: CurveModel, color: string, width: number, tt: TimeTables) {
  return { id: c.id, color, width, initial: c.metrics.initialEquityUsd, t: tt.ref(c.equity.timeMs), e: pack(c.equity.equityUsd, SERIES_DIGITS) };
}

/** The inline data the chart script reads. */
export function chartPayload(model: ReportModel) {
  const tt = new TimeTables();
  const markets = model.markets.map((m) => marketPayload(m, model, tt));
  const curves = [curvePayload(model.portfolio, '#111111', 2, tt), ...model.strategies.map((s, i) => curvePayload(s, PALETTE[i % PALETTE.length]!, 1.2, tt))];
  return {
    clockIntervalMs: model.result.metadata.clockIntervalMs,
    times: tt.tables,
    markets,
    strategies: model.strategies.map((s, i) => ({ id: s.id, color: PALETTE[i % PALETTE.length] })),
    curves,
  };
}

/** Inline JSON inside <script>: `<` escaped so no `</script>` can end it early. */
function inlineJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Renders the whole self-contained HTML page. */
export function reportHtml(model: ReportModel): string {
  const md = model.result.metadata;
  const title = md.title ?? `Backtest ${model.strategies.map((s) => s.id).join(', ')}`;
  const css = readFileSync(new URL('report.css', ASSETS), 'utf8');
  const js = readFileSync(new URL('report.js', ASSETS), 'utf8');
  const nTrades = model.strategies.reduce((n, s) => n + s.source.trades.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)} — SIMULATED</title>
<style>${css}</style></head>
<body>
<header><h1>${esc(title)}</h1><div class="banner">SIMULATED fills · ${esc(md.fillModel.description)} · fee ${md.fillModel.feeBps} bps · slippage ${md.fillModel.slippageBps} bps · ${utc(md.period.fromMs)} → ${utc(md.period.toMs)} UTC</div></header>
<section><h2>Charts</h2>
<div id="controls">
<label>market <select id="market">${model.markets.map((m, i) => `<option value="${i}">${esc(m.source.id)}</option>`).join('')}</select></label>
<span class="ranges"><button data-range="all">All</button><button data-range="365">1Y</button><button data-range="91">3M</button><button data-range="30">1M</button><button data-range="7">1W</button></span>
<label><input type="checkbox" id="logscale"> log price</label>
<span class="dim">wheel: zoom · drag: pan · double-click: all · click a trade row: zoom to it</span>
</div>
<div id="info" class="dim">&nbsp;</div>
<div id="charts"><noscript>Charts need JavaScript; the tables below do not.</noscript></div>
</section>
<section><h2>Metrics</h2>${metricsTable(model)}</section>
<section><h2>Trades <span class="dim">(${nTrades}; simulated fills)</span></h2><div class="scroll">${tradesTable(model)}</div></section>
${model.result.ai ? `<section id="ai"><h2>AI analysis <span class="dim">(recorded answers replayed; no model was called)</span></h2>${aiHtml(model.result.ai)}</section>` : ''}
<section><h2>Run</h2>${metadataTable(model)}</section>
<footer>solrules backtest report · formulas and conventions: docs/backtest.md · every fill on this page is SIMULATED</footer>
<script type="application/json" id="report-data">${inlineJson(chartPayload(model))}</script>
<script>${js}</script>
</body></html>
`;
}

/** Episodes shown in the page (report.json has them all). */
const AI_EPISODES_SHOWN = 300;

/** The AI section: replayed and missing answers, then every bar range where the AI changed a decision. */
function aiHtml(ai: AiSection): string {
  const files = ai.recordings.map((r) => `<tr><td>${esc(r.file)}</td><td>${r.replayed}</td><td>${r.missing}</td></tr>`).join('');
  const missing = ai.missing.slice(0, 50).map((m) => `<li><code>${esc(m.requestHash.slice(0, 12))}</code> ${esc(m.market)}${m.chartTo ? ` chart to ${esc(m.chartTo)} UTC` : ''}</li>`).join('');
  const ep = ai.decisions.episodes;
  const count = (effect: string) => ep.filter((e) => e.effect === effect);
  const bars = (list: typeof ep) => list.reduce((a, e) => a + e.bars, 0);
  const vetoed = count('vetoed');
  const enabled = count('enabled');
  const rows = ep.slice(0, AI_EPISODES_SHOWN).map((e) => `<tr class="${e.effect}"><td>${utc(e.firstMs)}</td><td>${e.bars > 1 ? utc(e.lastMs) : ''}</td><td>${e.bars}</td><td>${esc(e.strategy)}/${esc(e.rule)}</td><td>${esc(e.side)}</td>`
    + `<td><b>${e.effect === 'vetoed' ? 'AI vetoed' : 'AI made it'}</b></td><td>${esc(e.ai.status)}: ${esc(e.ai.recommendation)} ${num(e.ai.confidence)} <span class="dim">(${duration(e.ai.ageSeconds * 1000)} old)</span></td></tr>`).join('');
  return `<table id="ai-replay"><thead><tr><th>recordings</th><th>replayed</th><th>missing</th></tr></thead><tbody>${files}</tbody></table>
<p>Model replayed: <code>${esc(ai.model ?? 'none')}</code>. ${ai.replayed.length} answer(s) replayed, <b>${ai.missing.length} missing</b>${ai.missing.length ? ' (a missing answer makes the ai fact unready: its rules cannot fire on it)' : ''}.</p>
${ai.warnings.map((w) => `<p class="sim">${esc(w)}</p>`).join('')}
${missing ? `<details><summary>missing answers${ai.missing.length > 50 ? ` (first 50 of ${ai.missing.length})` : ''}</summary><ul>${missing}</ul></details>` : ''}
<h3>Where the AI changed a decision</h3>
<p class="dim">${esc(ai.decisions.method)}.</p>
<p id="ai-decision-counts">${vetoed.length} episode(s) (${bars(vetoed)} bar(s)) where the AI vetoed an order the rule wanted without it; ${enabled.length} episode(s) (${bars(enabled)} bar(s)) where the AI's answer made an order happen.</p>
<div class="scroll"><table id="ai-decisions"><thead><tr><th>from (bar close, UTC)</th><th>to</th><th>bars</th><th>rule</th><th>side</th><th>effect</th><th>ai fact at the first bar</th></tr></thead><tbody>${rows}</tbody></table></div>
${ep.length > AI_EPISODES_SHOWN ? `<p class="dim">… ${ep.length - AI_EPISODES_SHOWN} more in report.json (ai.decisions.episodes).</p>` : ''}`;
}

/**
 * Chart as SVG text: candles, overlays (moving averages, Bollinger bands), a volume pane, RSI and
 * MACD panes, trade markers, a title and a legend with the last values. Pure string building with
 * fixed-precision coordinates, so the same input always gives the same SVG (and PNG).
 */
import { SolrulesError } from '../../errors/index.ts';
import type { Bar, ChartInput, IndicatorLine, Pane } from '../types.ts';
import { decimalsFor, formatCompact, formatPrice, formatTime, formatUtc, niceTicks, timeTicks } from './scale.ts';

export interface ChartSize {
  width: number;
  height: number;
}

const COLORS = {
  background: '#ffffff',
  grid: '#e6e9ef',
  axis: '#9aa1ad',
  text: '#1f2530',
  muted: '#5b6472',
  up: '#089981',
  down: '#f23645',
  buy: '#0b7d2e',
  sell: '#c2185b',
};
/** Distinct, colour-blind-friendlier line colours assigned in order to lines without a colour. */
const PALETTE = ['#2962ff', '#ff9800', '#9c27b0', '#00897b', '#795548', '#e91e63', '#607d8b'];

const FONT = 'DejaVu Sans';
const TITLE_H = 30;
const AXIS_H = 22;
const RIGHT_AXIS_W = 74;
const LEFT = 8;
const GAP = 6;
const LEGEND_H = 18;
const FIXED_PANE_H: Record<Exclude<Pane, 'price'>, number> = { volume: 72, rsi: 104, macd: 116 };

const n = (v: number) => (Math.round(v * 100) / 100).toString();
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface PaneBox {
  pane: Pane;
  top: number;
  bottom: number;
  min: number;
  max: number;
}

/** The bars must be time-ordered with finite prices; anything else is a data error naming the bar. */
function checkBars(bars: readonly Bar[]): void {
  if (bars.length < 2) throw new SolrulesError('AI_CHART_INPUT', `a chart needs at least 2 bars, got ${bars.length}`, { field: 'bars', value: bars.length });
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    for (const k of ['time', 'open', 'high', 'low', 'close'] as const) {
      if (!Number.isFinite(b[k])) throw new SolrulesError('AI_CHART_INPUT', `bar ${i}: ${k} is not a finite number`, { field: `bars[${i}].${k}`, value: String(b[k]) });
    }
    if (b.high < b.low) throw new SolrulesError('AI_CHART_INPUT', `bar ${i}: high ${b.high} below low ${b.low}`, { field: `bars[${i}].high`, value: b.high });
    if (i > 0 && b.time <= bars[i - 1]!.time) throw new SolrulesError('AI_CHART_INPUT', `bar ${i}: time ${b.time} not after the previous bar`, { field: `bars[${i}].time`, value: b.time });
  }
}

function checkIndicators(bars: readonly Bar[], lines: readonly IndicatorLine[]): void {
  for (const line of lines) {
    if (line.values.length !== bars.length) {
      throw new SolrulesError('AI_CHART_INPUT', `indicator ${line.name}: ${line.values.length} values for ${bars.length} bars`, { field: `indicators.${line.name}.values`, value: line.values.length });
    }
  }
}

function extent(values: Iterable<number | null | undefined>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 1] : [lo, hi];
}

/** Builds the chart's SVG document. */
export function chartSvg(input: ChartInput, size: ChartSize): string {
  const { bars } = input;
  const lines = input.indicators ?? [];
  checkBars(bars);
  checkIndicators(bars, lines);
  const { width, height } = size;
  const right = width - RIGHT_AXIS_W;
  const slot = (right - LEFT) / bars.length;
  const x = (i: number) => LEFT + slot * (i + 0.5);

  const colorOf = new Map<string, string>();
  lines.forEach((l, i) => colorOf.set(l.name, l.color ?? PALETTE[i % PALETTE.length]!));

  // Pane layout: fixed heights for the lower panes, the price pane takes the rest.
  const hasVolume = bars.some((b) => b.volume !== undefined);
  const lower: Exclude<Pane, 'price'>[] = [];
  if (hasVolume) lower.push('volume');
  if (lines.some((l) => l.pane === 'rsi')) lower.push('rsi');
  if (lines.some((l) => l.pane === 'macd')) lower.push('macd');
  const lowerH = lower.reduce((s, p) => s + FIXED_PANE_H[p] + GAP, 0);
  const priceTop = TITLE_H;
  const priceBottom = height - AXIS_H - lowerH;
  if (priceBottom - priceTop < 120) throw new SolrulesError('AI_CHART_INPUT', `chart ${width}x${height} too small for its panes`, { field: 'size', value: `${width}x${height}` });

  const panes: PaneBox[] = [];
  const [pLo, pHi] = extent([...bars.flatMap((b) => [b.low, b.high]), ...lines.filter((l) => l.pane === 'price').flatMap((l) => l.values)]);
  const pPad = (pHi - pLo || pHi * 0.01 || 1) * 0.06;
  panes.push({ pane: 'price', top: priceTop, bottom: priceBottom, min: pLo - pPad, max: pHi + pPad });
  let top = priceBottom + GAP;
  for (const pane of lower) {
    const h = FIXED_PANE_H[pane];
    let min = 0;
    let max = 1;
    if (pane === 'volume') max = extent(bars.map((b) => b.volume ?? 0))[1] * 1.08 || 1;
    if (pane === 'rsi') [min, max] = [0, 100];
    if (pane === 'macd') {
      const [lo, hi] = extent(lines.filter((l) => l.pane === 'macd').flatMap((l) => [...l.values, 0]));
      const padding = (hi - lo || 1) * 0.08;
      [min, max] = [lo - padding, hi + padding];
    }
    panes.push({ pane, top, bottom: top + h, min, max });
    top += h + GAP;
  }
  const box = (pane: Pane) => panes.find((p) => p.pane === pane)!;
  // The top LEGEND_H pixels of every pane are kept for its legend, so no line runs under it.
  const y = (p: PaneBox, v: number) => p.bottom - ((v - p.min) / (p.max - p.min)) * (p.bottom - p.top - LEGEND_H);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`);
  out.push(`<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`);

  // Grid and axes per pane.
  const tt = timeTicks(bars.map((b) => b.time), Math.floor((right - LEFT) / 95));
  for (const p of panes) {
    out.push(`<rect x="${LEFT}" y="${n(p.top)}" width="${n(right - LEFT)}" height="${n(p.bottom - p.top)}" fill="none" stroke="${COLORS.axis}" stroke-width="1"/>`);
    for (const i of tt.indices) out.push(`<line x1="${n(x(i))}" y1="${n(p.top)}" x2="${n(x(i))}" y2="${n(p.bottom)}" stroke="${COLORS.grid}"/>`);
    const ticks = p.pane === 'rsi' ? { step: 10, ticks: [30, 50, 70] } : niceTicks(p.min, p.max, p.pane === 'price' ? 8 : 2);
    const decimals = decimalsFor(ticks.step);
    for (const t of ticks.ticks) {
      if (t < p.min || t > p.max || y(p, t) < p.top + LEGEND_H - 4) continue;
      const ty = y(p, t);
      const dashed = p.pane === 'rsi' && t !== 50 ? ' stroke-dasharray="4 3"' : '';
      const stroke = p.pane === 'rsi' && t !== 50 ? COLORS.axis : COLORS.grid;
      out.push(`<line x1="${LEFT}" y1="${n(ty)}" x2="${n(right)}" y2="${n(ty)}" stroke="${stroke}"${dashed}/>`);
      const label = p.pane === 'volume' ? formatCompact(t) : p.pane === 'price' ? t.toFixed(decimals) : t.toFixed(Math.min(decimals, 4));
      out.push(`<text x="${n(right + 6)}" y="${n(ty + 4)}" font-size="11" fill="${COLORS.muted}">${label}</text>`);
    }
  }
  // Time axis labels under the last pane.
  const axisY = panes[panes.length - 1]!.bottom + 15;
  for (const i of tt.indices) {
    out.push(`<text x="${n(x(i))}" y="${n(axisY)}" font-size="11" fill="${COLORS.muted}" text-anchor="middle">${formatTime(bars[i]!.time, tt.step)}</text>`);
  }

  // Bollinger-style bands: fill between the lines sharing a band id.
  const price = box('price');
  const bands = new Map<string, IndicatorLine[]>();
  for (const l of lines) if (l.band) bands.set(l.band, [...(bands.get(l.band) ?? []), l]);
  for (const [, pair] of bands) {
    if (pair.length < 2) continue;
    const [a, b] = pair as [IndicatorLine, IndicatorLine];
    const p = box(a.pane);
    const idx = bars.map((_, i) => i).filter((i) => a.values[i] != null && b.values[i] != null);
    if (idx.length < 2) continue;
    const pts = [...idx.map((i) => `${n(x(i))},${n(y(p, a.values[i]!))}`), ...idx.reverse().map((i) => `${n(x(i))},${n(y(p, b.values[i]!))}`)];
    out.push(`<polygon points="${pts.join(' ')}" fill="${colorOf.get(a.name)}" fill-opacity="0.08" stroke="none"/>`);
  }

  // Volume bars, coloured like their candle.
  if (hasVolume) {
    const v = box('volume');
    const w = Math.max(1, slot * 0.7);
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i]!;
      if (b.volume === undefined) continue;
      const yv = y(v, b.volume);
      out.push(`<rect x="${n(x(i) - w / 2)}" y="${n(yv)}" width="${n(w)}" height="${n(v.bottom - yv)}" fill="${b.close >= b.open ? COLORS.up : COLORS.down}" fill-opacity="0.5"/>`);
    }
  }

  // Histograms (MACD) before lines so lines stay on top.
  for (const l of lines.filter((l) => l.style === 'histogram')) {
    const p = box(l.pane);
    const w = Math.max(1, slot * 0.6);
    const zero = y(p, 0);
    l.values.forEach((v, i) => {
      if (v == null) return;
      const yv = y(p, v);
      out.push(`<rect x="${n(x(i) - w / 2)}" y="${n(Math.min(yv, zero))}" width="${n(w)}" height="${n(Math.max(0.5, Math.abs(zero - yv)))}" fill="${v >= 0 ? COLORS.up : COLORS.down}" fill-opacity="0.55"/>`);
    });
  }
  for (const p of panes) if (p.pane === 'macd') out.push(`<line x1="${LEFT}" y1="${n(y(p, 0))}" x2="${n(right)}" y2="${n(y(p, 0))}" stroke="${COLORS.axis}"/>`);

  // Candles: wick then body; a flat candle still gets a 1 px body.
  const bodyW = Math.max(1, slot * 0.7);
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    const color = b.close >= b.open ? COLORS.up : COLORS.down;
    out.push(`<line x1="${n(x(i))}" y1="${n(y(price, b.high))}" x2="${n(x(i))}" y2="${n(y(price, b.low))}" stroke="${color}" stroke-width="1"/>`);
    const yo = y(price, b.open);
    const yc = y(price, b.close);
    out.push(`<rect class="candle" x="${n(x(i) - bodyW / 2)}" y="${n(Math.min(yo, yc))}" width="${n(bodyW)}" height="${n(Math.max(1, Math.abs(yo - yc)))}" fill="${color}"/>`);
  }

  // Indicator lines, broken where a value is missing.
  for (const l of lines.filter((l) => l.style !== 'histogram')) {
    const p = box(l.pane);
    let d = '';
    let pen = false;
    l.values.forEach((v, i) => {
      if (v == null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${n(x(i))} ${n(y(p, v))}`;
      pen = true;
    });
    if (d) out.push(`<path d="${d}" fill="none" stroke="${colorOf.get(l.name)}" stroke-width="1.6" stroke-linejoin="round"/>`);
  }

  // Trade markers: ▲ under the bar for buys, ▼ over it for sells, with a tick at the fill price.
  const first = bars[0]!.time;
  const step = bars[1]!.time - first;
  for (const t of input.trades ?? []) {
    if (t.time < first || t.time >= bars[bars.length - 1]!.time + step) continue;
    let i = bars.length - 1;
    while (i > 0 && bars[i]!.time > t.time) i--;
    const b = bars[i]!;
    const cx = x(i);
    const color = t.side === 'buy' ? COLORS.buy : COLORS.sell;
    const s = 7;
    const ty = y(price, t.price);
    out.push(`<line x1="${n(cx - s - 3)}" y1="${n(ty)}" x2="${n(cx + s + 3)}" y2="${n(ty)}" stroke="${color}" stroke-width="2"/>`);
    if (t.side === 'buy') {
      const yb = y(price, b.low) + 6;
      out.push(`<polygon points="${n(cx)},${n(yb)} ${n(cx - s)},${n(yb + 2 * s)} ${n(cx + s)},${n(yb + 2 * s)}" fill="${color}" stroke="#ffffff" stroke-width="1"/>`);
      out.push(`<text x="${n(cx)}" y="${n(yb + 2 * s + 12)}" font-size="11" font-weight="bold" fill="${color}" text-anchor="middle">${esc(t.label ?? 'BUY')}</text>`);
    } else {
      const yt = y(price, b.high) - 6;
      out.push(`<polygon points="${n(cx)},${n(yt)} ${n(cx - s)},${n(yt - 2 * s)} ${n(cx + s)},${n(yt - 2 * s)}" fill="${color}" stroke="#ffffff" stroke-width="1"/>`);
      out.push(`<text x="${n(cx)}" y="${n(yt - 2 * s - 4)}" font-size="11" font-weight="bold" fill="${color}" text-anchor="middle">${esc(t.label ?? 'SELL')}</text>`);
    }
  }

  // Last close tag on the price axis.
  const last = bars[bars.length - 1]!;
  const ly = y(price, last.close);
  const lastColor = last.close >= last.open ? COLORS.up : COLORS.down;
  out.push(`<line x1="${LEFT}" y1="${n(ly)}" x2="${n(right)}" y2="${n(ly)}" stroke="${lastColor}" stroke-dasharray="2 3"/>`);
  out.push(`<rect x="${n(right + 1)}" y="${n(ly - 9)}" width="${RIGHT_AXIS_W - 3}" height="18" fill="${lastColor}"/>`);
  out.push(`<text x="${n(right + 6)}" y="${n(ly + 4)}" font-size="11" font-weight="bold" fill="#ffffff">${formatPrice(last.close)}</text>`);

  // Title and legends (last value of each line, so the model need not read it off the axis).
  const title = `${input.market} · ${input.timeframe} · ${formatUtc(bars[0]!.time)} → ${formatUtc(last.time)} UTC`;
  out.push(`<text x="${LEFT}" y="20" font-size="15" font-weight="bold" fill="${COLORS.text}">${esc(title)}</text>`);
  const ohlc = `O ${formatPrice(last.open)}  H ${formatPrice(last.high)}  L ${formatPrice(last.low)}  C ${formatPrice(last.close)}`;
  out.push(`<text x="${n(width - 8)}" y="20" font-size="12" fill="${COLORS.muted}" text-anchor="end">${esc(ohlc)}</text>`);
  for (const p of panes) {
    const items: { text: string; color: string }[] = [];
    if (p.pane === 'volume') items.push({ text: `Volume ${formatCompact(last.volume ?? 0)}`, color: COLORS.muted });
    for (const l of lines.filter((l) => l.pane === p.pane)) {
      const lastValue = [...l.values].reverse().find((v) => v != null);
      const shown = lastValue == null ? '–' : p.pane === 'price' ? formatPrice(lastValue) : lastValue.toFixed(2);
      items.push({ text: `${l.name} ${shown}`, color: l.style === 'histogram' ? COLORS.muted : colorOf.get(l.name)! });
    }
    let lx = LEFT + 6;
    for (const item of items) {
      // A white backdrop keeps the legend legible over candles; width from a per-glyph estimate.
      const w = item.text.length * 6.6 + 6;
      out.push(`<rect x="${n(lx - 3)}" y="${n(p.top + 3)}" width="${n(w)}" height="15" fill="#ffffff" fill-opacity="0.85"/>`);
      out.push(`<text x="${n(lx)}" y="${n(p.top + 14)}" font-size="11" fill="${item.color}">${esc(item.text)}</text>`);
      lx += w + 6;
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

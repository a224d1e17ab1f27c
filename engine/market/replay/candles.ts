/**
 * A recorded price series (daily OHLCV CSV, as in ../shared/fixtures/prices/) replayed as
 * price ticks. A candle becomes four ticks — open, then the extreme nearer the open, the other
 * extreme, and close — the usual intra-candle path assumption; the docs and `run` output say so.
 */
import { readFileSync } from 'node:fs';
import { SolrulesError } from '../../errors/index.ts';

export interface Candle {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volumeUsd: number;
}

export interface PriceTick {
  time: Date;
  priceUsd: number;
  /** Index of the candle the tick belongs to. */
  candle: number;
  /** Position in the candle: open, first extreme, second extreme, close. */
  phase: 'open' | 'high' | 'low' | 'close';
}

const REQUIRED = ['Date', 'Open', 'High', 'Low', 'Close'] as const;

function fail(file: string, line: number, column: string, value: unknown, expected: string): never {
  throw new SolrulesError('REPLAY_BAD_CSV', `${file}:${line}: column '${column}' must be ${expected}; found ${JSON.stringify(value)}`, {
    file,
    line,
    field: column,
    value,
  });
}

/** Parses a Date,Open,High,Low,Close[,Adj Close],Volume CSV; every bad cell is an error naming line and column. */
export function parseCandles(text: string, file = '<csv>'): Candle[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim()) ?? [];
  for (const col of REQUIRED) if (!header.includes(col)) fail(file, 1, col, header.join(','), `present in the header`);
  const idx = (name: string) => header.indexOf(name);
  const out: Candle[] = [];
  let previous = '';
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    const lineNo = i + 1;
    const date = cells[idx('Date')]?.trim() ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) fail(file, lineNo, 'Date', date, 'a date YYYY-MM-DD');
    if (date <= previous) fail(file, lineNo, 'Date', date, `after the previous row's ${previous}`);
    previous = date;
    const num = (name: string) => {
      const raw = cells[idx(name)]?.trim();
      const v = Number(raw);
      if (raw === undefined || raw === '' || !Number.isFinite(v) || v <= 0) fail(file, lineNo, name, raw, 'a positive number');
      return v;
    };
    const candle: Candle = { date, open: num('Open'), high: num('High'), low: num('Low'), close: num('Close'), volumeUsd: idx('Volume') >= 0 ? Number(cells[idx('Volume')]) || 0 : 0 };
    if (candle.low > Math.min(candle.open, candle.close) || candle.high < Math.max(candle.open, candle.close)) {
      fail(file, lineNo, 'High/Low', `${candle.high}/${candle.low}`, 'High >= max(Open, Close) and Low <= min(Open, Close)');
    }
    out.push(candle);
  }
  return out;
}

/** Reads a candle CSV file. */
export function loadCandles(path: string): Candle[] {
  return parseCandles(readFileSync(path, 'utf8'), path);
}

/** Selects candles with from <= date <= to (ISO dates, inclusive). */
export function sliceCandles(candles: readonly Candle[], from?: string, to?: string): Candle[] {
  return candles.filter((c) => (!from || c.date >= from) && (!to || c.date <= to));
}

/** The ticks of a candle series: four a day at 00:00, 06:00, 12:00 and 18:00 UTC. */
export function candleTicks(candles: readonly Candle[]): PriceTick[] {
  const ticks: PriceTick[] = [];
  candles.forEach((c, i) => {
    const day = Date.parse(`${c.date}T00:00:00Z`);
    // A candle that closed up probably visited its low first; one that closed down, its high.
    const up = c.close >= c.open;
    const path: Array<[PriceTick['phase'], number]> = up
      ? [['open', c.open], ['low', c.low], ['high', c.high], ['close', c.close]]
      : [['open', c.open], ['high', c.high], ['low', c.low], ['close', c.close]];
    path.forEach(([phase, priceUsd], k) => ticks.push({ time: new Date(day + k * 6 * 3_600_000), priceUsd, candle: i, phase }));
  });
  return ticks;
}

/** The summary of a run: orders per strategy and rule, fills, fees, realized and unrealized P&L. */
import type { StrategiesConfig } from '../config/index.ts';
import type { TradingEngine } from './engine.ts';

export interface RunSummary {
  simulated: true;
  note: string;
  period: { from: string; to: string; ticks: number };
  ruleSetHash: string;
  evaluator: string;
  priceUsd: { first: number; last: number };
  orders: Array<{ strategy: string; rule: string; decided: number; filled: number; blocked: number; failed: number; expired: number }>;
  fills: number;
  routes: Record<string, number>;
  signals: Record<string, number>;
  /** Strategy rules that fired, by `<file>/<rule>`. */
  ruleHits: Record<string, number>;
  strategies: Record<string, { realizedPnlUsd: number; unrealizedPnlUsd: number; feesUsd: number; inventory: number; extra?: Record<string, unknown> }>;
  totals: { realizedPnlUsd: number; unrealizedPnlUsd: number; feesUsd: number };
  portfolio: {
    start: { base: number; quote: number; valueUsd: number };
    end: { base: number; quote: number; valueUsd: number };
    returnPct: number;
    buyAndHoldReturnPct: number;
  };
  errors: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Builds the summary from a finished engine. */
export function buildSummary(engine: TradingEngine, cfg: StrategiesConfig, meta: { from: string; to: string; firstPriceUsd: number; ruleSetHash: string; evaluator: string }): RunSummary {
  const last = engine.price?.usd ?? meta.firstPriceUsd;
  const { base, quote } = cfg.market;
  const startBase = BigInt(cfg.paper?.startingBalances?.base ?? '0');
  const startQuote = BigInt(cfg.paper?.startingBalances?.quote ?? '0');
  const tokens = (atoms: bigint, decimals: number) => Number(atoms) / 10 ** decimals;
  const startValue = tokens(startBase, base.decimals) * meta.firstPriceUsd + tokens(startQuote, quote.decimals);
  const endBase = engine.portfolio.balance(base.mint);
  const endQuote = engine.portfolio.balance(quote.mint);
  const endValue = tokens(endBase, base.decimals) * last + tokens(endQuote, quote.decimals);
  const strategies: RunSummary['strategies'] = {};
  const totals = { realizedPnlUsd: 0, unrealizedPnlUsd: 0, feesUsd: 0 };
  for (const [name, planner] of engine.planners) {
    if (!cfg.strategies[name]?.enabled) continue;
    const pnl = planner.pnl(last, 1);
    const row: RunSummary['strategies'][string] = {
      realizedPnlUsd: round(pnl.realizedUsd),
      unrealizedPnlUsd: round(pnl.unrealizedUsd),
      feesUsd: round(pnl.feesUsd),
      inventory: round(tokens(pnl.inventoryAtoms, base.decimals), 6),
    };
    const extra = planner.summary?.();
    if (extra) row.extra = extra;
    strategies[name] = row;
    totals.realizedPnlUsd += pnl.realizedUsd;
    totals.unrealizedPnlUsd += pnl.unrealizedUsd;
    totals.feesUsd += pnl.feesUsd;
  }
  const orders = [...engine.stats.orders].map(([key, v]) => {
    const [strategy, rule] = key.split('/') as [string, string];
    return { strategy, rule, ...v };
  });
  orders.sort((a, b) => a.strategy.localeCompare(b.strategy) || a.rule.localeCompare(b.rule));
  return {
    simulated: true,
    note: 'Paper trading on a replayed price series: fills are simulated (price ± slippage, fee from strategies.yaml); nothing was sent to any chain.',
    period: { from: meta.from, to: meta.to, ticks: engine.stats.ticks },
    ruleSetHash: meta.ruleSetHash,
    evaluator: meta.evaluator,
    priceUsd: { first: meta.firstPriceUsd, last },
    orders,
    fills: orders.reduce((a, o) => a + o.filled, 0),
    routes: Object.fromEntries(engine.stats.routes),
    signals: Object.fromEntries(engine.stats.signals),
    ruleHits: Object.fromEntries([...engine.stats.ruleHits].sort(([a], [b]) => a.localeCompare(b))),
    strategies,
    totals: { realizedPnlUsd: round(totals.realizedPnlUsd), unrealizedPnlUsd: round(totals.unrealizedPnlUsd), feesUsd: round(totals.feesUsd) },
    portfolio: {
      start: { base: tokens(startBase, base.decimals), quote: tokens(startQuote, quote.decimals), valueUsd: round(startValue) },
      end: { base: round(tokens(endBase, base.decimals), 6), quote: round(tokens(endQuote, quote.decimals)), valueUsd: round(endValue) },
      returnPct: startValue ? round(((endValue - startValue) / startValue) * 100) : 0,
      buyAndHoldReturnPct: round(((last - meta.firstPriceUsd) / meta.firstPriceUsd) * 100),
    },
    errors: engine.stats.errors,
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

const usd = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Human-readable summary. */
export function formatSummary(s: RunSummary, cfg: StrategiesConfig): string {
  const { base, quote } = cfg.market;
  const lines = [
    '',
    `== solrules run summary (${s.period.from} .. ${s.period.to}, ${s.period.ticks} price ticks) ==`,
    `SIMULATED: ${s.note}`,
    `rule set ${s.ruleSetHash.slice(0, 12)}  evaluator ${s.evaluator}  ${base.symbol} ${usd(s.priceUsd.first)} -> ${usd(s.priceUsd.last)}`,
    '',
    'orders per strategy and rule:',
    ...table([['strategy', 'rule', 'decided', 'filled', 'blocked', 'failed', 'expired'], ...s.orders.map((o) => [o.strategy, o.rule, String(o.decided), String(o.filled), String(o.blocked), String(o.failed), String(o.expired)])]).map((l) => `  ${l}`),
    `  fills: ${s.fills}   fills by route (all executed by the paper executor): ${Object.entries(s.routes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    ...(Object.keys(s.signals).length ? [`  signals: ${Object.entries(s.signals).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
    `  rule hits: ${Object.entries(s.ruleHits).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    '',
    'P&L per strategy (USD):',
    ...table([['strategy', '', 'realized', 'unrealized', 'fees', `${base.symbol} held`], ...Object.entries(s.strategies).map(([k, v]) => [k, '', usd(v.realizedPnlUsd), usd(v.unrealizedPnlUsd), usd(v.feesUsd), v.inventory.toFixed(4)])]).map((l) => `  ${l}`),
    `  total: realized ${usd(s.totals.realizedPnlUsd)}, unrealized ${usd(s.totals.unrealizedPnlUsd)}, fees ${usd(s.totals.feesUsd)}`,
    '',
    `portfolio: start ${s.portfolio.start.base} ${base.symbol} + ${s.portfolio.start.quote} ${quote.symbol} = ${usd(s.portfolio.start.valueUsd)}; end ${s.portfolio.end.base} ${base.symbol} + ${s.portfolio.end.quote} ${quote.symbol} = ${usd(s.portfolio.end.valueUsd)}`,
    `return ${s.portfolio.returnPct}% (buy and hold ${base.symbol} over the period: ${s.portfolio.buyAndHoldReturnPct}%)`,
  ];
  if (s.errors) lines.push(`errors during the run: ${s.errors} (see the log)`);
  return lines.join('\n');
}

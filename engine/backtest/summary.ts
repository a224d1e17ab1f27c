/** The backtest summary printed on stdout: one column per strategy and one for the portfolio. */
import { formatAtoms, type ReportModel } from './report/index.ts';
import type { BacktestRun } from './runner.ts';

const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} %`);
const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));

/** Text table of the run's key metrics (the report has them all). */
export function formatBacktestSummary(run: BacktestRun, model: ReportModel): string {
  const curves = [...model.strategies, { ...model.portfolio, id: 'portfolio' }];
  const rows: Array<[string, (m: ReportModel['portfolio']['metrics']) => string]> = [
    ['final equity', (m) => (m.finalEquityExact ? `${formatAtoms(m.finalEquityExact.atoms, m.finalEquityExact.decimals)} ${m.finalEquityExact.symbol}` : `$${m.finalEquityUsd.toFixed(2)}`)],
    ['total return', (m) => pct(m.totalReturnPct)],
    ['CAGR', (m) => pct(m.cagrPct)],
    ['max drawdown', (m) => pct(m.maxDrawdownPct)],
    ['Sharpe (daily, ann.)', (m) => num(m.sharpe)],
    ['Sortino', (m) => num(m.sortino)],
    ['trades (open at end)', (m) => `${m.trades} (${m.openTrades})`],
    ['win rate', (m) => pct(m.winRatePct)],
    ['profit factor', (m) => num(m.profitFactor)],
    ['exposure', (m) => pct(m.exposurePct)],
    ['fees paid', (m) => m.fees.map((f) => `${formatAtoms(f.atoms, f.decimals)} ${f.symbol}`).join(' + ') || '0'],
    ['buy & hold', (m) => pct(m.buyAndHoldPct)],
  ];
  const width = Math.max(16, ...curves.map((c) => c.id.length + 2), ...rows.flatMap(([, f]) => curves.map((c) => f(c.metrics).length + 2)));
  const lines = [`${''.padEnd(22)}${curves.map((c) => c.id.padStart(width)).join('')}`];
  for (const [label, f] of rows) lines.push(`${label.padEnd(22)}${curves.map((c) => f(c.metrics).padStart(width)).join('')}`);
  const s = run.stats;
  lines.push('', `orders: ${s.decided} decided, ${s.filled} filled, ${s.failed} not filled (blocked, failed or left at the end); ${s.errors} evaluation error(s)`);
  const unfilled = run.orders.filter((o) => o.status !== 'filled');
  for (const o of unfilled.slice(0, 5)) lines.push(`  not filled: ${new Date(o.decidedAtMs).toISOString().slice(0, 16)} ${o.strategy}/${o.rule} ${o.side} — ${o.status}${o.reason ? `: ${o.reason}` : ''}`);
  if (unfilled.length > 5) lines.push(`  … ${unfilled.length - 5} more`);
  const ai = run.result.ai;
  if (ai) {
    const ep = ai.decisions.episodes;
    const bars = (effect: string) => ep.filter((e) => e.effect === effect).reduce((a, e) => a + e.bars, 0);
    lines.push('', `AI: ${ai.replayed.length} recorded answer(s) replayed (model ${ai.model ?? 'none'}), ${ai.missing.length} missing — no model was called`);
    for (const r of ai.recordings) lines.push(`  ${r.file}: ${r.replayed} replayed, ${r.missing} missing`);
    for (const w of ai.warnings) lines.push(`  warning: ${w}`);
    lines.push(`AI decided: vetoed ${bars('vetoed')} bar(s) of orders the rules wanted without it (${ep.filter((e) => e.effect === 'vetoed').length} episode(s)); made ${bars('enabled')} bar(s) of orders happen (${ep.filter((e) => e.effect === 'enabled').length} episode(s)); details in the report's AI section`);
  }
  return lines.join('\n');
}

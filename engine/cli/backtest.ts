/**
 * `solrules backtest`: the enabled (or named) strategies over OHLCV bars, through the same engine
 * path as paper and live trading, with the documented fill model; prints a summary and writes
 * report.html + report.json. Fills are SIMULATED; nothing is sent to any chain.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildActiveConfig, fullMessage } from '../config/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { describeMisalignment, fillModel, formatBacktestSummary, loadBacktestMarkets, runBacktest, writeReport, FILL_AT } from '../backtest/index.ts';
import { createLogger, setLogger } from '../infra/telemetry/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';
import { evaluatorFromOption } from './_shared.ts';

export const summary = 'backtest the enabled strategies on OHLCV bars (default: SOL 1h) and write an HTML + JSON report';

const USAGE = `usage: solrules backtest [--strategy ID]... [--from DATE] [--to DATE] [--data FILE]... [--out DIR]
                         [--fill-at next-open|close] [--fee-bps N] [--slippage-bps N] [--evaluator KIND] [--quiet]

Runs the strategies (default: the enabled ones; --strategy names others, repeatable) over the bars
of strategies.yaml backtest.data (default: the SOL/USDT 1h Binance spot series) through the engine's
own path: planners, compiled strategy rules, risk and routing rules, the paper executor.
Each bar is evaluated once, at its close. Fill model (docs/backtest.md): an order decided at a
bar's close fills at the NEXT bar's open (--fill-at close: at that close), the price moved against
it by --slippage-bps (default paper.slippageBps), less a fee of --fee-bps (default paper.feeBps)
on its input. --from / --to cut the bars (ISO date or date-time, UTC; to is exclusive).
Prints a summary and writes DIR/report.html and DIR/report.json (default out/backtest).
Deterministic: the same config and data give the same trades, every time.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(
      argv,
      {
        strategy: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        data: { type: 'string', multiple: true },
        out: { type: 'string' },
        'fill-at': { type: 'string' },
        'fee-bps': { type: 'string' },
        'slippage-bps': { type: 'string' },
        evaluator: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
      false,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const bps = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v) || !(n < 10_000)) throw new UsageError(`--${name} must be a number of basis points in [0, 10000); got '${v}'`);
      return n;
    };
    const fillAt = values['fill-at'] === undefined ? undefined : oneOf('fill-at', values['fill-at'], FILL_AT, 'next-open');
    const feeBps = bps('fee-bps', values['fee-bps']);
    const slippageBps = bps('slippage-bps', values['slippage-bps']);
    const root = process.cwd();
    if (!existsSync(join(root, 'strategies.yaml'))) throw new UsageError(`no strategies.yaml in ${root}; run from the project directory`);
    const quiet = values.quiet ?? false;
    const say = (s: string) => {
      if (!quiet) console.log(s);
    };
    // The summary lists orders that were not filled and why; the engine's per-order warnings would repeat it.
    setLogger(createLogger({ level: process.env.SOLRULES_LOG_LEVEL ?? 'error' }));
    const built = await buildActiveConfig(root, evaluatorFromOption(values.evaluator), 'backtest');
    if (!built.active) {
      for (const d of built.diagnostics) console.error(`${d.file}:${d.line}:${d.column}: ${d.code} ${fullMessage(d)}`);
      for (const f of built.testFailures) console.error(`rule test failed: ${f}`);
      console.error('not backtesting: fix the errors above (solrules validate / solrules test)');
      return 1;
    }
    const active = built.active;
    const cfg = active.strategies;
    try {
      const fill = fillModel({ fillAt: fillAt ?? cfg.backtest?.fillAt, feeBps: feeBps ?? cfg.paper?.feeBps, slippageBps: slippageBps ?? cfg.paper?.slippageBps });
      const data = loadBacktestMarkets(cfg, active.project.strategies!.src.file, { ...(values.strategy ? { strategies: values.strategy } : {}), ...(values.data ? { files: values.data } : {}), ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
      say(`solrules backtest — SIMULATED fills, nothing is sent to any chain.`);
      const tradedIds = new Set(Object.values(data.traded).map((t) => t.id));
      for (const m of data.markets.values()) {
        const s = m.series;
        const span = `${new Date(s.time[0]!).toISOString().slice(0, 16)} .. ${new Date(s.time[s.length - 1]! + s.meta.timeframeMs).toISOString().slice(0, 16)}`;
        say(`${s.length.toLocaleString('en-US')} ${m.report.timeframe} bars of ${m.id}${tradedIds.has(m.id) ? '' : ' (read by indicators only)'} (${m.report.kind} data: ${m.files.map((f) => relative(root, f.path)).join(', ')}), ${span} UTC`);
        if (m.report.gaps.length) say(`note: ${m.report.gaps.length} gap(s) in the ${m.id} data, ${m.report.missingBars} bar(s) missing (not filled: the engine sees the next bar after the gap)`);
      }
      const kinds = new Set([...data.markets.values()].map((m) => m.report.kind));
      if (kinds.size > 1) say(`note: the markets mix ${[...kinds].join(' and ')} data (each market's series is one kind; spot and perpetual-futures prices are never spliced into one series)`);
      say(`fill model: decision at bar close, fill at ${fill.fillAt === 'next-open' ? 'the next bar open' : 'the same close'}, slippage ${fill.slippageBps} bps, fee ${fill.feeBps} bps; rule set ${active.ruleSet.hash.slice(0, 12)}`);
      const marketLabel = [...tradedIds].join(' + ');
      const timeframe = [...data.markets.values()][0]!.report.timeframe;
      let lastPct = -1;
      const result = await runBacktest({
        active,
        markets: data,
        fill,
        dataFiles: [...data.markets.values()].flatMap((m) => m.files.map((f) => ({ path: relative(root, f.path) || f.path, sha256: f.sha256, rows: f.rows }))),
        title: `Backtest of ${values.strategy?.join(', ') ?? 'the enabled strategies'} on ${marketLabel} ${timeframe}`,
        onProgress: (done, total, equity, timeMs) => {
          const p = Math.floor((done / total) * 100);
          if (p === lastPct) return;
          lastPct = p;
          say(`  ${String(p).padStart(3)} %  bar ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}  ${new Date(timeMs).toISOString().slice(0, 10)}  equity $${equity.toFixed(2)}`);
        },
      });
      for (const m of result.misalignments) say(`note: ${describeMisalignment(m)}`);
      say(`strategies: ${result.strategies.join(', ')}; ${result.stats.bars.toLocaleString('en-US')} bars${tradedIds.size > 1 ? ` of ${tradedIds.size} markets` : ''} in ${(result.stats.elapsedMs / 1000).toFixed(2)} s (${Math.round(result.stats.bars / (result.stats.elapsedMs / 1000)).toLocaleString('en-US')} bars/s)`);
      const outDir = resolve(values.out ?? join('out', 'backtest'));
      const written = writeReport(result.result, outDir);
      console.log('\n' + formatBacktestSummary(result, written.model));
      console.log(`\nreport: ${written.htmlPath}\n        ${written.jsonPath}`);
      return 0;
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      console.error(`error: ${err.code}: ${err.message}`);
      return 1;
    }
  });
}

/**
 * `solrules diff`: what-if before a change goes live. Backtests the same bars through the base
 * rule files and thresholds (a git ref, default HEAD, or a directory) and the proposed ones (the
 * working tree), prints the orders that appear, disappear or change and the metrics side by side;
 * `--fail-if` conditions make the exit code usable in CI.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { buildActiveConfig, fullMessage, type ActiveConfig } from '../config/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { buildReportModel, writeReport, DIFF_METRICS, diffOrders, evaluateFailIf, fillModel, formatDiff, loadBacktestMarkets, metricValues, parseFailIf, runBacktest, FILL_AT } from '../backtest/index.ts';
import { createLogger, setLogger } from '../infra/telemetry/index.ts';
import { oneOf, parseCommandArgs, UsageError, withUsage } from './args.ts';
import { evaluatorFromOption } from './_shared.ts';

export const summary = "what-if: backtest the base (git ref or directory) and the working tree's rules on the same bars; orders that appear, disappear or change, metrics side by side";

const USAGE = `usage: solrules diff [--base GIT_REF|DIR] [paths...] [--fail-if EXPR]... [--strategy ID]... [--from DATE] [--to DATE]
                     [--data FILE]... [--fill-at next-open|close] [--limit N] [--out DIR]

Backtests the same bars twice: through the BASE project (--base: a git ref, default HEAD, whose
strategies.yaml and .yaml files under rules/ and examples/ are taken with 'git show'; or a directory)
and through the PROPOSED one (the working tree). With paths, only those files come from the
working tree and everything else from the base. Bars, period and fill model are the proposed
project's (or the flags'), so only rules and thresholds differ. Prints the portfolio metrics side by
side and the orders that appear, disappear or change (matched by strategy, rule, side and decision
time). --out DIR also writes DIR/base/report.html and DIR/proposed/report.html.

--fail-if EXPR (repeatable) exits 1 when the condition holds, e.g.
  --fail-if 'maxDrawdownPct > base + 5'   --fail-if 'sharpe < base * 0.8'   --fail-if 'trades == 0'
A name is the proposed value of a portfolio metric, base.<name> the base's, a bare 'base' the base's
value of the first metric named; + - * / and parentheses. A condition reading an n/a metric holds.
Metrics: ${DIFF_METRICS.join(', ')}.
Exit codes: 0 no condition holds, 1 one holds (or a run failed), 2 usage error.`;

/** The project files of `ref` (strategies.yaml, .yaml under rules/ and examples/) in a new temp dir. */
function checkoutBase(cwd: string, ref: string): string {
  const git = (...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  let prefix: string;
  try {
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    prefix = git('rev-parse', '--show-prefix').trim();
  } catch {
    throw new UsageError(`--base '${ref}' is neither a directory nor a git commit of ${cwd}`);
  }
  const files = git('ls-tree', '-r', '--name-only', ref, '--', `${prefix}strategies.yaml`, `${prefix}rules`, `${prefix}examples`).split('\n').filter((f) => f && /\.ya?ml$/.test(f));
  if (!files.some((f) => f === `${prefix}strategies.yaml`)) throw new UsageError(`--base '${ref}' has no ${prefix}strategies.yaml`);
  const dir = mkdtempSync(join(tmpdir(), 'solrules-diff-base-'));
  for (const f of files) {
    const target = join(dir, f.slice(prefix.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, execFileSync('git', ['-C', cwd, 'show', `${ref}:${f}`], { maxBuffer: 64 << 20 }));
  }
  return dir;
}

async function build(root: string, label: string, values: { evaluator?: string | undefined }): Promise<ActiveConfig> {
  const built = await buildActiveConfig(root, evaluatorFromOption(values.evaluator), `diff-${label}`, { runTests: false });
  if (!built.active) {
    for (const d of built.diagnostics) console.error(`${label}: ${d.file}:${d.line}:${d.column}: ${d.code} ${fullMessage(d)}`);
    throw new UsageError(`the ${label} project does not validate (errors above)`);
  }
  return built.active;
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      base: { type: 'string' },
      'fail-if': { type: 'string', multiple: true },
      strategy: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      data: { type: 'string', multiple: true },
      'fill-at': { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      evaluator: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const cwd = process.cwd();
    if (!existsSync(join(cwd, 'strategies.yaml'))) throw new UsageError(`no strategies.yaml in ${cwd}; run from the project directory`);
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number; got '${values.limit}'`);
    const fillAt = values['fill-at'] === undefined ? undefined : oneOf('fill-at', values['fill-at'], FILL_AT, 'next-open');
    let conditions;
    try {
      conditions = (values['fail-if'] ?? []).map((t) => parseFailIf(t, DIFF_METRICS));
    } catch (err) {
      if (isSolrulesError(err)) throw new UsageError(err.message);
      throw err;
    }
    setLogger(createLogger({ level: process.env.SOLRULES_LOG_LEVEL ?? 'error' }));
    const baseArg = values.base ?? 'HEAD';
    const baseIsDir = existsSync(resolve(baseArg)) && statSync(resolve(baseArg)).isDirectory();
    const temps: string[] = [];
    try {
      const baseDir = baseIsDir ? resolve(baseArg) : (temps.push(checkoutBase(cwd, baseArg)), temps[temps.length - 1]!);
      let proposedDir = cwd;
      if (positionals.length) {
        // Only the named files change: the base project with them taken from the working tree.
        proposedDir = mkdtempSync(join(tmpdir(), 'solrules-diff-proposed-'));
        temps.push(proposedDir);
        cpSync(baseDir, proposedDir, { recursive: true });
        for (const p of positionals) {
          const rel = relative(cwd, resolve(p));
          if (rel.startsWith('..')) throw new UsageError(`path '${p}' is outside the project directory`);
          if (!existsSync(resolve(p))) throw new UsageError(`path '${p}' does not exist`);
          cpSync(resolve(p), join(proposedDir, rel), { recursive: true });
        }
      }
      const proposed = await build(proposedDir, 'proposed', values);
      const base = await build(baseDir, 'base', values);
      const cfg = proposed.strategies;
      const fill = fillModel({ fillAt: fillAt ?? cfg.backtest?.fillAt, feeBps: cfg.paper?.feeBps, slippageBps: cfg.paper?.slippageBps });
      // The bars are resolved against the working tree's strategies.yaml (the base copy lives elsewhere).
      const data = loadBacktestMarkets(cfg, join(cwd, 'strategies.yaml'), { ...(values.strategy ? { strategies: values.strategy } : {}), ...(values.data ? { files: values.data } : {}), ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
      const strategies = data.strategies;
      const common = { markets: data, strategies, fill, generatedAt: new Date().toISOString(), dataFiles: [...data.markets.values()].flatMap((m) => m.files.map((f) => ({ path: relative(cwd, f.path) || f.path, sha256: f.sha256, rows: f.rows }))) };
      console.log(`solrules diff — SIMULATED fills. base: ${baseIsDir ? baseDir : `${baseArg} (git)`} (rule set ${base.ruleSet.hash.slice(0, 12)}), proposed: ${positionals.length ? `base + ${positionals.join(', ')} from the working tree` : 'the working tree'} (rule set ${proposed.ruleSet.hash.slice(0, 12)})`);
      console.log(`${[...data.markets.values()].map((m) => `${m.series.length.toLocaleString('en-US')} ${m.report.timeframe} bars of ${m.id}`).join(', ')}; strategies: ${strategies.join(', ')}; ${fill.fillAt} fills, fee ${fill.feeBps} bps, slippage ${fill.slippageBps} bps\n`);
      const baseRun = await runBacktest({ ...common, active: base, title: `diff: base ${baseArg}` });
      const proposedRun = await runBacktest({ ...common, active: proposed, title: 'diff: proposed (working tree)' });
      const baseModel = values.out ? writeReport(baseRun.result, join(resolve(values.out), 'base')).model : buildReportModel(baseRun.result);
      const proposedModel = values.out ? writeReport(proposedRun.result, join(resolve(values.out), 'proposed')).model : buildReportModel(proposedRun.result);
      const bm = metricValues(baseModel.portfolio.metrics);
      const pm = metricValues(proposedModel.portfolio.metrics);
      const d = diffOrders(baseRun.orders, proposedRun.orders);
      console.log(formatDiff(d, bm, pm, limit));
      if (values.out) console.log(`\nreports: ${join(resolve(values.out), 'base', 'report.html')}\n         ${join(resolve(values.out), 'proposed', 'report.html')}`);
      let failed = false;
      for (const c of conditions) {
        const holds = evaluateFailIf(c, pm, bm);
        if (holds === false) continue;
        failed = true;
        console.log(`\nFAIL: ${c.text}${holds === null ? ' (a metric it reads is n/a)' : ''}`);
      }
      if (conditions.length && !failed) console.log(`\nok: no --fail-if condition holds (${conditions.map((c) => c.text).join('; ')})`);
      return failed ? 1 : 0;
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      console.error(`error: ${err.code}: ${err.message}`);
      return 1;
    } finally {
      for (const t of temps) rmSync(t, { recursive: true, force: true });
    }
  });
}

/**
 * `solrules run`: the engine on embedded defaults. Replays the SOL-USD series through the
 * enabled strategies with the paper executor and an in-process bus, showing progress, and
 * ends with a summary (also written to out/summary.json and out/summary.txt). Fills are
 * simulated; nothing is sent to any chain.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildActiveConfig, fullMessage, resolveSharedPath } from '../config/index.ts';
import { buildSummary, compose, formatSummary, preflightServices, ReplaySource, serviceConfigs, type EngineCheckpoint } from '../app/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { loadCandles, sliceCandles } from '../market/index.ts';
import { historyBoundsFromEnv, loadHistory, openStore, resolveStoreConfig } from '../infra/store/index.ts';
import { createLogger, initTracing, metrics, setLogger } from '../infra/telemetry/index.ts';
import { parseCommandArgs, UsageError, withUsage } from './args.ts';
import { evaluatorFromOption } from './_shared.ts';
import { liveReadiness } from '../executors/index.ts';
import { runOnChain, RUN_ROLES, type RunRole } from './_run-chain.ts';

/** Where the paper balances are kept between runs (beside the strategies' state). */
const PORTFOLIO_STATE = 'paper:portfolio';
/** The run's checkpoint after each settled tick (one row: committed as a whole or not at all). */
const RUN_CHECKPOINT = 'run:checkpoint';

interface RunCheckpoint {
  /** First day and first price of the run this one continues (the summary covers the whole run). */
  from: string;
  firstPriceUsd: number;
  /**
   * The last tick fully processed; before the run's first tick, the instant just before it (the
   * checkpoint saved at start, so a kill during the first tick rolls back to nothing processed).
   */
  tickAt: string;
  /** Saved at start, before any tick was processed (tickAt is then the instant before the first tick). */
  beforeFirstTick?: true;
  engine: EngineCheckpoint;
}

export const summary = 'run the engine: paper-trade the replayed SOL-USD series through the enabled strategies';

const USAGE = `usage: solrules run [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--speed N] [--prices CSV] [--out DIR]
                    [--evaluator KIND] [--no-watch] [--quiet] [--metrics-port N] [--linger S]
       solrules run --rpc URL [--ws URL] [--scanner FILE] [--seconds N] [--live]
                    [--role all|scanner|planner|executor] [--member NAME]

Replays a daily OHLC price series (default: strategies.yaml replay.prices) as four ticks a
day through the enabled strategies, with the paper executor (simulated fills: price moved by
paper.slippageBps, fee paper.feeBps). Nothing is sent to any chain. Bus and store come from
SOLRULES_BUS / SOLRULES_STORE (default: in-process bus, PGlite under .solrules/); with a stored
state the replay continues after its last tick (--from replays a period again).
--speed N replays N days a second (default: as fast as possible). While it runs, edits to
strategies.yaml and rules/ are validated, tested and applied (unless --no-watch).
The summary is printed and written to DIR/summary.json and DIR/summary.txt (default out/).
--metrics-port N (or SOLRULES_METRICS_PORT) serves /metrics, /healthz, /readyz and the admin
actions on 127.0.0.1:N while it runs (0 = any free port); --linger S keeps them up S seconds after
the summary so a scraper sees the final values. See docs/observability.md.

With --rpc the engine runs on a chain instead (docs/live.md): the scanners watch the pools of
--scanner FILE (default scanner.yaml in the project) on the RPC (and --ws, default the RPC's
port + 1) and every enabled strategy (grid, DCA, arbitrage) evaluates on them. DRY RUN by
default: fills are the venues' exact quote on the current pool state and nothing is sent.
Runs until Ctrl+C or --seconds N.

--role splits a chain run across processes that talk over the bus (SOLRULES_BUS=nats://…, with a
shared SOLRULES_CACHE and SOLRULES_STORE): scanner processes share the pools and forward their
accounts; planner processes (no chain connection) share the strategies and route their orders;
executor processes execute them (with --live, they read the chain they send to). Default all: one
process does everything; without --role, SOLRULES_ROLE names it. Every log line carries the role.
See docs/infrastructure.md "Scale-out".`;


export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(
      argv,
      {
        from: { type: 'string' },
        to: { type: 'string' },
        speed: { type: 'string' },
        prices: { type: 'string' },
        out: { type: 'string' },
        evaluator: { type: 'string' },
        'no-watch': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'metrics-port': { type: 'string' },
        linger: { type: 'string' },
        live: { type: 'boolean' },
        rpc: { type: 'string' },
        ws: { type: 'string' },
        scanner: { type: 'string' },
        seconds: { type: 'string' },
        role: { type: 'string' },
        member: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      false,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    for (const k of ['from', 'to'] as const) {
      if (values[k] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values[k]!)) throw new UsageError(`--${k} must be a date YYYY-MM-DD; got '${values[k]}'`);
    }
    const metricsPort = values['metrics-port'] ?? (process.env.SOLRULES_METRICS_PORT || undefined);
    if (metricsPort !== undefined && !/^\d{1,5}$/.test(metricsPort)) throw new UsageError(`--metrics-port must be a port number (0 = any free port); got '${metricsPort}'`);
    const lingerSeconds = values.linger === undefined ? 0 : Number(values.linger);
    if (!(lingerSeconds >= 0)) throw new UsageError(`--linger must be a number of seconds; got '${values.linger}'`);
    const speed = values.speed === undefined ? 0 : Number(values.speed);
    if (!(speed >= 0)) throw new UsageError(`--speed must be a number of days per second (0 = as fast as possible); got '${values.speed}'`);
    const root = process.cwd();
    if (!existsSync(join(root, 'strategies.yaml'))) throw new UsageError(`no strategies.yaml in ${root}; run from the project directory`);

    const role = (values.role ?? process.env.SOLRULES_ROLE ?? 'all') as RunRole;
    if (!RUN_ROLES.includes(role)) throw new UsageError(`--role must be one of ${RUN_ROLES.join(', ')}; got '${role}'${values.role === undefined ? ' (from SOLRULES_ROLE)' : ''}`);
    // Every log line names the role this process runs (Loki's label), whether it came from --role or SOLRULES_ROLE.
    const log = createLogger({ level: process.env.SOLRULES_LOG_LEVEL ?? 'warn', role });
    setLogger(log);
    const factory = evaluatorFromOption(values.evaluator);
    const built = await buildActiveConfig(root, factory, 'startup');
    if (!built.active) {
      for (const d of built.diagnostics) console.error(`${d.file}:${d.line}:${d.column}: ${d.code} ${fullMessage(d)}`);
      for (const f of built.testFailures) console.error(`rule test failed: ${f}`);
      console.error('not starting: fix the errors above (solrules validate / solrules test)');
      return 1;
    }
    if (role !== 'all' && values.rpc === undefined) throw new UsageError(`--role ${role} splits a chain run across processes: it needs --rpc URL`);
    if (role === 'scanner' && values.live) throw new UsageError('--live is for the executor role (and all): a scanner sends nothing');
    if (values.rpc !== undefined) {
      const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
      if (seconds !== undefined && !(seconds > 0)) throw new UsageError(`--seconds must be a positive number; got '${values.seconds}'`);
      if (values.live) {
        // Nothing goes to a chain without --live, configured wallets and configured executors.
        const wallets = built.active.project.wallets;
        const gate = liveReadiness({ ...(wallets ? { wallets: { file: wallets.src.file, config: wallets.config } } : {}), executors: built.active.strategies.executors });
        for (const p of gate.problems) console.error(`--live: ${p}`);
        if (!gate.ready) throw new UsageError('--live refused: fix the problems above; without --live the run sends nothing');
      }
      return runOnChain(root, built.active, factory, log, { rpc: values.rpc, ...(values.ws !== undefined ? { ws: values.ws } : {}), ...(values.scanner !== undefined ? { scanner: resolve(values.scanner) } : {}), ...(seconds !== undefined ? { seconds } : {}), quiet: values.quiet ?? false, watch: !values['no-watch'], ...(metricsPort !== undefined ? { metricsPort: Number(metricsPort) } : {}), live: values.live ?? false, role, ...(values.member !== undefined ? { member: values.member } : {}) });
    }
    for (const k of ['ws', 'scanner', 'seconds'] as const) if (values[k] !== undefined) throw new UsageError(`--${k} goes with --rpc URL (a run on a chain)`);
    if (values.live) {
      // Nothing goes to a chain without --live, configured wallets and configured executors.
      const wallets = built.active.project.wallets;
      const gate = liveReadiness({ ...(wallets ? { wallets: { file: wallets.src.file, config: wallets.config } } : {}), executors: built.active.strategies.executors });
      for (const p of gate.problems) console.error(`--live: ${p}`);
      if (!gate.ready) throw new UsageError('--live refused: fix the problems above; without --live the run sends nothing');
      throw new UsageError(`--live: wallets (${gate.wallets.map((w) => w.name).join(', ')}) and executors are ready, but without --rpc 'run' replays a price series, which has nothing to trade on: pass --rpc URL [--ws URL] to run on a chain (docs/live.md; npx solrules demo runs it live on the local sandbox)`);
    }
    const cfg = built.active.strategies;
    const strategiesDir = dirname(built.active.project.strategies!.src.file);
    const pricesPath = values.prices ? resolve(values.prices) : cfg.replay?.prices ? resolveSharedPath(strategiesDir, cfg.replay.prices) : undefined;
    if (!pricesPath || !existsSync(pricesPath)) throw new UsageError(`price series not found: ${pricesPath ?? '(set replay.prices in strategies.yaml or pass --prices)'}`);
    // SOLRULES_STORE selects PostgreSQL; by default PGlite under .solrules/, so a second run continues
    // the first from its last checkpoint: strategy state, paper balances and the summary's counters,
    // all saved as one row before the first tick and after each settled tick, so a kill at any point loses at most that tick.
    const storeDisplay = resolveStoreConfig({ projectDir: root }).display;
    // A dead NATS, Redis or PostgreSQL: one line naming it and the fix, before any driver retries.
    try {
      await preflightServices(serviceConfigs(root));
    } catch (err) {
      if (!isSolrulesError(err, 'SERVICE_UNAVAILABLE')) throw err;
      console.error(`error: ${err.message}`);
      return 1;
    }
    const store = await openStore({ projectDir: root });
    let checkpoint: RunCheckpoint | undefined;
    try {
      checkpoint = values.from === undefined ? await store.loadStrategyState<RunCheckpoint>(RUN_CHECKPOINT) : undefined;
      if (checkpoint) {
        // Roll back to the checkpoint: the orders and fills of a tick the last run did not finish are
        // discarded, its strategy state and balances rewritten, and the tick runs again.
        const discarded = await store.discardOrdersAfter(checkpoint.tickAt);
        for (const [name, state] of Object.entries(checkpoint.engine.planners)) await store.saveStrategyState(name, state);
        await store.saveStrategyState(PORTFOLIO_STATE, checkpoint.engine.portfolio);
        if (discarded) console.log(`rolled back ${discarded} order(s) of a tick the previous run did not finish (after ${checkpoint.tickAt}); they are decided again`);
      }
    } catch (err) {
      await store.close();
      throw err;
    }
    let history;
    try {
      history = await loadHistory(store, [...Object.keys(cfg.strategies), PORTFOLIO_STATE], { bounds: historyBoundsFromEnv() });
    } catch (err) {
      await store.close();
      throw err;
    }
    // A store written before checkpoints existed continues from the day after its last tick.
    const lastTick = checkpoint?.tickAt ?? ([...history.strategyState.values()].map((s) => (s as { lastTickAt?: string | null })?.lastTickAt ?? '').sort().pop() || undefined);
    // (+1 ms: a checkpoint saved before a first tick at midnight names the previous day's last instant)
    const resumeFrom = values.from !== undefined || !lastTick ? undefined : checkpoint ? new Date(Date.parse(checkpoint.tickAt) + 1).toISOString().slice(0, 10) : new Date(Date.parse(lastTick.slice(0, 10)) + 86_400_000).toISOString().slice(0, 10);
    const candles = sliceCandles(loadCandles(pricesPath), values.from ?? resumeFrom ?? cfg.replay?.from, values.to ?? cfg.replay?.to);
    if (!candles.length && resumeFrom && !checkpoint) {
      await store.close();
      console.log(`nothing left to replay: the stored state (${storeDisplay}) already reaches ${lastTick}. Pass --from to replay a period again, or remove .solrules/ to start over.`);
      return 0;
    }
    if (!candles.length && !checkpoint) {
      await store.close();
      throw new UsageError('no candles in the selected period');
    }
    if (resumeFrom && checkpoint?.beforeFirstTick) console.log(`continuing the run the stored state (${storeDisplay}) holds: it stopped before its first tick (${new Date(Date.parse(checkpoint.tickAt) + 1).toISOString()}) was processed, so it starts there again`);
    else if (resumeFrom) console.log(`continuing from the stored state (${storeDisplay}): ${[...history.strategyState.keys()].join(', ')} as of ${lastTick}`);
    const recent = history.recent;
    if (resumeFrom && recent) console.log(`history read (bounded; SOLRULES_HISTORY_* to change): ${recent.executions.length} recent execution(s), ${recent.pnl.length} P&L entr(ies), ${recent.walletBalances.length} wallet balance(s), ${recent.ruleSets.length} rule-set version(s)`);

    const tracing = await initTracing(); // OTLP export only when configured (SOLRULES_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_*)
    const quiet = values.quiet ?? false;
    const write = (s: string) => {
      if (!quiet) console.log(s);
    };
    const { base } = cfg.market;
    let month = '';
    let runFrom = checkpoint?.from ?? candles[0]?.date;
    let firstPriceUsd = checkpoint?.firstPriceUsd;
    const source = new ReplaySource({
      candles,
      base,
      file: pricesPath,
      speed,
      ...(checkpoint ? { after: checkpoint.tickAt } : {}),
      afterTick: async (tick, _i, engine) => {
        runFrom ??= tick.time.toISOString().slice(0, 10);
        firstPriceUsd ??= tick.priceUsd;
        const cp: RunCheckpoint = { from: runFrom, firstPriceUsd, tickAt: tick.time.toISOString(), engine: engine.checkpoint() };
        await app.store.saveStrategyState(RUN_CHECKPOINT, cp);
      },
      onTick: (tick, _i, engine) => {
        const m = tick.time.toISOString().slice(0, 7);
        if (m === month || tick.phase !== 'close') return;
        month = m;
        const decided = [...engine.stats.orders.values()].reduce((a, o) => a + o.decided, 0);
        const filled = [...engine.stats.orders.values()].reduce((a, o) => a + o.filled, 0);
        const equity = (Number(engine.portfolio.balance(base.mint)) / 10 ** base.decimals) * tick.priceUsd + Number(engine.portfolio.balance(cfg.market.quote.mint)) / 10 ** cfg.market.quote.decimals;
        write(`  ${m}  ${base.symbol} $${tick.priceUsd.toFixed(2).padStart(7)}  orders ${String(decided).padStart(4)}  fills ${String(filled).padStart(4)}  equity $${equity.toFixed(2)}`);
      },
    });
    if (checkpoint && !source.ticks.length) console.log(`nothing left to replay: the stored state (${storeDisplay}) already reaches ${checkpoint.tickAt}; the summary covers the stored run. Pass --from to replay a period again, or remove .solrules/ to start over.`);
    const savedPortfolio = history.strategyState.get(PORTFOLIO_STATE) as Record<string, string> | undefined;
    // The store read above is the run's store (an embedded one is opened once).
    const app = await compose({
      root,
      store,
      active: built.active,
      factory,
      log,
      source,
      watch: !values['no-watch'],
      ...(metricsPort !== undefined ? { metricsPort: Number(metricsPort) } : {}),
      ...(savedPortfolio ? { portfolio: savedPortfolio } : {}),
      onReload: (o, needsRestart) => {
        if (o.applied) console.log(`[reload] rule set ${o.hash!.slice(0, 12)} applied from ${o.source} (${o.diff!.thresholds.length} threshold(s), ${o.diff!.changed.length + o.diff!.added.length + o.diff!.removed.length} rule(s) changed)${needsRestart.length ? `; needs a restart to take effect: ${needsRestart.join(', ')}` : ''}`);
        else if (o.diagnostics.length || o.testFailures.length) console.log(`[reload] refused (${o.diagnostics.length} error(s), ${o.testFailures.length} failing test(s)); the previous rule set keeps serving`);
      },
    });
    const { engine, holder, server } = app;
    if (checkpoint) engine.restoreRuntime(checkpoint.engine);
    if (server) console.log(`telemetry: ${server.url}/metrics, /healthz, /readyz${process.env.SOLRULES_ADMIN_TOKEN ? ', admin actions (token from SOLRULES_ADMIN_TOKEN)' : ' (admin actions disabled: SOLRULES_ADMIN_TOKEN is not set)'}`);
    write(`solrules run — PAPER TRADING on ${source.description}: fills are simulated, nothing is sent to any chain.`);
    if (source.ticks.length) write(`replaying ${candles.length} days (${candles[0]!.date} .. ${candles[candles.length - 1]!.date}), ${source.ticks.length} ticks; strategies: ${Object.entries(cfg.strategies).filter(([, s]) => s.enabled).map(([n]) => n).join(', ')}; rule set ${built.active.ruleSet.hash.slice(0, 12)}`);
    const ai = engine.aiRuntime;
    if (ai?.model) write(`ai: ${ai.producer.strategies.join(', ')} analysed by ${ai.model} on their schedule (strategies.yaml ai:); answers appended to ${[...ai.recorders.keys()].join(', ')}`);
    if (app.unproduced.length) {
      // Said once, plainly: these conditions cannot hold in this run (validate accepts them: another mode produces the fact).
      // one line per rule and fact, its fields together (a rule reading five wallet fields is one line)
      const lines = new Map<string, { fields: string[]; why: string }>();
      for (const u of app.unproduced) {
        const key = `${u.file}/${u.rule}: ${u.fact}`;
        const line = lines.get(key) ?? { fields: [], why: u.why };
        if (u.path) line.fields.push(u.path);
        lines.set(key, line);
      }
      write(`note: ${lines.size} rule(s) read facts this ${source.mode} run does not produce, so those conditions cannot hold here:`);
      for (const [key, l] of lines) write(`  ${key}${l.fields.length ? ` (${l.fields.join(', ')})` : ''} — ${l.why}`);
    }
    if (!checkpoint && source.ticks.length) {
      // The first checkpoint, before the first tick: the first tick's orders and fills are stored
      // before its own checkpoint, and a run killed in between must leave the next one a checkpoint
      // to roll back to (otherwise it would expire that order and refuse it as a duplicate when
      // decided again, or read a fill's strategy state as "replayed up to that day").
      const first = source.ticks[0]!;
      runFrom ??= first.time.toISOString().slice(0, 10);
      firstPriceUsd ??= first.priceUsd;
      const cp: RunCheckpoint = { from: runFrom, firstPriceUsd, tickAt: new Date(first.time.getTime() - 1).toISOString(), beforeFirstTick: true, engine: engine.checkpoint() };
      await app.store.saveStrategyState(RUN_CHECKPOINT, cp);
    }
    const started = performance.now();
    // SIGINT / SIGTERM: finish the tick in hand (it is checkpointed), then the summary of the run so
    // far; a second signal exits at once (the last checkpoint is kept either way).
    let stoppedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppedBy) {
        console.error(`${signal} again: exiting now; the store keeps the last checkpoint (${storeDisplay})`);
        process.exit(130);
      }
      stoppedBy = signal;
      console.log(`${signal}: stopping after the current tick; state is saved and a summary of the run so far is written`);
      void source.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await source.run(app.bus, engine);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await engine.stop();
    await app.store.saveStrategyState(PORTFOLIO_STATE, engine.portfolio.toJSON());
    for (const [name, s] of Object.entries(cfg.strategies)) if (s.enabled && engine.planners.has(name)) metrics.strategy.completions.inc({ strategy: name, reason: 'replay-end' });
    const active = holder.current;
    const reached = engine.price?.time ?? checkpoint?.tickAt;
    if (stoppedBy) console.log(`stopped by ${stoppedBy} after the tick of ${reached ?? '(none)'}: state saved in ${storeDisplay}; run again (without --from) to continue from there`);
    const result = buildSummary(engine, active.strategies, { from: runFrom ?? candles[0]!.date, to: (reached ?? candles[candles.length - 1]!.date).slice(0, 10), firstPriceUsd: firstPriceUsd ?? source.ticks[0]!.priceUsd, ruleSetHash: active.ruleSet.hash, evaluator: active.ruleSet.evaluatorKind });
    const text = formatSummary(result, active.strategies);
    console.log(text);
    const outDir = resolve(values.out ?? 'out');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(outDir, 'summary.txt'), text.trimStart() + '\n');
    console.log(`\nsummary written to ${join(outDir, 'summary.json')} and summary.txt (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    // Linger before app.close(): it closes the telemetry server too, and a linger after it served
    // nothing, so a scraper never saw the final values (progress 1 stayed up only between the last
    // tick and the close, shorter than a scrape interval).
    if (server && lingerSeconds > 0) {
      console.log(`telemetry: serving the final values for ${lingerSeconds} s more`);
      await new Promise((r) => setTimeout(r, lingerSeconds * 1000));
    }
    await app.close();
    await tracing.shutdown();
    return stoppedBy ? 128 + (stoppedBy === 'SIGINT' ? 2 : 15) : 0;
  });
}

/**
 * One engine instance for test/control/kill-switch-processes.test.ts, run as its own process
 * (forked with an IPC channel).
 *
 * - control: a ControlState attached to the bus SOLRULES_BUS selects (the machine's NATS, one
 *   namespace shared by every instance of the test run), and the admin HTTP server on an
 *   ephemeral loopback port with the token from SOLRULES_ADMIN_TOKEN;
 * - trading: a TradingEngine (planners, coordinator with the real risk and routing rules, paper
 *   executor) fed by this process itself with the replayed SOL-USD series, one tick about every
 *   millisecond, forward then backward (time keeps advancing 6 h a tick) for as long as it runs.
 *   Its pipeline runs on its own in-process bus and memory store, so the only thing the
 *   instances share is the control plane on NATS — the path under test.
 *
 * Every decision the coordinator makes is recorded with the moment it read the `control` fact;
 * every control change with the moment it was applied. Times are
 * `performance.timeOrigin + performance.now()` (epoch ms, sub-ms resolution), the same clock the
 * parent reads. Messages to the parent: `ready`, `control` (at each change), and answers to
 * `stats` / `report` requests; `stop` ends the process cleanly.
 */
import { openBus, MemoryBus, instrumentBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { ControlState, controlAdmin } from '../../engine/control/index.ts';
import type { Decision } from '../../engine/coordinator/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { composeEngine, type TradingEngine } from '../../engine/app/index.ts';
import { candleTicks, loadCandles } from '../../engine/market/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger, Health, setLogger, startTelemetryServer } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT, sharedFixture } from '../support/paths.ts';

/** Epoch ms on a clock every process on this machine shares (see the test's header). */
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One coordinator decision: when it read the control fact, what that fact said, and the outcome. */
export interface DecisionRecord {
  at: number;
  /** control.killSwitch as the decision read it. */
  killSwitch: boolean;
  kind: Decision['kind'];
  /** Risk rules that blocked it. */
  rules?: string[];
}

export interface ControlChange {
  action: string;
  killSwitch: boolean;
  paused: boolean;
  changedBy?: string;
  at: number;
}

export type ToParent =
  | { type: 'ready'; instance: string; url: string; pid: number }
  | { type: 'control'; instance: string; change: ControlChange }
  | { type: 'stats'; id: number; ticks: number; routed: number; lastRoutedAt: number | null }
  | { type: 'report'; id: number; instance: string; ticks: number; decisions: DecisionRecord[]; changes: ControlChange[] }
  | { type: 'stopped' };

export type ToChild = { type: 'stats'; id: number } | { type: 'report'; id: number } | { type: 'stop' };

const send = (m: ToParent) => process.send!(m);
if (!process.send) throw new Error('engine-process.ts runs as a forked child of kill-switch-processes.test.ts');

const instanceId = process.env.INSTANCE_ID ?? `engine-${process.pid}`;
const log = createLogger({ level: process.env.SOLRULES_LOG_LEVEL ?? 'silent' });
setLogger(log);

const built = await buildActiveConfig(REPO_ROOT, referenceEvaluator, 'test', { runTests: false });
if (!built.active) throw new Error(`rule set not built: ${JSON.stringify(built.diagnostics)}`);
const holder = new ConfigHolder(built.active);

const controlBus = instrumentBus(await openBus({ name: instanceId }));
const control = new ControlState({ instanceId });
const changes: ControlChange[] = [];
control.onChange((s, action) => {
  const change: ControlChange = { action, killSwitch: s.killSwitch, paused: s.paused, at: clock(), ...(s.changedBy ? { changedBy: s.changedBy } : {}) };
  changes.push(change);
  send({ type: 'control', instance: instanceId, change });
});
await control.attach(controlBus);

const pipelineBus = new MemoryBus();
const engine = await composeEngine({ holder, bus: pipelineBus, store: new MemoryStore(), log, control: () => control.fact() });
const decisions: DecisionRecord[] = [];
let routed = 0;
let lastRoutedAt: number | null = null;
// decide() reads the control fact synchronously (before any await), so `at` is the moment of that read
const decide = engine.coordinator.decide.bind(engine.coordinator);
engine.coordinator.decide = (order) => {
  const at = clock();
  const killSwitch = control.killSwitch;
  // decide() answers synchronously when its evaluators do: a promise either way here.
  return Promise.resolve(decide(order)).then((d) => {
    decisions.push({ at, killSwitch, kind: d.kind, ...(d.kind === 'blocked' ? { rules: d.rules } : {}) });
    if (d.kind === 'routed') {
      routed++;
      lastRoutedAt = at;
    }
    return d;
  });
};
await engine.start();

let ticks = 0;
const server = await startTelemetryServer({ host: '127.0.0.1', port: 0, admin: controlAdmin(control, () => ({ ticks })), health: new Health([]), processMetrics: false });

const { base } = built.active.strategies.market;
const series = candleTicks(loadCandles(sharedFixture('prices', 'SOL-USD.daily.yahoo.2021-01-01_2023-08-29.csv')));
const tickMs = Number(process.env.TICK_INTERVAL_MS ?? 1);
let stopping = false;
const feed = (async () => {
  const start = series[0]!.time.getTime();
  for (let k = 0; !stopping; k++) {
    // forward, then backward, ...: the price path stays continuous while time moves on
    const lap = Math.floor(k / series.length);
    const i = k % series.length;
    const tick = series[lap % 2 === 0 ? i : series.length - 1 - i]!;
    await pipelineBus.publish(`market.prices.${base.mint}`, { mint: base.mint, symbol: base.symbol, usd: tick.priceUsd, time: new Date(start + k * 6 * 3_600_000).toISOString(), source: 'replay' });
    await pipelineBus.settle();
    ticks++;
    await sleep(tickMs);
  }
})();

process.on('message', (m: ToChild) => {
  if (m.type === 'stats') send({ type: 'stats', id: m.id, ticks, routed, lastRoutedAt });
  else if (m.type === 'report') send({ type: 'report', id: m.id, instance: instanceId, ticks, decisions, changes });
  else if (m.type === 'stop') void stop();
});

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await feed;
  await server.close();
  await engine.stop();
  await control.detach();
  await controlBus.close();
  await pipelineBus.close();
  send({ type: 'stopped' });
  process.disconnect();
}

send({ type: 'ready', instance: instanceId, url: server.url, pid: process.pid });

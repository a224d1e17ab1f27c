/**
 * `npm run bench:pipeline`: account updates through decode → facts → rules → order, paced at
 * 5,000 updates a second on one core; prints the latency per update (from its arrival time to
 * its orders built), p50 and p99.
 *
 * The accounts are real: the Raydium AMM v4 SOL/USDC pool and its two vaults captured from
 * mainnet (`../shared/fixtures/accounts/raydium-amm-v4/*capture-with-vaults*`). The updates are
 * SIMULATED: a random walk of swaps against the pool's reserves, written into the vault
 * accounts' amount field, as a chain subscription would deliver them. Each update is decoded
 * by engine/venues (pool and both vaults), turned into pool / price / wallet / time facts,
 * evaluated by the compiled evaluator on 20 rules (3 conditions each), and every fired order
 * event becomes orders with engine/orders' buildOrders, explanation attached.
 *
 * Baseline in the same run: the same pipeline with json-rules-engine (the reference
 * evaluator), back to back without pacing (it cannot keep up with 5,000 a second).
 *
 * Options (environment): BENCH_SECONDS (measured seconds, default 10), BENCH_RATE (updates/s, default 5000).
 */
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadAccountFile, type AccountSnapshot } from '../engine/accounts/index.ts';
import { raydiumAmmV4, type RaydiumAmmV4State } from '../engine/venues/index.ts';
import { priceFact, timeFact, walletFact } from '../engine/facts/index.ts';
import { buildOrders, type Order, type OrderContext } from '../engine/orders/index.ts';
import {
  compiledEvaluator,
  referenceEvaluator,
  ruleSetHash,
  type Evaluator,
  type FactSnapshot,
  type FiredEvent,
  type RuleFile,
  type RuleOutcome,
} from '../engine/rules/index.ts';
import { SHARED_FIXTURES } from '../test/support/paths.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const WARMUP_SECONDS = 3;
const BASELINE_UPDATES = 3000;

const DIR = join(SHARED_FIXTURES, 'accounts', 'raydium-amm-v4');
const POOL = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2';
const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const WINDOW = 8;

/** 20 rules: dip-buy and pop-sell for 10 pools (this one and 9 others), 3 conditions each. */
function pipelineRules(): RuleFile {
  const pools = [POOL, ...Array.from({ length: 9 }, (_, i) => `Pool${i}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`)];
  const rules = pools.flatMap((address, i) => [
    {
      id: `dip-buy-${i}`,
      priority: 10,
      conditions: {
        all: [
          { fact: 'pool', path: 'address', operator: 'equal', value: address },
          { fact: 'price', path: 'recentUsd', operator: 'percentChangeBelow', value: { fact: 'params', path: 'pool.dipPct' } },
          { fact: 'wallet', path: 'quoteBalance', operator: 'greaterThanInclusive', value: { fact: 'params', path: 'pool.orderUsd' } },
        ],
      },
      event: { type: 'order', params: { side: 'buy', amountIn: '25000000', urgency: 'high', maxSlippageBps: { fact: 'params', path: 'pool.maxSlippageBps' } } },
    },
    {
      id: `pop-sell-${i}`,
      priority: 10,
      conditions: {
        all: [
          { fact: 'pool', path: 'address', operator: 'equal', value: address },
          { fact: 'price', path: 'recentUsd', operator: 'percentChangeAbove', value: { fact: 'params', path: 'pool.popPct' } },
          { fact: 'pool', path: 'liquidityUsd', operator: 'greaterThanInclusive', value: { fact: 'params', path: 'pool.minLiquidityUsd' } },
        ],
      },
      event: { type: 'order', params: { side: 'sell', amountIn: '300000000', urgency: 'normal', maxSlippageBps: { fact: 'params', path: 'pool.maxSlippageBps' } } },
    },
  ]);
  return { id: 'pool-momentum', kind: 'strategy', strategy: 'pool-momentum', file: 'bench/pool-momentum (in bench/pipeline.ts)', hash: 'bench', rules } as unknown as RuleFile;
}

const PARAMS = { pool: { dipPct: -0.35, popPct: 0.35, orderUsd: 20, minLiquidityUsd: 1_000_000, maxSlippageBps: 50 } };

interface Update {
  arrival: number;
  accounts: Map<string, AccountSnapshot>;
  slot: number;
}

function writeU64(data: Uint8Array, offset: number, value: bigint): void {
  new DataView(data.buffer, data.byteOffset, data.byteLength).setBigUint64(offset, value, true);
}

/** A ring of simulated vault updates: swaps of random size and direction on the constant product. */
function simulatedUpdates(pool: AccountSnapshot, coinVault: AccountSnapshot, pcVault: AccountSnapshot, count: number): Array<Omit<Update, 'arrival'>> {
  let coin = 67_661_004_799_950n;
  let pc = 4_936_181_262_839n;
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const out: Array<Omit<Update, 'arrival'>> = [];
  for (let i = 0; i < count; i++) {
    // Swap up to ~0.04% of the coin reserve in either direction (fee ignored: it is a feed, not a quote).
    const k = coin * pc;
    const delta = BigInt(Math.floor(random() * 0.0004 * Number(coin)));
    if (random() < 0.5) coin += delta;
    else coin -= delta;
    pc = k / coin;
    const slot = 300_000_000 + i;
    const c = { ...coinVault, data: Uint8Array.from(coinVault.data), slot };
    const p = { ...pcVault, data: Uint8Array.from(pcVault.data), slot };
    writeU64(c.data, 64, coin);
    writeU64(p.data, 64, pc);
    out.push({ accounts: new Map([[coinVault.address!, c], [pcVault.address!, p]]), slot });
  }
  void pool;
  return out;
}

interface Pipeline {
  evaluator: Evaluator;
  explainRule: (facts: FactSnapshot, ruleId: string) => RuleOutcome | undefined | Promise<RuleOutcome | undefined>;
}

/** Written by the pacing loop so the engine cannot drop it as dead code. */
let spinSink = 0;

class Stages {
  decode: number[] = [];
  facts: number[] = [];
  rules: number[] = [];
  orders: number[] = [];
}

/** One update through the pipeline; returns the orders it produced. */
async function processUpdate(
  pool: AccountSnapshot,
  update: Omit<Update, 'arrival'>,
  window: number[],
  wallet: ReturnType<typeof walletFact>,
  p: Pipeline,
  hash: string,
  stages: Stages | undefined,
): Promise<Order[]> {
  const t0 = performance.now();
  const state = raydiumAmmV4.buildState(pool, update.accounts, { unixTimestamp: 1_700_000_000n }) as RaydiumAmmV4State;
  const t1 = performance.now();
  const coin = Number(state.coinReserve) / 10 ** SOL.decimals;
  const usdc = Number(state.pcReserve) / 10 ** USDC.decimals;
  const priceUsd = usdc / coin;
  window.push(priceUsd);
  if (window.length > WINDOW) window.shift();
  const now = new Date(1_700_000_000_000 + update.slot * 400);
  const facts = {
    pool: {
      address: state.address,
      venue: state.venue,
      mintA: state.mintA,
      mintB: state.mintB,
      reserveA: state.coinReserve.toString(),
      reserveB: state.pcReserve.toString(),
      priceUsd,
      liquidityUsd: usdc * 2,
      feeBps: (Number(state.amm.swapFee.numerator) / Number(state.amm.swapFee.denominator)) * 10_000,
      slot: update.slot,
      ageSlots: 0,
    },
    price: priceFact({ mint: SOL.mint, symbol: SOL.symbol, recentUsd: window, time: now, source: 'raydium-amm-v4', slot: update.slot }),
    wallet,
    time: timeFact(now),
  };
  const t2 = performance.now();
  const events: FiredEvent[] = await p.evaluator.evaluate(facts);
  const t3 = performance.now();
  const orders: Order[] = [];
  for (const event of events) {
    if (event.type !== 'order') continue;
    const outcome = (await p.explainRule(facts, event.ruleId))!;
    const ctx: OrderContext = {
      strategy: 'pool-momentum',
      ruleFile: p.evaluator.file.file,
      ruleSetHash: hash,
      base: SOL,
      quote: USDC,
      priceUsd: (mint) => (mint === SOL.mint ? priceUsd : mint === USDC.mint ? 1 : undefined),
      now,
      facts,
      explanation: { ruleId: event.ruleId, ruleSetHash: hash, conditions: outcome.conditions },
    };
    orders.push(...buildOrders(event, ctx));
  }
  const t4 = performance.now();
  if (stages) {
    stages.decode.push(t1 - t0);
    stages.facts.push(t2 - t1);
    stages.rules.push(t3 - t2);
    if (orders.length) stages.orders.push(t4 - t3);
  }
  return orders;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const sortedOf = (xs: number[]) => Float64Array.from(xs).sort() as unknown as number[];

async function main(): Promise<void> {
  const pool = loadAccountFile(join(DIR, `${POOL}.capture-with-vaults.json`));
  const coinVault = loadAccountFile(join(DIR, 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json'));
  const pcVault = loadAccountFile(join(DIR, 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json'));
  const updates = simulatedUpdates(pool, coinVault, pcVault, 4096);
  const file = pipelineRules();
  const hash = ruleSetHash([file], PARAMS);
  const wallet = walletFact({ baseAtoms: 5_000_000_000n, quoteAtoms: 1_000_000_000n, baseDecimals: SOL.decimals, quoteDecimals: USDC.decimals });

  const compiled = compiledEvaluator.create(file, PARAMS);
  const compiledPipeline: Pipeline = { evaluator: compiled, explainRule: (facts, id) => compiled.explainRule(facts, id) };
  const reference = referenceEvaluator.create(file, PARAMS);
  const referencePipeline: Pipeline = {
    evaluator: reference,
    explainRule: (facts, id) => reference.explainRule(facts, id),
  };

  console.log(`bench:pipeline — ${process.version}, one core, ${RATE.toLocaleString('en-US')} updates/s for ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up)`);
  console.log(`accounts: real mainnet Raydium AMM v4 SOL/USDC pool ${POOL} and its vaults; updates SIMULATED (random-walk swaps written into the vault balances)`);
  console.log(`pipeline: engine/venues decode (pool + 2 vaults) → pool/price/wallet/time facts → ${file.rules.length} rules (3 conditions each) → engine/orders buildOrders with explanation`);

  // Paced run of the compiled pipeline: arrivals every 1/RATE s; latency = orders built − arrival.
  const interval = 1000 / RATE;
  const window: number[] = [];
  let latencies: number[] = [];
  let service: number[] = [];
  let withOrders: number[] = [];
  let cpu = process.cpuUsage();
  let wallStart = performance.now();
  let orderCount = 0;
  let stages = new Stages();
  let behind = 0;
  // Garbage-collector pauses during the measured part: they delay the updates behind them.
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const total = Math.round((SECONDS + WARMUP_SECONDS) * RATE);
  const warm = Math.round(WARMUP_SECONDS * RATE);
  const start = performance.now() + 5;
  for (let i = 0; i < total; i++) {
    if (i === warm) {
      latencies = [];
      service = [];
      withOrders = [];
      cpu = process.cpuUsage();
      wallStart = performance.now();
      orderCount = 0;
      stages = new Stages();
      behind = 0;
      gcPauses.length = 0;
    }
    const arrival = start + i * interval;
    // Wait for the arrival without allocating: each performance.now() allocates (process.hrtime),
    // and a bare spin on it alone would trigger a young-generation GC every few milliseconds.
    while (performance.now() < arrival) for (let k = 0; k < 256; k++) spinSink = (spinSink + k) | 0;
    const begin = performance.now();
    const orders = await processUpdate(pool, updates[i % updates.length]!, window, wallet, compiledPipeline, hash, stages);
    const done = performance.now();
    const latency = done - arrival;
    latencies.push(latency);
    service.push(done - begin);
    if (latency > interval) behind++;
    if (orders.length) {
      withOrders.push(latency);
      orderCount += orders.length;
    }
  }
  const wall = performance.now() - wallStart;
  await new Promise((r) => setTimeout(r, 50)); // let the observer deliver what it queued
  gcObserver.disconnect();
  const gcSorted = sortedOf(gcPauses);
  console.log(
    `  garbage collection while measuring: ${gcPauses.length} pauses, ${us(gcPauses.reduce((a, b) => a + b, 0))} in all, ` +
      `longest ${gcPauses.length ? us(gcSorted[gcSorted.length - 1]!) : '-'} (each delays the updates that arrive during it)${spinSink === 42 ? '' : ''}`,
  );
  const used = process.cpuUsage(cpu);
  const cpuShare = (used.user + used.system) / 1000 / wall;
  const sorted = sortedOf(latencies);
  const measured = latencies.length;
  console.log(
    `compiled: ${measured.toLocaleString('en-US')} updates, ${orderCount} orders from ${withOrders.length} updates (${((withOrders.length / measured) * 100).toFixed(1)}%); ` +
      `latency per update p50 ${us(percentile(sorted, 50))}, p99 ${us(percentile(sorted, 99))}, p99.9 ${us(percentile(sorted, 99.9))}, max ${us(sorted[sorted.length - 1]!)}; ` +
      `${behind} updates (${((behind / measured) * 100).toFixed(2)}%) took longer than the ${us(interval)} between arrivals`,
  );
  const s = (xs: number[]) => `p50 ${us(percentile(sortedOf(xs), 50))} p99 ${us(percentile(sortedOf(xs), 99))}`;
  console.log(`  time processing each update (arrival to orders, without waiting behind earlier ones): ${s(service)}`);
  console.log(
    `  CPU: this process ran ${(cpuShare * 100).toFixed(0)}% of the wall time (it busy-waits between arrivals, so ~100% on an idle core; ` +
      `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores${cpuShare < 0.9 ? ': other processes took the core, latencies include that' : ''})`,
  );
  console.log(`  stages: decode ${s(stages.decode)} | facts ${s(stages.facts)} | rules ${s(stages.rules)} | orders (updates with orders) ${s(stages.orders)}`);
  if (withOrders.length) console.log(`  updates that produced orders: ${s(withOrders)}`);

  // Baseline: json-rules-engine in the same pipeline, back to back (service time only).
  const refWindow: number[] = [];
  const refTimes: number[] = [];
  for (let i = 0; i < BASELINE_UPDATES + 500; i++) {
    const t0 = performance.now();
    await processUpdate(pool, updates[i % updates.length]!, refWindow, wallet, referencePipeline, hash, undefined);
    if (i >= 500) refTimes.push(performance.now() - t0);
  }
  const refSorted = sortedOf(refTimes);
  const mean = refTimes.reduce((a, b) => a + b, 0) / refTimes.length;
  console.log(
    `json-rules-engine (same pipeline, ${BASELINE_UPDATES} updates back to back, no pacing): time per update p50 ${us(percentile(refSorted, 50))}, p99 ${us(percentile(refSorted, 99))}; ` +
      `sustains ~${Math.round(1000 / mean).toLocaleString('en-US')} updates/s${1000 / mean < RATE ? ` (< ${RATE.toLocaleString('en-US')}: it would fall behind)` : ''}`,
  );
  const serviceSorted = sortedOf(service);
  console.log(
    `p99 per update: ${us(percentile(sorted, 99))} paced (target <= 100 µs), p50 ${us(percentile(sorted, 50))}; ` +
      `processing alone p99 ${us(percentile(serviceSorted, 99))}, p50 ${us(percentile(serviceSorted, 50))}; CPU share ${(cpuShare * 100).toFixed(0)}%`,
  );
}

await main();

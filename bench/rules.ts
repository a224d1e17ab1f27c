/**
 * `npm run bench:rules`: json-rules-engine (the reference evaluator) and the compiled
 * evaluator side by side, in one run, on the same rule sets of 20, 200 and 2,000 rules
 * (3 conditions each) and the same fact snapshots. Prints runs/s for each and their ratio,
 * then the compile time of 2,000 rules. The last line is `ratio 20 rules: <n>x`.
 *
 * Both evaluators are warmed up before they are timed (the JIT optimizes the generated code of
 * a 2,000-rule file over a few seconds on a background thread; until then it runs unoptimized).
 *
 * Options (environment): BENCH_SECONDS (time per measurement, default 1.5).
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { compiledEvaluator, compileRuleFile, referenceEvaluator, type Evaluator, type FactSnapshot } from '../engine/rules/index.ts';
import { benchParams, benchRuleFile, benchSnapshots } from './ruleset.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const SIZES = [20, 200, 2000];
const WARMUP = 1;

async function measureAsync(ev: Evaluator, snapshots: FactSnapshot[], seconds = SECONDS): Promise<number> {
  let runs = 0;
  let sink = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 8; i++) sink += (await ev.evaluate(snapshots[(runs + i) % snapshots.length]!)).length;
    runs += 8;
  }
  const elapsed = (performance.now() - start) / 1000;
  if (sink < 0) console.log(sink);
  return runs / elapsed;
}

function measureSync(ev: Evaluator, snapshots: FactSnapshot[], seconds = SECONDS): number {
  let runs = 0;
  let sink = 0;
  const n = snapshots.length;
  const start = performance.now();
  const end = start + seconds * 1000;
  let batch = 64;
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) sink += (ev.evaluate(snapshots[(runs + i) % n]!) as unknown[]).length;
    runs += batch;
    if (batch < 65536) batch *= 2;
  }
  const elapsed = (performance.now() - start) / 1000;
  if (sink < 0) console.log(sink);
  return runs / elapsed;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const params = benchParams();
  const snapshots = benchSnapshots(16) as FactSnapshot[];
  console.log(
    `bench:rules — ${process.version}, ${SECONDS}s per measurement after warm-up, ${snapshots.length} rotating fact snapshots, 3 conditions per rule ` +
      `(load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  console.log('rules   json-rules-engine runs/s   compiled runs/s   ratio   events/run');
  const ratios = new Map<number, number>();
  for (const size of SIZES) {
    const file = benchRuleFile(size);
    const ref = referenceEvaluator.create(file, params);
    const cmp = compiledEvaluator.create(file, params);
    // Same rules, same answers: check before timing.
    let events = 0;
    for (const facts of snapshots) {
      const expected = await ref.evaluate(facts);
      assert.deepStrictEqual(cmp.evaluate(facts), expected);
      events += expected.length;
    }
    await measureAsync(ref, snapshots, WARMUP);
    const refRate = await measureAsync(ref, snapshots);
    measureSync(cmp, snapshots, WARMUP * (size >= 2000 ? 4 : 1));
    const cmpRate = measureSync(cmp, snapshots);
    const ratio = cmpRate / refRate;
    ratios.set(size, ratio);
    console.log(
      `${String(size).padStart(5)}   ${fmt(refRate).padStart(23)}   ${fmt(cmpRate).padStart(15)}   ${(Math.round(ratio) + 'x').padStart(5)}   ${(events / snapshots.length).toFixed(1).padStart(10)}`,
    );
  }

  const file2000 = benchRuleFile(2000);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    compileRuleFile(file2000, params);
    times.push(performance.now() - t0);
  }
  const first = times[0]!;
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`compile 2,000 rules: ${first.toFixed(1)} ms first, ${sorted[3]!.toFixed(1)} ms median of ${times.length}, ${sorted[times.length - 1]!.toFixed(1)} ms max (target <= 200 ms)`);
  console.log(`ratio 20 rules: ${Math.round(ratios.get(20)!)}x`);
}

await main();

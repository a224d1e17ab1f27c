/**
 * `npm run bench:market [-- --json]`: the layer above the venues, on the real fixture pools
 * (Orca SOL/USDC whirlpool, Raydium SOL/USDC AMM v4 priced 1 % above it, Orca SAMO/USDC):
 *
 * - local router: µs per best-route quote (one hop over two pools; two hops SAMO → USDC → SOL),
 *   beside the baseline of the venue quotes it is made of, called directly;
 * - arbitrage size search: golden-section over the feasible sizes, beside a 1 000-point
 *   log-spaced grid scan of the same range — µs, quotes evaluated and net profit found.
 *
 * Method (bench/measure.ts): warm-up, then ~400 ms of ~5 ms batches, median µs per call.
 */
import { LocalRouter, StaticPoolProvider } from '../engine/quotes/index.ts';
import { bestRoundTrip, quoteRoundTrip, type CostModel } from '../engine/strategies/arbitrage/index.ts';
import { fmt, measure } from './measure.ts';
import { orcaEntry, raydiumEntry, raydiumNear, samoEntry, SAMO, SOL, USDC } from '../test/quotes/support.ts';

const asJson = process.argv.includes('--json');
const ray = raydiumEntry(undefined, raydiumNear(1.01));
const orca = orcaEntry();
const samo = samoEntry();
const router = new LocalRouter(new StaticPoolProvider([ray, orca, samo]));
const rows: Record<string, unknown>[] = [];

// Local router vs the venue quotes it calls.
const oneHop = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
rows.push({
  case: 'router: 1 SOL → USDC, best of 2 pools',
  oursMicros: Number(fmt(measure(() => router.quoteSync(oneHop)))),
  baseline: 'both venue quotes, direct',
  baselineMicros: Number(fmt(measure(() => [ray, orca].map((e) => e.venue.quoteExactIn(e.state, SOL, 10n ** 9n))))),
});
const twoHop = { inputMint: SAMO, outputMint: SOL, amount: 5n * 10n ** 12n, mode: 'exact-in' as const };
rows.push({
  case: 'router: 5M SAMO → SOL, 2 hops via USDC',
  oursMicros: Number(fmt(measure(() => router.quoteSync(twoHop)))),
  baseline: 'the 3 venue quotes, direct',
  baselineMicros: Number(fmt(measure(() => {
    const q = samo.venue.quoteExactIn(samo.state, SAMO, 5n * 10n ** 12n);
    return [ray, orca].map((e) => e.venue.quoteExactIn(e.state, USDC, q.amountOut));
  }))),
});

// Arbitrage: golden-section vs a dense grid over the same range.
const costs: CostModel = { flashLoan: true, flashLoanFeeBps: 9, tipLamports: 10_000n, priorityFeeLamports: 5_000n, lamportsToInput: (l) => (l * 41n) / 1000n + 1n };
const maxIn = 50_000n * 10n ** 6n;
let goldenResult = bestRoundTrip(orca, ray, USDC, 1n, maxIn, costs)!;
const grid = () => {
  let best: { x: bigint; p: bigint } | undefined;
  let evaluations = 0;
  for (let i = 0; i < 1_000; i++) {
    const x = BigInt(Math.max(1, Math.floor(10 ** ((i / 999) * Math.log10(Number(maxIn))))));
    evaluations++;
    const q = quoteRoundTrip(orca, ray, USDC, x);
    if (!q) continue;
    const fee = (x * 900n + 999_999n) / 1_000_000n;
    const p = q[1].amountOut - x - fee - costs.lamportsToInput(costs.tipLamports + costs.priorityFeeLamports);
    if (!best || p > best.p) best = { x, p };
  }
  return { ...best!, evaluations };
};
const gridResult = grid();
rows.push({
  case: 'arbitrage size: USDC → Orca → Raydium, ≤ 50 000 USDC',
  oursMicros: Number(fmt(measure(() => (goldenResult = bestRoundTrip(orca, ray, USDC, 1n, maxIn, costs)!)))),
  oursQuotes: goldenResult.evaluations,
  oursProfitAtoms: goldenResult.netProfit.toString(),
  baseline: '1 000-point log grid',
  baselineMicros: Number(fmt(measure(grid))),
  baselineQuotes: gridResult.evaluations,
  baselineProfitAtoms: gridResult.p.toString(),
});

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('solrules market bench (median µs per call; same process, same run)\n');
  for (const r of rows) {
    console.log(`${r.case}`);
    console.log(`  ours     ${String(r.oursMicros).padStart(9)} µs${r.oursQuotes !== undefined ? `  ${r.oursQuotes} round-trip quotes, net profit ${r.oursProfitAtoms} atoms` : ''}`);
    console.log(`  baseline ${String(r.baselineMicros).padStart(9)} µs  (${r.baseline}${r.baselineQuotes !== undefined ? `: ${r.baselineQuotes} quotes, net profit ${r.baselineProfitAtoms} atoms` : ''})`);
  }
}

/**
 * Swaps through the real DEX programs on the sandbox, beside a plain SOL transfer in the same run.
 * Figures: market setup (programs loaded, whirlpool cloned, DLMM pair created by its program,
 * traders funded); per venue, swaps per second for the whole path (read pool state back from the
 * chain, quote, build with Venue.swapInstruction, sign, execute) and for execution alone
 * (transactions built and signed first on one state, min out 0, then executed one after another);
 * the SIMULATED flow's steps per second.
 * Run: node --import tsx bench/sandbox-programs.ts [swaps=200]
 */
import { startSandbox } from '../sandbox/index.ts';
import { Keypair, SystemProgram, type VersionedTransaction } from '@solana/web3.js';
import { buildTransaction, createMarket, MarketFlow, readPoolState, type Market, type MarketVenue } from '../sandbox/market/index.ts';

const N = Number(process.argv[2] ?? 200);

function line(label: string, ops: number, ms: number, baselineMs?: number): string {
  const per = ms / ops;
  const vs = baselineMs === undefined ? '' : `  ${(per / baselineMs).toFixed(1)}× the transfer`;
  return `${label.padEnd(64)} ${per.toFixed(3).padStart(8)} ms/op ${Math.round((ops / ms) * 1000).toString().padStart(6)} op/s${vs}`;
}

function submitAll(market: Market, txs: VersionedTransaction[]): number {
  const t = performance.now();
  for (const tx of txs) {
    const o = market.chain.submit(market.chain.parse(tx.serialize()));
    if (o.kind !== 'landed' || o.record.err !== null) throw new Error(`bench transaction failed: ${JSON.stringify(o.kind === 'landed' ? o.record.err : o.err)}`);
  }
  return performance.now() - t;
}

/** The full path for one swap: state read back from the chain, our quote, our instruction, signed, executed. */
function swapOnce(market: Market, venue: MarketVenue, trader: Keypair, i: number): VersionedTransaction {
  const { venue: v, state } = readPoolState(market.chain, venue, market.pool(venue).address);
  const inputMint = i % 2 === 0 ? market.mints.sol : market.mints.usdc;
  const amount = inputMint === market.mints.sol ? 1_000_000_000n + BigInt(i) : 40_000_000n + BigInt(i);
  const quote = v.quoteExactIn(state, inputMint, amount);
  const ix = v.swapInstruction(state, quote, { owner: trader.publicKey, inputMint, amount, otherAmountThreshold: quote.amountOut });
  return buildTransaction(market.chain, trader, [ix]);
}

async function main(): Promise<void> {
  const lines: string[] = [`sandbox with the real programs — ${N} operations per figure (machine shared: figures are indicative)`];
  const setups: number[] = [];
  for (let i = 0; i < 3; i++) {
    const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
    setups.push(createMarket({ chain: sb.chain, seed: i + 1 }).setupMs);
    await sb.close();
  }
  setups.sort((a, b) => a - b);
  lines.push(`market setup (programs, whirlpool clone, DLMM pair + 3 positions by its program, 4 traders): median ${setups[1]!.toFixed(0)} ms of 3 (${setups.map((s) => s.toFixed(0)).join(', ')})`);

  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const trader = market.traders[0]!;
    // Baseline: a plain SOL transfer, built, signed and executed the same way.
    const to = Keypair.generate().publicKey;
    let t = performance.now();
    const transfers = Array.from({ length: N }, (_, i) => buildTransaction(market.chain, trader, [SystemProgram.transfer({ fromPubkey: trader.publicKey, toPubkey: to, lamports: 1_000_000 + i })], { computeUnits: 10_000 }));
    const buildTransfers = performance.now() - t;
    const execTransfers = submitAll(market, transfers);
    const baseline = execTransfers / N;
    lines.push(line('baseline: SOL transfer, execute only', N, execTransfers));
    lines.push(line('baseline: SOL transfer, build + sign + execute', N, buildTransfers + execTransfers));
    sb.advanceSlots(1);

    for (const venue of ['orca-whirlpool', 'meteora-dlmm'] as const) {
      // Full path, one at a time (each quote reads the state the previous swap left).
      t = performance.now();
      for (let i = 0; i < N; i++) {
        const tx = swapOnce(market, venue, trader, i);
        submitAll(market, [tx]);
      }
      const full = performance.now() - t;
      sb.advanceSlots(1);
      // Execution alone: transactions built first on the same state with min out 0, then executed.
      const txs: VersionedTransaction[] = [];
      const { venue: v, state } = readPoolState(market.chain, venue, market.pool(venue).address);
      for (let i = 0; i < N; i++) {
        const inputMint = i % 2 === 0 ? market.mints.sol : market.mints.usdc;
        const amount = inputMint === market.mints.sol ? 1_000_000_000n + BigInt(i) : 40_000_000n + BigInt(i);
        const quote = v.quoteExactIn(state, inputMint, amount);
        txs.push(buildTransaction(market.chain, trader, [v.swapInstruction(state, quote, { owner: trader.publicKey, inputMint, amount, otherAmountThreshold: 0n })]));
      }
      const exec = submitAll(market, txs);
      sb.advanceSlots(1);
      lines.push(line(`${venue}: swap, execute only (the real program)`, N, exec, baseline));
      lines.push(line(`${venue}: swap, read state + quote + build + sign + execute`, N, full, baseline));
    }

    const flow = new MarketFlow(market, { seed: 3 });
    t = performance.now();
    const landed = flow.run(N).length;
    lines.push(line(`SIMULATED flow (random walk), one step = one swap + oracle post + 1 slot`, landed, performance.now() - t, baseline));
  } finally {
    await sb.close();
  }
  console.log(lines.join('\n'));
}

await main();

/**
 * Differential test: our Meteora DLMM quotes against the official SDK's `swapQuote` /
 * `swapQuoteExactOut` on random consistent pairs (bin and bin-array crossings, the bitmap
 * extension, limit orders, both fee modes, variable fee and its reference decay, Token-2022
 * transfer fees, exact in and exact out), to the atom.
 *
 * Where the SDK and the program part ways the case is classified and counted (see
 * divergence.test.ts); anything else fails with its seed. Default 2,000 cases; SOLRULES_FULL=1 runs 12,000.
 */
import { test } from 'node:test';
import { caseCount, seedFor } from '../support/random.ts';
import assert from 'node:assert/strict';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { getPriceFromId, meteoraDlmm, type MeteoraDlmmQuote } from '../../../engine/venues/meteora-dlmm/index.ts';
import type { MintInfo } from '../../../engine/venues/spl-token/index.ts';
import { generatePair, Rng, type GeneratedPair } from './support.ts';
import { sdkPair, sdkQuoteExactIn, sdkQuoteExactOut, type SdkQuote } from './sdk.ts';
import { accountsOf } from './state.ts';


function chargesTransferFee(mint: MintInfo | undefined): boolean {
  return (mint?.transferFeeConfig?.newer.basisPoints ?? 0) > 0;
}
const PAIRS = caseCount(500, 3000);
/** Pools are generated from seeds BASE+1 … BASE+PAIRS; SOLRULES_SEED moves the window (a failure names its seed). */
const BASE = seedFor(0);
const SWAPS_PER_PAIR = 4;

function amountFor(rng: Rng, g: GeneratedPair, swapForY: boolean, exactIn: boolean): bigint {
  const available = swapForY ? g.totalY : g.totalX;
  if (rng.chance(0.15) || available === 0n) return rng.logUniform(0, 56);
  // A share (0.1 % … 110 %) of what the bins hold on the side the swap takes out, priced at the
  // active bin for exact in.
  const out = (available * BigInt(rng.int(1, 1100))) / 1000n + 1n;
  if (!exactIn) return out;
  const price = getPriceFromId(g.spec.activeId, g.spec.binStep); // Y per X, Q64.64
  const amount = swapForY ? (out << 64n) / price + 1n : (out * price) >> 64n;
  return amount > 0n && amount < 1n << 64n ? amount : out;
}

test(`Meteora DLMM equals the SDK to the atom on ${PAIRS * SWAPS_PER_PAIR} random pairs and amounts`, () => {
  const tally: Record<string, number> = { equal: 0, zeroFill: 0, outOfLiquidity: 0, bothReject: 0, programRejectsSdkUnbounded: 0, crossedBins2: 0, crossedArrays2: 0, limitOrderPairs: 0, feeOnOutput: 0, transferFee: 0, extension: 0, exactOut: 0 };
  for (let seed = BASE + 1; seed <= BASE + PAIRS; seed++) {
    const g = generatePair(seed);
    const rng = new Rng(seed * 104729);
    const state = meteoraDlmm.buildState(accountsOf(g).pair, accountsOf(g).accounts);
    const sdk = sdkPair(g.address, g.pair, g.binArrays, g.mintX, g.mintY, g.extension);
    for (let k = 0; k < SWAPS_PER_PAIR; k++) {
      const swapForY = rng.chance(0.5);
      const exactIn = rng.chance(0.6);
      const amount = amountFor(rng, g, swapForY, exactIn);
      const now = g.now + rng.pick([0, 1, 30, 400, 5000]);
      const where = `seed ${seed} swap ${k} (swapForY ${swapForY}, exactIn ${exactIn}, amount ${amount}, t ${now})`;
      const inputMint = swapForY ? g.spec.tokenXMint : g.spec.tokenYMint;
      let ours: MeteoraDlmmQuote | undefined;
      let ourErr: unknown;
      let theirs: SdkQuote | undefined;
      let sdkErr: unknown;
      try {
        ours = exactIn ? meteoraDlmm.quoteExactIn(state, inputMint, amount, { unixTimestamp: now, slot: 10_000 }) : meteoraDlmm.quoteExactOut(state, inputMint, amount, { unixTimestamp: now, slot: 10_000 });
      } catch (e) {
        ourErr = e;
      }
      try {
        theirs = exactIn ? sdkQuoteExactIn(sdk, amount, swapForY, now) : sdkQuoteExactOut(sdk, amount, swapForY, now);
      } catch (e) {
        sdkErr = e;
      }
      if (ourErr !== undefined && !isSolrulesError(ourErr)) throw new Error(`${where}: untyped error ${String(ourErr)}`);
      const code = isSolrulesError(ourErr) ? ourErr.code : undefined;
      if (ours && ours.amountOut === 0n && exactIn && sdkErr instanceof Error && /insufficient liquidity/i.test(sdkErr.message)) {
        // Nothing reaches a bin (the transfer fee eats the input): the reference quoter returns 0 out,
        // the SDK calls it insufficient liquidity.
        tally.zeroFill!++;
      } else if (ours && theirs) {
        // Exact in spends the whole amount; the SDK's `consumedInAmount` re-derives it through the inverse
        // transfer fee, which can land an atom below what is sent. Exact out: the input must match.
        if (!exactIn || !chargesTransferFee(swapForY ? state.mintX : state.mintY)) assert.equal(theirs.amountIn, ours.amountIn, `${where}: amount in`);
        assert.equal(theirs.amountOut, ours.amountOut, `${where}: amount out`);
        assert.equal(theirs.protocolFee, ours.protocolFee, `${where}: protocol fee`);
        // The SDK's `fee` is the trading fee minus its protocol share (exact-out rounding surplus aside),
        // and leaves out fees charged in bins that filled nothing.
        assert.equal(theirs.userFee, ours.feeAmount - ours.feeWithoutFill - (ours.protocolFee - ours.roundingSurplus), `${where}: fee`);
        tally.equal!++;
        if (Math.abs(ours.endBinId - g.spec.activeId) >= 2) tally.crossedBins2!++;
        if (ours.accounts.length - (state.extension ? 2 : 1) >= 2) tally.crossedArrays2!++;
        if (g.hasLimitOrders) tally.limitOrderPairs!++;
        if (ours.feeMint !== inputMint) tally.feeOnOutput!++;
        if (chargesTransferFee(state.mintX) || chargesTransferFee(state.mintY)) tally.transferFee!++;
        if (state.extension) tally.extension!++;
        if (!exactIn) tally.exactOut!++;
      } else if (code === 'DEX_INSUFFICIENT_LIQUIDITY' && sdkErr instanceof Error && /insufficient liquidity/i.test(sdkErr.message)) {
        tally.outOfLiquidity!++;
      } else if (code !== undefined && sdkErr !== undefined) {
        tally.bothReject!++;
        const key = `both:${code}:${String((sdkErr as Error).message).slice(0, 40)}`;
        tally[key] = (tally[key] ?? 0) + 1;
      } else if (code === 'DEX_SWAP_REJECTED' && theirs) {
        // The program's checked u64 / u32 arithmetic rejects what the SDK's BN computes on.
        tally.programRejectsSdkUnbounded!++;
        const key = `reject:${String((ourErr as Error).message).replace(/^.*\): /, '')}`;
        tally[key] = (tally[key] ?? 0) + 1;
      } else {
        assert.fail(`${where}: ours ${ourErr ? `threw ${String((ourErr as Error).message)}` : 'succeeded'}, SDK ${sdkErr ? `threw ${String((sdkErr as Error).message)}` : 'succeeded'}`);
      }
    }
  }
  const cases = PAIRS * SWAPS_PER_PAIR;
  console.log(`meteora-dlmm differential (seeds ${BASE + 1}…${BASE + PAIRS}, ${cases} cases):`, JSON.stringify(tally));
  assert.ok(tally.equal! >= cases * 0.6, `only ${tally.equal} of ${cases} cases were comparable`);
  assert.ok(tally.crossedBins2! >= tally.equal! * 0.3, 'too few swaps crossed bins');
  assert.ok(tally.crossedArrays2! > 0 && tally.limitOrderPairs! > 0 && tally.feeOnOutput! > 0 && tally.transferFee! > 0 && tally.extension! > 0 && tally.exactOut! > 0, 'feature coverage');
  assert.ok(tally.programRejectsSdkUnbounded! + tally.bothReject! <= cases * 0.1, 'rejections should be edge cases');
});

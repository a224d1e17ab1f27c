/** Orca Whirlpool on the SOL/USDC and SAMO/USDC fixtures: ours vs `@orca-so/whirlpools-core` (Rust core as WASM). */
import * as core from '@orca-so/whirlpools-core';
import { loadAccountDir } from '../../engine/accounts/index.ts';
import { orcaWhirlpool, type OrcaWhirlpoolState } from '../../engine/venues/index.ts';
import { sharedFixture } from '../../test/support/paths.ts';
import { coreTickArraysOf, coreWhirlpoolOf } from '../../test/venues/orca-whirlpool/compare.ts';
import type { QuoteBench, QuoteBenchCase } from './_shape.ts';

const TIME = 1668008674n;

function quoteCase(state: OrcaWhirlpoolState, aToB: boolean, amount: bigint, exactIn: boolean, label: string, target?: number): QuoteBenchCase {
  const mint = aToB ? state.mintA : state.mintB;
  const ours = () => (exactIn ? orcaWhirlpool.quoteExactIn(state, mint, amount) : orcaWhirlpool.quoteExactOut(state, mint, amount));
  const crossed = ours().ticksCrossed;
  const f = coreWhirlpoolOf(state);
  const ta = coreTickArraysOf(state, aToB);
  return {
    name: `${label}, exact-${exactIn ? 'in' : 'out'}, crosses ${crossed} tick${crossed === 1 ? '' : 's'}`,
    ...(target === undefined ? {} : { targetMicros: target }),
    ours,
    baseline: exactIn
      ? { name: 'whirlpools-core swapQuoteByInputToken', run: () => core.swapQuoteByInputToken(amount, aToB, 100, f, undefined, ta, TIME) }
      : { name: 'whirlpools-core swapQuoteByOutputToken', run: () => core.swapQuoteByOutputToken(amount, !aToB, 100, f, undefined, ta, TIME) },
  };
}

export default function bench(): QuoteBench {
  const accounts = loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials'));
  const build = (address: string) => orcaWhirlpool.buildState(accounts.get(address)!, accounts, { unixTimestamp: TIME });
  const solUsdc = build('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ');
  const samoUsdc = build('9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe');
  return {
    venue: 'orca-whirlpool',
    cases: [
      quoteCase(solUsdc, true, 1_000_000_000n, true, 'SOL/USDC: 1 SOL → USDC'),
      quoteCase(solUsdc, false, 100_000_000_000n, true, 'SOL/USDC: 100k USDC → SOL'),
      quoteCase(solUsdc, false, 1_000_000_000_000n, true, 'SOL/USDC: 1M USDC → SOL', 30),
      quoteCase(solUsdc, false, 2_000_000_000_000n, true, 'SOL/USDC: 2M USDC → SOL', 30),
      quoteCase(solUsdc, false, 40_000_000_000_000n, false, 'SOL/USDC: USDC → 40k SOL', 30),
      quoteCase(samoUsdc, false, 10_000_000_000n, true, 'SAMO/USDC: 10k USDC → SAMO', 30),
      quoteCase(samoUsdc, true, 5_000_000_000_000_000n, true, 'SAMO/USDC: 5M SAMO → USDC', 30),
    ],
  };
}

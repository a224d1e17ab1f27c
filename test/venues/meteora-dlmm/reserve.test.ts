/**
 * A DLMM quote never promises more than the output reserve holds. The programs README records the
 * case: pair EtAdV…, X→Y, 5 000 000 000 in — the bins promised 7 165 681 474 out while reserve_y
 * held 1 820 186 920, and the real program failed the swap with SPL Token InsufficientFunds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import { loadAccountDir } from '../../../engine/accounts/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { meteoraDlmm } from '../../../engine/venues/meteora-dlmm/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const ET = 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig';
const accounts = loadAccountDir(join(sharedFixture('accounts/meteora-dlmm'), `dlmm-sdk-commons-fixtures/${ET}`));
const pair = accounts.get(ET)!;

test('EtAdV X→Y 5 000 000 000: refused (InsufficientFunds, naming reserve_y and both amounts), not quoted at 7 165 681 474', () => {
  const state = meteoraDlmm.buildState(pair, accounts);
  assert.deepEqual(state.reserveBalances, { x: 4_362_066_806n, y: 1_820_186_920n });
  assert.throws(
    () => meteoraDlmm.quoteExactIn(state, state.mintA, 5_000_000_000n, { unixTimestamp: 1_700_000_000, slot: 500_000_000 }),
    (e) => {
      assert.ok(isSolrulesError(e, 'DEX_SWAP_REJECTED'), String(e));
      assert.equal((e.context as { reason: string }).reason, 'InsufficientFunds');
      assert.equal((e.context as { account: string }).account, state.lbPair.reserveY);
      assert.equal((e.context as { available: bigint }).available, 1_820_186_920n);
      assert.ok((e.context as { value: bigint }).value > 1_820_186_920n);
      return true;
    },
  );
  // Exact out asking for more than the reserve is refused the same way.
  assert.throws(() => meteoraDlmm.quoteExactOut(state, state.mintA, 1_820_186_921n, { unixTimestamp: 1_700_000_000, slot: 500_000_000 }), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED'));
});

test('EtAdV: a swap the reserve can pay is still quoted; without the reserve accounts the state cannot check', () => {
  const state = meteoraDlmm.buildState(pair, accounts);
  const q = meteoraDlmm.quoteExactIn(state, state.mintA, 1_000_000_000n, { unixTimestamp: 1_700_000_000, slot: 500_000_000 });
  assert.ok(q.amountOut > 0n && q.amountOut <= 1_820_186_920n);
  const withoutReserves = new Map([...accounts].filter(([k]) => k !== state.lbPair.reserveX && k !== state.lbPair.reserveY));
  const bare = meteoraDlmm.buildState(pair, withoutReserves);
  assert.equal(bare.reserveBalances, undefined);
  assert.ok(meteoraDlmm.requiredAccounts(pair).includes(state.lbPair.reserveY), 'scanners fetch the reserves with the pair');
});

test('swapInstruction refuses an exact-in quote that pays 0 (the program fails it with InsufficientOutAmount, see test/sandbox/market.test.ts)', () => {
  const state = meteoraDlmm.buildState(pair, accounts);
  const owner = new PublicKey('7B8yNHX62NLvRswD86ttbGcV5TYxUsDNxEg2ZRMZLPRt');
  const dust = meteoraDlmm.quoteExactIn(state, state.mintA, 1n, { unixTimestamp: 1_700_000_000, slot: 500_000_000 });
  assert.equal(dust.amountOut, 0n, 'the quote still reports what the math gives');
  assert.throws(() => meteoraDlmm.swapInstruction(state, dust, { owner, inputMint: state.mintA, amount: 1n, otherAmountThreshold: 0n }), (e) => isSolrulesError(e, 'EXEC_ZERO_OUTPUT'));
  const real = meteoraDlmm.quoteExactIn(state, state.mintA, 1_000_000_000n, { unixTimestamp: 1_700_000_000, slot: 500_000_000 });
  assert.ok(meteoraDlmm.swapInstruction(state, real, { owner, inputMint: state.mintA, amount: real.amountIn, otherAmountThreshold: real.amountOut }).keys.length > 16);
});

/**
 * The sandbox market on the real programs: the Whirlpool SOL/USDC pool cloned from mainnet dumps and
 * a DLMM pair the DLMM program created at the same price, sharing one pair of mints; then swaps built
 * with our own quote and `Venue.swapInstruction` on the state read back from the chain, executed by
 * the real programs, moving exactly the quoted amounts — both directions on each venue, many sizes.
 * SOLRULES_FULL=1 runs 10× more sizes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createMarket, readPoolState, sendInstructions, swapExactIn, tokenBalance, associatedTokenAddress, PROGRAMS, type Market } from '../../sandbox/market/index.ts';
import { decodeMint, decodeWhirlpool, type MeteoraDlmmState, type OrcaWhirlpoolState } from '../../engine/venues/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';

const FULL = process.env.SOLRULES_FULL === '1';
let sb: Sandbox;
let market: Market;
let dlmmReservesAtStart: { x: bigint; y: bigint };

before(async () => {
  sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  market = createMarket({ chain: sb.chain, seed: 7 });
  dlmmReservesAtStart = readPoolState<MeteoraDlmmState>(sb.chain, 'meteora-dlmm', market.pool('meteora-dlmm').address).state.reserveBalances!;
});
after(async () => {
  await sb.close();
});

test('market: programs at their mainnet ids, both pools on one pair of mints, vaults consistent, traders funded', () => {
  for (const name of ['orca-whirlpool', 'meteora-dlmm', 'kamino-lending'] as const) {
    const program = sb.getAccount(PROGRAMS[name].id);
    assert.ok(program?.executable, `${name} is loaded as an executable program`);
  }
  const wp = readPoolState<OrcaWhirlpoolState>(sb.chain, 'orca-whirlpool', market.pool('orca-whirlpool').address);
  const dl = readPoolState<MeteoraDlmmState>(sb.chain, 'meteora-dlmm', market.pool('meteora-dlmm').address);
  assert.deepEqual([wp.state.mintA, wp.state.mintB], [market.mints.sol, market.mints.usdc]);
  assert.deepEqual([dl.state.mintA, dl.state.mintB], [market.mints.sol, market.mints.usdc]);
  // The pair, its reserves and bin arrays were written by the DLMM program (owner), not by us.
  assert.equal(sb.getAccount(dl.state.address)!.owner, PROGRAMS['meteora-dlmm'].id);
  for (const b of market.pool('meteora-dlmm').created!.binArrays) assert.equal(sb.getAccount(b)!.owner, PROGRAMS['meteora-dlmm'].id);
  for (const reserves of [wp.venue.reserves(wp.state, wp.accounts), dl.venue.reserves(dl.state, dl.accounts)]) {
    assert.ok(reserves && reserves.reserveA > 0n && reserves.reserveB > 0n, 'vaults hold both mints');
  }
  // Same price on both venues: the DLMM active bin is the one nearest the whirlpool price (within one 0.1 % bin).
  const sqrt = wp.state.whirlpool.sqrtPrice;
  const wpPrice = Number((sqrt * sqrt) >> 64n) / 2 ** 64;
  const dlPrice = (1 + dl.state.lbPair.binStep / 10_000) ** dl.state.lbPair.activeId;
  assert.ok(Math.abs(dlPrice / wpPrice - 1) < 0.001, `whirlpool ${wpPrice} vs dlmm ${dlPrice}`);
  assert.equal(market.traders.length, 4);
  for (const t of market.traders) {
    assert.equal(tokenBalance(sb.chain, associatedTokenAddress(market.mints.sol, t.publicKey)), 10_000n * 10n ** 9n);
    assert.equal(tokenBalance(sb.chain, associatedTokenAddress(market.mints.usdc, t.publicKey)), 1_000_000n * 10n ** 6n);
  }
  // USDC written to the traders and the liquidity provider was added to the mint's supply (the real dump's 5,034,999,431,478,671).
  const supply = decodeMint({ address: market.mints.usdc, ...sb.getAccount(market.mints.usdc)!, rentEpoch: null }).supply;
  assert.equal(supply - 5_034_999_431_478_671n, 4n * 1_000_000n * 10n ** 6n + 80_000n * 10n ** 6n);
  console.log(`market setup: ${market.setupMs.toFixed(0)} ms`);
});

test('same seed, same keys and pools; the clock and slot advance', async () => {
  const other = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  try {
    const again = createMarket({ chain: other.chain, seed: 7, traders: 2 });
    assert.deepEqual(again.traders.map((t) => t.publicKey.toBase58()), market.traders.slice(0, 2).map((t) => t.publicKey.toBase58()));
    assert.deepEqual(again.pools.map((p) => p.address), market.pools.map((p) => p.address));
    const slot = other.slot;
    const time = other.chain.blockTime(slot);
    other.advanceSlots(25);
    assert.equal(other.slot, slot + 25);
    assert.equal(other.chain.blockTime(other.slot), time + 10, '25 slots of 400 ms');
  } finally {
    await other.close();
  }
});

test('swaps from our quote and our swap instruction, run by the real programs, move exactly the quoted atoms (both directions, each venue, many sizes)', () => {
  const sizes = { sol: [1n, 1_000n, 1_000_000n, 250_000_000n, 1_000_000_000n, 7_654_321_987n, 40_000_000_000n, 150_000_000_000n], usdc: [1n, 1_000n, 400_000n, 12_345_678n, 100_000_000n, 987_654_321n, 2_000_000_000n, 6_000_000_000n] };
  const rounds = FULL ? 10 : 1;
  let swaps = 0;
  let refusedZero = 0;
  const trader = market.traders[0]!;
  for (let round = 0; round < rounds; round++) {
    for (const pool of market.pools) {
      for (let i = 0; i < sizes.sol.length; i++) {
        for (const [mint, amount] of [[market.mints.sol, sizes.sol[i]! + BigInt(round * 7919)], [market.mints.usdc, sizes.usdc[i]! + BigInt(round * 104_729)]] as const) {
          const where = `${pool.venue} ${mint === market.mints.sol ? 'SOL→USDC' : 'USDC→SOL'} ${amount}`;
          const { venue, state } = readPoolState(sb.chain, pool.venue, pool.address);
          if (pool.venue === 'meteora-dlmm' && venue.quoteExactIn(state, mint, amount).amountOut === 0n) {
            // The DLMM program refuses a swap paying nothing (InsufficientOutAmount): our builder refuses it first.
            assert.throws(() => swapExactIn(sb.chain, trader, pool.venue, pool.address, mint, amount), (e) => isSolrulesError(e, 'EXEC_ZERO_OUTPUT'));
            refusedZero++;
            continue;
          }
          const o = swapExactIn(sb.chain, trader, pool.venue, pool.address, mint, amount);
          assert.equal(o.realizedIn, o.quote.amountIn, `${where}: input`);
          assert.equal(o.realizedOut, o.quote.amountOut, `${where}: output`);
          assert.equal(o.record.err, null);
          swaps++;
          sb.advanceSlots(1);
        }
      }
    }
  }
  assert.ok(swaps >= 30, `${swaps} swaps`);
  assert.ok(refusedZero >= 2, 'the 1-atom DLMM inputs pay nothing and are refused');
  console.log(`${swaps} swaps through the real programs equal to our quotes to the atom; ${refusedZero} zero-output DLMM swaps refused before sending`);
});

test('the swaps changed real program state: the whirlpool price and the DLMM reserves', () => {
  const wp = decodeWhirlpool({ address: market.pool('orca-whirlpool').address, ...sb.getAccount(market.pool('orca-whirlpool').address)!, rentEpoch: null });
  assert.notEqual(wp.sqrtPrice, 3706015876595606636n, "the dump's sqrt price");
  const dl = readPoolState<MeteoraDlmmState>(sb.chain, 'meteora-dlmm', market.pool('meteora-dlmm').address).state;
  assert.notDeepEqual(dl.reserveBalances, dlmmReservesAtStart);
});

test('a quote the DLMM reserve cannot pay is refused before anything is sent', () => {
  const pool = market.pool('meteora-dlmm');
  const { venue, state } = readPoolState<MeteoraDlmmState>(sb.chain, 'meteora-dlmm', pool.address);
  // Pretend most of reserve_y left (a state out of step with the bins): the quote must not promise it.
  const starved = { ...state, reserveBalances: { x: state.reserveBalances!.x, y: 1_000n } };
  assert.throws(() => venue.quoteExactIn(starved, market.mints.sol, 1_000_000_000n), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED'));
});

test('the DLMM program itself refuses a zero-output swap (why the builder refuses it)', () => {
  const pool = market.pool('meteora-dlmm');
  const { venue, state } = readPoolState<MeteoraDlmmState>(sb.chain, 'meteora-dlmm', pool.address);
  const quote = venue.quoteExactIn(state, market.mints.sol, 1n);
  assert.equal(quote.amountOut, 0n);
  // Build around the guard with a quote claiming 1 atom out, and let the program judge the same swap with min out 0.
  const ix = venue.swapInstruction(state, { ...quote, amountOut: 1n }, { owner: market.traders[1]!.publicKey, inputMint: market.mints.sol, amount: 1n, otherAmountThreshold: 0n });
  assert.throws(() => sendInstructions(sb.chain, market.traders[1]!, [ix]), (e) => isSolrulesError(e, 'MARKET_TX_FAILED') && /0x1797/.test(e.message));
});

test('whirlpool: a swap crossing many initialized ticks equals the quote; one needing a fourth tick array is refused before sending', async () => {
  const big = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  try {
    const m = createMarket({ chain: big.chain, venues: ['orca-whirlpool'], traders: 1, traderFunds: { sol: 200_000n * 10n ** 9n, usdc: 20_000_000n * 10n ** 6n } });
    const pool = m.pool('orca-whirlpool').address;
    const o = swapExactIn(big.chain, m.traders[0]!, 'orca-whirlpool', pool, m.mints.sol, 30_000n * 10n ** 9n);
    assert.equal(o.realizedOut, o.quote.amountOut);
    assert.ok((o.quote as { ticksCrossed?: number }).ticksCrossed! >= 10, 'many initialized ticks crossed');
    big.advanceSlots(1);
    const back = swapExactIn(big.chain, m.traders[0]!, 'orca-whirlpool', pool, m.mints.usdc, 3_000_000n * 10n ** 6n);
    assert.equal(back.realizedOut, back.quote.amountOut);
    big.advanceSlots(1);
    const before = big.chain.getAccount(pool)!.data;
    assert.throws(() => swapExactIn(big.chain, m.traders[0]!, 'orca-whirlpool', pool, m.mints.usdc, 15_000_000n * 10n ** 6n), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'TickArraySequenceInvalidIndex');
    assert.deepEqual(big.chain.getAccount(pool)!.data, before, 'nothing was sent');
  } finally {
    await big.close();
  }
});

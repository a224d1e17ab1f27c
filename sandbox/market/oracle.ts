/**
 * A Pyth pull-oracle SOL/USD `PriceUpdateV2` account on the sandbox, at the address mainnet uses
 * for the sponsored SOL/USD feed (7UVimffx…), owned by the Pyth Solana Receiver. Its price is
 * SIMULATED: the mean of the market's pool prices, posted by the sandbox after each flow swap
 * (no Pyth publishers, no Wormhole verification behind it).
 */
import { dlmmPriceFromId, decodeLbPair, decodeWhirlpool, encodePythPriceUpdate, PYTH_RECEIVER_PROGRAM_ID, type PythPriceUpdate } from '../../engine/venues/index.ts';
import type { SandboxChain } from '../chain.ts';

export const PYTH_SOL_USD_ACCOUNT = '7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE';
export const PYTH_SOL_USD_FEED = '0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d';
const EXPONENT = -8;
const SCALE = 100_000_000n;
/** Lamports per SOL over USDC atoms per USDC: a Q64 atom price × 1000 is USDC per SOL. */
const DECIMALS_FACTOR = 1000n;
/** Stands in for the Receiver's write authority (the sandbox posts the updates). */
const WRITE_AUTHORITY = 'SysvarC1ock11111111111111111111111111111111';

/** USDC per SOL × 10^8 of a pool, exactly from its on-chain price (whirlpool sqrt price or DLMM active bin). */
export function poolPriceE8(chain: SandboxChain, venue: string, address: string): bigint {
  const acct = chain.getAccount(address)!;
  const q64 =
    venue === 'orca-whirlpool'
      ? (() => {
          const s = decodeWhirlpool({ address, ...acct, rentEpoch: null }).sqrtPrice;
          return (s * s) >> 64n;
        })()
      : (() => {
          const pair = decodeLbPair(acct.data, address);
          return dlmmPriceFromId(pair.activeId, pair.binStep);
        })();
  return (q64 * DECIMALS_FACTOR * SCALE) >> 64n;
}

/** Writes the SOL/USD PriceUpdateV2 with `priceE8` at the chain's clock; keeps an EMA over the posts. */
export function postPythSolUsd(chain: SandboxChain, priceE8: bigint, previous?: PythPriceUpdate): PythPriceUpdate {
  const now = BigInt(chain.blockTime(chain.slot));
  const emaPrice = previous ? (previous.emaPrice * 9n + priceE8) / 10n : priceE8;
  const update: PythPriceUpdate = {
    address: PYTH_SOL_USD_ACCOUNT,
    writeAuthority: WRITE_AUTHORITY,
    verification: { kind: 'full' },
    feedId: PYTH_SOL_USD_FEED,
    price: priceE8,
    // a confidence of 5 bps of the price, as a calm market shows
    conf: priceE8 / 2000n,
    exponent: EXPONENT,
    publishTime: now,
    prevPublishTime: previous?.publishTime ?? now,
    emaPrice,
    emaConf: emaPrice / 2000n,
    postedSlot: BigInt(chain.slot),
  };
  const { address: _address, verification: _verification, ...fields } = update;
  chain.setAccount(PYTH_SOL_USD_ACCOUNT, { owner: PYTH_RECEIVER_PROGRAM_ID, data: encodePythPriceUpdate(fields) });
  return update;
}

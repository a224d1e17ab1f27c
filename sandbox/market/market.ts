/**
 * `createMarket`: a SOL/USDC market on the sandbox chain, held by the real DEX programs — the
 * Orca Whirlpool pool cloned from a consistent mainnet dump, and a Meteora DLMM pair the DLMM
 * program itself created at the same price — with a funded, seeded set of traders.
 */
import { createHash } from 'node:crypto';
import { Keypair } from '@solana/web3.js';
import { SolrulesError } from '../../engine/errors/index.ts';
import { decodeWhirlpool, NATIVE_MINT, type PythPriceUpdate, type VenueId } from '../../engine/venues/index.ts';
import { poolPriceE8, postPythSolUsd, PYTH_SOL_USD_ACCOUNT, PYTH_SOL_USD_FEED } from './oracle.ts';
import type { SandboxChain } from '../chain.ts';
import { binIdForPrice, createDlmmPair, type CreatedDlmmPair } from './dlmm.ts';
import { loadPrograms } from './programs.ts';
import { readPoolState } from './state.ts';
import { fundTokenAccount } from './tokens.ts';
import { createKaminoReserve, type SandboxKaminoReserve } from './kamino.ts';
import { cloneWhirlpoolSolUsdc, USDC_MINT, WHIRLPOOL_SOL_USDC } from './whirlpool.ts';

/** The venues the sandbox market can set up (their ids in the venue registry). */
export type MarketVenue = 'orca-whirlpool' | 'meteora-dlmm';
export const MARKET_VENUES: readonly MarketVenue[] = ['orca-whirlpool', 'meteora-dlmm'];

export interface MarketOptions {
  /** The sandbox chain (`sandbox.chain`). Start it with `genesisUnixMs` pinned for a repeatable market. */
  chain: SandboxChain;
  /** Seed of every key the market makes (traders, liquidity provider, positions). Default 1. */
  seed?: number;
  /** Venues to hold a SOL/USDC pool on (default both). */
  venues?: readonly MarketVenue[];
  /** Number of funded traders (default 4). */
  traders?: number;
  /** Each trader's wrapped SOL and USDC, atoms (default 10,000 SOL and 1,000,000 USDC), plus 10 SOL for fees. */
  traderFunds?: { sol?: bigint; usdc?: bigint };
  /** Post a SIMULATED Pyth pull-oracle SOL/USD PriceUpdateV2 (mean of the pool prices) at setup and after each flow swap (default true). */
  pythOracle?: boolean;
  /** The DLMM pair: bin step (default 10 = 0.1 %), base factor (default 10,000: 0.1 % base fee), positions of 70 bins (default 3), liquidity (default 2,000 SOL above the price, 80,000 USDC below). */
  dlmm?: { binStep?: number; baseFactor?: number; positions?: number; sol?: bigint; usdc?: bigint };
  /**
   * A Kamino lending market with a USDC reserve, created by the klend program, for flash loans
   * (default off): `true`, or the reserve's liquidity (default 1,000,000 USDC) and flash-loan fee
   * (default 9 bps).
   */
  kamino?: boolean | { liquidity?: bigint; flashLoanFeeBps?: bigint };
}

export interface MarketPool {
  venue: MarketVenue;
  address: string;
  /** For DLMM: what the program created (reserves, oracle, bin arrays, positions). */
  created?: CreatedDlmmPair;
}

export interface Market {
  chain: SandboxChain;
  seed: number;
  mints: { sol: string; usdc: string };
  pools: MarketPool[];
  /** Funded traders (wrapped-SOL and USDC associated token accounts, lamports for fees). */
  traders: Keypair[];
  /** The DLMM liquidity provider (owner of the positions). */
  liquidityProvider: Keypair;
  /** Wall-clock ms the setup took. */
  setupMs: number;
  /** The SIMULATED SOL/USD PriceUpdateV2 account, when the market posts one. */
  oracle: { address: string; feedId: string } | undefined;
  /** Posts the mean of the pool prices as the SOL/USD PriceUpdateV2 (the flow calls it after each swap); undefined without an oracle. */
  postOraclePrice(): PythPriceUpdate | undefined;
  /** The Kamino lending market and USDC reserve (flash loans), when `kamino` was asked for. */
  kamino: SandboxKaminoReserve | undefined;
  /** The pool on a venue; MARKET_POOL_MISSING when the market has none there. */
  pool(venue: MarketVenue): MarketPool;
}

const SOL = 1_000_000_000n;
const USDC = 1_000_000n;

/** A keypair derived from the market seed and a label: the same seed gives the same keys. */
export function seededKeypair(seed: number, label: string): Keypair {
  return Keypair.fromSeed(createHash('sha256').update(`solrules-market:${seed}:${label}`).digest());
}

/** Builds the market on `opts.chain`: loads the programs, clones or creates the pools, funds the traders. */
export function createMarket(opts: MarketOptions): Market {
  const started = performance.now();
  const { chain } = opts;
  const seed = opts.seed ?? 1;
  const venues = opts.venues ?? MARKET_VENUES;
  if (venues.length === 0) throw new SolrulesError('MARKET_BAD_OPTION', 'venues must name at least one venue', { field: 'venues', value: venues });
  for (const v of venues) {
    if (!MARKET_VENUES.includes(v)) throw new SolrulesError('MARKET_BAD_OPTION', `venue ${v} cannot hold a sandbox pool yet (supported: ${MARKET_VENUES.join(', ')})`, { field: 'venues', value: v });
  }
  const traderCount = opts.traders ?? 4;
  if (!Number.isInteger(traderCount) || traderCount < 1) throw new SolrulesError('MARKET_BAD_OPTION', `traders must be a positive integer, got ${traderCount}`, { field: 'traders', value: traderCount });

  loadPrograms(chain, ['orca-whirlpool', 'meteora-dlmm', 'kamino-lending']);
  // The whirlpool dump also brings the SOL and USDC mints, which the DLMM pair then shares.
  cloneWhirlpoolSolUsdc(chain);
  const mints = { sol: NATIVE_MINT, usdc: USDC_MINT };
  const pools: MarketPool[] = [];
  if (venues.includes('orca-whirlpool')) pools.push({ venue: 'orca-whirlpool', address: WHIRLPOOL_SOL_USDC });

  const liquidityProvider = seededKeypair(seed, 'liquidity-provider');
  if (venues.includes('meteora-dlmm')) {
    const d = opts.dlmm ?? {};
    const binStep = d.binStep ?? 10;
    const amountX = d.sol ?? 2_000n * SOL;
    const amountY = d.usdc ?? 80_000n * USDC;
    chain.setAccount(liquidityProvider.publicKey, { lamports: 100n * SOL });
    fundTokenAccount(chain, mints.sol, liquidityProvider.publicKey, amountX);
    fundTokenAccount(chain, mints.usdc, liquidityProvider.publicKey, amountY);
    // Same price as the whirlpool: Y (USDC atoms) per X (lamport) = sqrt_price² / 2^128, in Q64.64.
    const whirlpool = decodeWhirlpool({ address: WHIRLPOOL_SOL_USDC, ...chain.getAccount(WHIRLPOOL_SOL_USDC)!, rentEpoch: null });
    const priceQ64 = (whirlpool.sqrtPrice * whirlpool.sqrtPrice) >> 64n;
    const created = createDlmmPair(chain, liquidityProvider, {
      mintX: mints.sol,
      mintY: mints.usdc,
      binStep,
      baseFactor: d.baseFactor ?? 10_000,
      activeId: binIdForPrice(priceQ64, binStep),
      positions: d.positions ?? 3,
      amountX,
      amountY,
    }, (label) => seededKeypair(seed, label));
    pools.push({ venue: 'meteora-dlmm', address: created.address, created });
  }

  const funds = { sol: opts.traderFunds?.sol ?? 10_000n * SOL, usdc: opts.traderFunds?.usdc ?? 1_000_000n * USDC };
  const traders: Keypair[] = [];
  for (let i = 0; i < traderCount; i++) {
    const trader = seededKeypair(seed, `trader-${i}`);
    chain.setAccount(trader.publicKey, { lamports: 10n * SOL });
    fundTokenAccount(chain, mints.sol, trader.publicKey, funds.sol);
    fundTokenAccount(chain, mints.usdc, trader.publicKey, funds.usdc);
    traders.push(trader);
  }
  const k = opts.kamino === true ? {} : opts.kamino || undefined;
  const kamino = k ? createKaminoReserve(chain, { mint: mints.usdc, keys: (label) => seededKeypair(seed, label), ...k }) : undefined;
  // Check that every pool reads back as a quotable state before handing the market out.
  for (const p of pools) readPoolState(chain, p.venue, p.address);
  chain.advanceSlots(1);
  let lastOracle: PythPriceUpdate | undefined;
  const withOracle = opts.pythOracle ?? true;
  const postOraclePrice = (): PythPriceUpdate | undefined => {
    if (!withOracle) return undefined;
    const sum = pools.reduce((a, p) => a + poolPriceE8(chain, p.venue, p.address), 0n);
    lastOracle = postPythSolUsd(chain, sum / BigInt(pools.length), lastOracle);
    return lastOracle;
  };
  postOraclePrice();
  return {
    oracle: withOracle ? { address: PYTH_SOL_USD_ACCOUNT, feedId: PYTH_SOL_USD_FEED } : undefined,
    postOraclePrice,
    kamino,
    chain,
    seed,
    mints,
    pools,
    traders,
    liquidityProvider,
    setupMs: performance.now() - started,
    pool(venue) {
      const found = pools.find((p) => p.venue === venue);
      if (!found) throw new SolrulesError('MARKET_POOL_MISSING', `the market has no ${venue} pool (venues: ${pools.map((p) => p.venue).join(', ')})`, { field: 'venue', value: venue });
      return found;
    },
  };
}

/**
 * A Kamino lending market and a USDC reserve on the sandbox, made by the real klend program
 * (`kamino-lending.mainnet-id-2024-10.so`, klend 1.7) with its own instructions:
 * `init_lending_market`, `init_reserve`, `update_reserve_config` (the whole ReserveConfig, validated
 * by the program), then `refresh_reserve` + `deposit_reserve_liquidity` so the reserve has
 * liquidity to lend. Flash loans (`flash_borrow_reserve_liquidity` / `flash_repay_reserve_liquidity`)
 * then run against it. Only the instruction bytes are encoded here (Anchor discriminators, Borsh
 * arguments, account lists of the klend IDL); every reserve field is written by the program.
 *
 * The reserve's oracle is a legacy Pyth v2 price account (this klend build reads prices with
 * pyth-sdk-solana's `load_price_feed_from_account_info`, not PriceUpdateV2): a SIMULATED USDC/USD
 * price of 1.00000000 at the address of mainnet's USDC/USD push account, posted at setup. klend
 * needs the price only to refresh the reserve before a deposit; flash loans do not read it.
 */
import { AddressLookupTableAccount, AddressLookupTableProgram, Keypair, PublicKey, SystemProgram, SYSVAR_INSTRUCTIONS_PUBKEY, SYSVAR_RENT_PUBKEY, TransactionInstruction } from '@solana/web3.js';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { SolrulesError } from '../../engine/errors/index.ts';
import { decodeKaminoReserve, feeSfFromBps, KLEND_PROGRAM_ID, lendingMarketAuthority, RESERVE_ACCOUNT_LEN, type KaminoReserve } from '../../engine/executors/index.ts';
import { instructionDiscriminator, PYTH_MAGIC, PYTH_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../engine/venues/index.ts';
import type { SandboxChain } from '../chain.ts';
import { sendInstructions } from './send.ts';
import { fundTokenAccount } from './tokens.ts';

const PROGRAM = KLEND_PROGRAM_ID;
const TOKEN_PROGRAM = new PublicKey(TOKEN_PROGRAM_ID);
/** klend's LendingMarket account: 8-byte discriminator + 4,656 bytes. */
const LENDING_MARKET_ACCOUNT_LEN = 4664;
/** klend 1.7's UpdateConfigMode::UpdateEntireReserveConfig. */
const UPDATE_ENTIRE_RESERVE_CONFIG = 25n;
const RESERVE_CONFIG_LEN = 912;
/** Mainnet's legacy Pyth USDC/USD price account (address only: the content here is SIMULATED). */
export const PYTH_LEGACY_USDC_USD_ACCOUNT = 'Gnt27xtC473ZT2Mw5u8wZ68Z3gULkSTb5DuxJy7eJotD';
const PYTH_PRICE_ACCOUNT_LEN = 3312;

const pda = (seed: string, market: PublicKey, mint: PublicKey) => PublicKey.findProgramAddressSync([Buffer.from(seed), market.toBuffer(), mint.toBuffer()], PROGRAM)[0];
const meta = (pubkey: PublicKey | string, isWritable: boolean, isSigner = false) => ({ pubkey: typeof pubkey === 'string' ? new PublicKey(pubkey) : pubkey, isWritable, isSigner });
const ix = (name: string, keys: ReturnType<typeof meta>[], args: Buffer = Buffer.alloc(0)) => new TransactionInstruction({ programId: PROGRAM, keys, data: Buffer.concat([instructionDiscriminator(name), args]) });
const u64le = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};

export interface KaminoReserveOptions {
  /** Mint the reserve lends (the market's USDC). */
  mint: string;
  /** Atoms deposited by the reserve's liquidity provider (default 1,000,000 USDC). */
  liquidity?: bigint;
  /** Flash-loan fee, bps of the amount (default 9: 0.09 %); written as klend fee bits. */
  flashLoanFeeBps?: bigint;
  /** Deposit limit, atoms (default 10 × the liquidity). */
  depositLimit?: bigint;
  /** Keys (market owner = liquidity provider, market and reserve accounts), from the market seed. */
  keys: (label: string) => Keypair;
}

/** The lending market and reserve the klend program created on the sandbox. */
export interface SandboxKaminoReserve {
  lendingMarket: string;
  /** The reserve as the program wrote it (decoded from the chain after setup). */
  reserve: KaminoReserve;
  owner: Keypair;
  /** The SIMULATED legacy Pyth USDC/USD account the reserve's config names. */
  oracle: string;
  /** Atoms the owner deposited (deposit_reserve_liquidity). */
  deposited: bigint;
  /** Signatures of the klend setup transactions, in order. */
  signatures: string[];
  /**
   * An address lookup table (made by the ALT program) holding the flash loan's fixed accounts —
   * klend, market, authority, reserve, mint, vaults, sysvar, token, ATA and system programs — so a
   * flash-wrapped two-venue round trip fits in one 1,232-byte transaction (without it: ~1,290).
   */
  lookupTable: AddressLookupTableAccount;
}

/** Borsh bytes of klend 1.7's ReserveConfig (912 bytes, IDL field order) for an active reserve that lends through flash loans only. */
export function encodeReserveConfig(c: { flashLoanFeeSf: bigint; depositLimit: bigint; name: string; pythOracle: string; maxAgePriceSeconds: bigint }): Buffer {
  const b = Buffer.alloc(RESERVE_CONFIG_LEN);
  b[0] = 0; // status: Active
  b[1] = 0; // asset tier: Regular
  // 2..24: host rate, reserved, take rate, liquidation fee, LTV 0, liquidation threshold 0, bonuses 0 (no borrowing against it)
  b.writeBigUInt64LE(259_200n, 24); // deleveraging margin call period, s
  b.writeBigUInt64LE(7_200n, 32); // deleveraging threshold slots per bps (> 0 required)
  b.writeBigUInt64LE(0n, 40); // borrow fee
  b.writeBigUInt64LE(c.flashLoanFeeSf, 48);
  // borrow rate curve (11 points at 64): 0 % -> 0 bps, then 100 % -> 1000 bps (sorted, non-decreasing)
  for (let i = 1; i < 11; i++) {
    b.writeUInt32LE(10_000, 64 + i * 8);
    b.writeUInt32LE(1_000, 68 + i * 8);
  }
  b.writeBigUInt64LE(100n, 152); // borrow factor %
  b.writeBigUInt64LE(c.depositLimit, 160);
  b.writeBigUInt64LE(0n, 168); // borrow limit: no obligations borrow from it
  const token = 176;
  Buffer.from(c.name.slice(0, 32)).copy(b, token);
  // heuristic (lower, upper, exp) 0 = off; twap divergence 0 = off
  b.writeBigUInt64LE(c.maxAgePriceSeconds, token + 64);
  // scope (48) and switchboard (64) configurations left zero = disabled
  new PublicKey(c.pythOracle).toBuffer().copy(b, token + 192);
  // withdrawal caps zero (no interval: unlimited), no elevation groups
  b.writeBigUInt64LE((1n << 64n) - 1n, 648); // borrow limit outside elevation group: u64::MAX = off
  return b;
}

/** A legacy Pyth v2 price account (pyth-client PriceAccount, 3,312 bytes) holding `price` × 10^-8, Trading, published now. SIMULATED. */
export function pythLegacyPriceData(price: bigint, conf: bigint, slot: bigint, unixTime: bigint): Buffer {
  const b = Buffer.alloc(PYTH_PRICE_ACCOUNT_LEN);
  b.writeUInt32LE(PYTH_MAGIC, 0);
  b.writeUInt32LE(2, 4); // version
  b.writeUInt32LE(3, 8); // account type: price
  b.writeUInt32LE(PYTH_PRICE_ACCOUNT_LEN, 12);
  b.writeUInt32LE(1, 16); // price type: price
  b.writeInt32LE(-8, 20); // exponent
  b.writeBigUInt64LE(slot, 32); // last slot
  b.writeBigUInt64LE(slot, 40); // valid slot
  b.writeBigInt64LE(price, 48); // EMA price
  b.writeBigInt64LE(conf, 72); // EMA confidence
  b.writeBigInt64LE(unixTime, 96); // timestamp
  b[104] = 1; // min publishers
  b.writeBigUInt64LE(slot, 176); // previous slot, price, conf, timestamp
  b.writeBigInt64LE(price, 184);
  b.writeBigUInt64LE(conf, 192);
  b.writeBigInt64LE(unixTime, 200);
  b.writeBigInt64LE(price, 208); // aggregate price
  b.writeBigUInt64LE(conf, 216);
  b.writeUInt32LE(1, 224); // status: Trading
  b.writeBigUInt64LE(slot, 232); // published slot
  return b;
}

/** Posts the SIMULATED USDC/USD legacy Pyth price (1.00000000, confidence 0.0001) at the chain's clock. */
export function postPythLegacyUsdcUsd(chain: SandboxChain): void {
  chain.setAccount(PYTH_LEGACY_USDC_USD_ACCOUNT, { owner: PYTH_PROGRAM_ID, data: pythLegacyPriceData(100_000_000n, 10_000n, BigInt(chain.slot), BigInt(chain.blockTime(chain.slot))) });
}

/** The klend program's accounts and instructions for a reserve of `mint` in `market`. */
function reserveAccounts(market: PublicKey, mint: PublicKey) {
  return {
    authority: lendingMarketAuthority(market.toBase58()),
    supply: pda('reserve_liq_supply', market, mint),
    feeReceiver: pda('fee_receiver', market, mint),
    collateralMint: pda('reserve_coll_mint', market, mint),
    collateralSupply: pda('reserve_coll_supply', market, mint),
  };
}

/** `refresh_reserve` with the Pyth account (absent Switchboard and Scope accounts = the program id, as Anchor encodes None). */
export function refreshReserveInstruction(reserve: string, market: string, pythOracle: string): TransactionInstruction {
  return ix('refresh_reserve', [meta(reserve, true), meta(market, false), meta(pythOracle, false), meta(PROGRAM, false), meta(PROGRAM, false), meta(PROGRAM, false)]);
}

/**
 * Creates the lending market and the reserve with the program's instructions, configures it
 * (active, flash-loan fee, deposit limit, Pyth oracle), and deposits `liquidity` atoms from the
 * owner (funded by a setup write, as the traders are). MARKET_KAMINO_SETUP if a step fails.
 */
export function createKaminoReserve(chain: SandboxChain, opts: KaminoReserveOptions): SandboxKaminoReserve {
  const owner = opts.keys('kamino-market-owner');
  const marketKp = opts.keys('kamino-lending-market');
  const reserveKp = opts.keys('kamino-reserve-usdc');
  const mint = new PublicKey(opts.mint);
  const market = marketKp.publicKey;
  const liquidity = opts.liquidity ?? 1_000_000_000_000n;
  const feeBps = opts.flashLoanFeeBps ?? 9n;
  if (liquidity <= 0n) throw new SolrulesError('MARKET_BAD_OPTION', `kamino liquidity must be positive atoms; got ${liquidity}`, { field: 'kamino.liquidity', value: liquidity.toString() });
  if (feeBps < 0n || feeBps >= 10_000n) throw new SolrulesError('MARKET_BAD_OPTION', `kamino flashLoanFeeBps must be 0..9999; got ${feeBps}`, { field: 'kamino.flashLoanFeeBps', value: feeBps.toString() });
  const a = reserveAccounts(market, mint);
  chain.setAccount(owner.publicKey, { lamports: 100_000_000_000n });
  const ownerUsdc = fundTokenAccount(chain, opts.mint, owner.publicKey, liquidity);
  const signatures: string[] = [];
  const step = (what: string, run: () => { signature: string }) => {
    try {
      signatures.push(run().signature);
      chain.advanceSlots(1);
    } catch (err) {
      throw new SolrulesError('MARKET_KAMINO_SETUP', `Kamino reserve setup: ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { step: what });
    }
  };
  const create = (account: Keypair, space: number) =>
    SystemProgram.createAccount({ fromPubkey: owner.publicKey, newAccountPubkey: account.publicKey, lamports: Number(chain.minimumBalanceForRentExemption(space)), space, programId: PROGRAM });

  const quoteCurrency = Buffer.alloc(32);
  Buffer.from('USD').copy(quoteCurrency);
  step('init_lending_market', () =>
    sendInstructions(chain, owner, [
      create(marketKp, LENDING_MARKET_ACCOUNT_LEN),
      ix('init_lending_market', [meta(owner.publicKey, true, true), meta(market, true), meta(a.authority, false), meta(SystemProgram.programId, false), meta(SYSVAR_RENT_PUBKEY, false)], quoteCurrency),
    ], { signers: [marketKp] }),
  );
  step('init_reserve', () =>
    sendInstructions(chain, owner, [
      create(reserveKp, RESERVE_ACCOUNT_LEN),
      ix('init_reserve', [
        meta(owner.publicKey, true, true),
        meta(market, false),
        meta(a.authority, false),
        meta(reserveKp.publicKey, true),
        meta(mint, false),
        meta(a.supply, true),
        meta(a.feeReceiver, true),
        meta(a.collateralMint, true),
        meta(a.collateralSupply, true),
        meta(SYSVAR_RENT_PUBKEY, false),
        meta(TOKEN_PROGRAM, false),
        meta(TOKEN_PROGRAM, false),
        meta(SystemProgram.programId, false),
      ]),
    ], { signers: [reserveKp] }),
  );
  const config = encodeReserveConfig({ flashLoanFeeSf: feeSfFromBps(feeBps), depositLimit: opts.depositLimit ?? liquidity * 10n, name: 'USDC', pythOracle: PYTH_LEGACY_USDC_USD_ACCOUNT, maxAgePriceSeconds: 180n });
  const value = Buffer.alloc(4);
  value.writeUInt32LE(config.length);
  step('update_reserve_config (the whole config, validated by the program)', () =>
    sendInstructions(chain, owner, [
      ix('update_reserve_config', [meta(owner.publicKey, false, true), meta(market, false), meta(reserveKp.publicKey, true)], Buffer.concat([u64le(UPDATE_ENTIRE_RESERVE_CONFIG), value, config, Buffer.from([0])])),
    ]),
  );
  postPythLegacyUsdcUsd(chain);
  const collateral = getAssociatedTokenAddressSync(a.collateralMint, owner.publicKey, true, TOKEN_PROGRAM);
  step('refresh_reserve + deposit_reserve_liquidity', () =>
    sendInstructions(chain, owner, [
      createAssociatedTokenAccountIdempotentInstruction(owner.publicKey, collateral, owner.publicKey, a.collateralMint, TOKEN_PROGRAM),
      refreshReserveInstruction(reserveKp.publicKey.toBase58(), market.toBase58(), PYTH_LEGACY_USDC_USD_ACCOUNT),
      ix('deposit_reserve_liquidity', [
        meta(owner.publicKey, false, true),
        meta(reserveKp.publicKey, true),
        meta(market, false),
        meta(a.authority, false),
        meta(mint, true),
        meta(a.supply, true),
        meta(a.collateralMint, true),
        meta(ownerUsdc, true),
        meta(collateral, true),
        meta(TOKEN_PROGRAM, false),
        meta(TOKEN_PROGRAM, false),
        meta(SYSVAR_INSTRUCTIONS_PUBKEY, false),
      ], u64le(liquidity)),
    ]),
  );
  const acct = chain.getAccount(reserveKp.publicKey.toBase58());
  if (!acct) throw new SolrulesError('MARKET_KAMINO_SETUP', 'Kamino reserve setup: the reserve account is missing after setup', { step: 'read back' });
  const reserve = decodeKaminoReserve(reserveKp.publicKey.toBase58(), acct.data);
  const [createTable, table] = AddressLookupTableProgram.createLookupTable({ authority: owner.publicKey, payer: owner.publicKey, recentSlot: chain.slot - 1 });
  const addresses = [PROGRAM, market, a.authority, reserveKp.publicKey, mint, a.supply, a.feeReceiver, SYSVAR_INSTRUCTIONS_PUBKEY, TOKEN_PROGRAM, new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL'), SystemProgram.programId];
  step('address lookup table of the flash-loan accounts', () => sendInstructions(chain, owner, [createTable, AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority: owner.publicKey, payer: owner.publicKey, addresses })]));
  signatures.pop(); // the table's transaction is the ALT program's, not a klend step
  const lookupTable = new AddressLookupTableAccount({ key: table, state: AddressLookupTableAccount.deserialize(chain.getAccount(table.toBase58())!.data) });
  return { lendingMarket: market.toBase58(), reserve, owner, oracle: PYTH_LEGACY_USDC_USD_ACCOUNT, deposited: liquidity, signatures, lookupTable };
}

/** Reads the reserve back from the chain (its available liquidity changes with every flash loan's fee). */
export function readKaminoReserve(chain: SandboxChain, reserve: string): KaminoReserve {
  const acct = chain.getAccount(reserve);
  if (!acct) throw new SolrulesError('MARKET_KAMINO_SETUP', `Kamino reserve ${reserve} is not on the chain`, { field: 'reserve', value: reserve });
  return decodeKaminoReserve(reserve, acct.data);
}

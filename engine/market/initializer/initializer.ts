/**
 * The market-data initializer: before trading, every configured pool and everything its quotes
 * need (vaults, mints with their Token-2022 extensions, tick / bin arrays around the price,
 * bitmap extensions, oracle accounts) and the Kamino reserves flash loans draw on are read in
 * batched `getMultipleAccounts` calls (≤ 100 keys, a few in flight), checked (owner program,
 * discriminator and layout through the venue decoders, vault mints against pool mints, the pool
 * quotable), written to the cache (with a TTL), and reported per pool: ready, or not ready with
 * the reason. Routes that made money before are loaded from history. Trading starts only on the
 * ready pools; the caller hands `updates` to the scanner, so nothing is read twice to start.
 */
import type { Connection } from '@solana/web3.js';
import type { AccountSnapshot } from '../../accounts/index.ts';
import type { Cache } from '../../infra/cache/index.ts';
import { isSolrulesError, SolrulesError } from '../../errors/index.ts';
import { decodeMint, decodePythPrice, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, venueForProgram, effectiveTransferFee, type PoolState, type Venue } from '../../venues/index.ts';
import type { Commitment, OracleWatch } from '../config.ts';
import { BatchReader, SYSTEM_PROGRAM_ID, type ReadCounts } from '../rpc.ts';
import type { AccountUpdate } from '../source.ts';
import { checkReserve, decodeKaminoReserve, flashLoanFeeBps, type KaminoReserve, type ReserveWatch } from './reserve.ts';
import type { RouteHistory, RouteTemplate } from './routes.ts';

const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111';

/** Why a pool is not ready (the metric's bounded label). */
export type NotReadyReason = 'not-found' | 'wrong-owner' | 'decode' | 'mismatch' | 'rpc' | 'not-quotable';
export const NOT_READY_REASONS: readonly NotReadyReason[] = ['not-found', 'wrong-owner', 'decode', 'mismatch', 'rpc', 'not-quotable'];

export interface MintReport {
  address: string;
  decimals: number;
  program: 'spl-token' | 'token-2022';
  /** Token-2022 extensions by name (TransferFeeConfig, TransferHook …). */
  extensions: string[];
  /** Transfer fee in force at the chain's epoch, bps (null: none). */
  transferFeeBps: number | null;
}

export interface PoolReadiness {
  address: string;
  venue: string | undefined;
  ready: boolean;
  reason?: NotReadyReason;
  /** The typed error behind the reason. */
  code?: string;
  detail?: string;
  mints?: [MintReport, MintReport];
  vaults?: [string, string];
  reserves?: { reserveA: bigint; reserveB: bigint };
  /** Accounts the pool's quotes read (the pool included). */
  accounts: string[];
}

export interface OracleReadiness {
  address: string;
  mint: string;
  ready: boolean;
  code?: string;
  detail?: string;
}

export interface ReserveReadiness {
  address: string;
  mint: string;
  ready: boolean;
  code?: string;
  detail?: string;
  reserve?: KaminoReserve;
  /** Display only; the fee in atoms is `flashLoanFee(reserve, amount)`. */
  flashLoanFeeBps?: number | null;
}

export interface MarketReadiness {
  pools: PoolReadiness[];
  /** Addresses of the ready pools, in configured order. */
  ready: string[];
  oracles: OracleReadiness[];
  reserves: ReserveReadiness[];
  /** Routes that made money before (empty without history). */
  routes: RouteTemplate[];
  /** Why history could not be read (the routes are then empty). */
  routesError?: string;
  /** The accounts of ready pools and of oracles as read: the scanner starts from them (the chain source empties this list as it hands them over). */
  updates: AccountUpdate[];
  rpc: ReadCounts;
  /** Entries written to the cache. */
  cached: number;
  durationMs: number;
  /** The Clock sysvar's slot / unix time / epoch at the read. */
  clock: { slot: number; unixTimestamp: bigint; epoch: bigint } | undefined;
}

export interface MarketInitOptions {
  connection: Connection;
  commitment: Commitment;
  pools: readonly string[];
  oracles?: readonly OracleWatch[];
  /** Kamino reserves flash loans draw on. */
  reserves?: readonly ReserveWatch[];
  batchSize?: number;
  /** getMultipleAccounts calls in flight (default 8). */
  concurrency?: number;
  /** Readiness per pool and reserve written here (Redis when configured) with `cacheTtlMs` (default 10 min). */
  cache?: Cache;
  cacheTtlMs?: number;
  /** Profitable routes from history; `routeLimit` of them (default 100). */
  history?: RouteHistory;
  routeLimit?: number;
  now?: () => number;
}

/** Cache key of a pool's readiness (what other processes sharing the cache read). */
export const poolReadinessKey = (address: string) => `market:init:pool:${address}`;
export const reserveReadinessKey = (address: string) => `market:init:reserve:${address}`;
export const DEFAULT_INIT_CACHE_TTL_MS = 10 * 60_000;

function reasonOf(err: SolrulesError): NotReadyReason {
  switch (err.code) {
    case 'MARKET_ACCOUNT_NOT_FOUND':
    case 'DEX_ACCOUNT_MISSING':
    case 'DEX_TICK_ARRAY_MISSING':
    case 'DEX_BIN_ARRAY_MISSING':
      return 'not-found';
    case 'DEX_ACCOUNT_WRONG_OWNER':
    case 'DEX_UNKNOWN_VENUE':
    case 'SCAN_NOT_A_POOL':
      return 'wrong-owner';
    case 'DEX_ACCOUNT_BAD_DISCRIMINATOR':
    case 'DEX_ACCOUNT_TOO_SHORT':
    case 'DEX_ACCOUNT_BAD_VALUE':
      return 'decode';
    case 'DEX_ACCOUNT_MISMATCH':
    case 'DEX_MINT_NOT_IN_POOL':
      return 'mismatch';
    case 'SCAN_RPC_FAILED':
      return 'rpc';
    default:
      return 'not-quotable';
  }
}

const exists = (a: AccountSnapshot | undefined): a is AccountSnapshot => a !== undefined && !(a.owner === SYSTEM_PROGRAM_ID && a.data.length === 0);

function notFound(address: string, role: string, pool: string): SolrulesError {
  return new SolrulesError('MARKET_ACCOUNT_NOT_FOUND', `pool ${pool}: its ${role} ${address} does not exist on the chain`, { account: address, field: role, pool });
}

interface Pending {
  address: string;
  venue?: Venue;
  deps: string[];
  state?: PoolState;
  error?: SolrulesError;
}

/** Reads, checks and reports every configured pool (and oracle, reserve, profitable route); see the file's doc. */
export async function initializeMarket(opts: MarketInitOptions): Promise<MarketReadiness> {
  const now = opts.now ?? Date.now;
  const started = performance.now();
  const reader = new BatchReader(opts.connection, { commitment: opts.commitment, ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}), ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}) });
  const oracles = opts.oracles ?? [];
  const reserveWatches = opts.reserves ?? [];
  const account = (a: string) => reader.accounts.get(a);
  const unreadable = (addresses: readonly string[]) => addresses.map((a) => reader.unreadable.get(a)).find((e) => e !== undefined);

  // Round 1: pools, oracles, reserves, the Clock (quotes run at the chain's time and epoch).
  // History is read while the chain is: a store failure is reported, not thrown (the market does not depend on it).
  const history = opts.history?.profitableRoutes(opts.routeLimit ?? 100).then(
    (routes) => ({ routes, error: undefined }),
    (err: unknown) => ({ routes: [] as RouteTemplate[], error: String((err as Error)?.message ?? err) }),
  );
  await reader.read([...opts.pools, ...oracles.map((o) => o.address), ...reserveWatches.map((r) => r.address), CLOCK_SYSVAR]);
  const clock = readClock(account(CLOCK_SYSVAR));
  const context = clock ? { unixTimestamp: clock.unixTimestamp, epoch: clock.epoch } : { unixTimestamp: BigInt(Math.floor(now() / 1000)) };

  const pending: Pending[] = [...new Set(opts.pools)].map((address) => ({ address, deps: [address] }));
  for (const p of pending) {
    const pool = account(p.address);
    p.error = unreadable([p.address]);
    if (p.error) continue;
    if (!exists(pool)) {
      p.error = new SolrulesError('MARKET_ACCOUNT_NOT_FOUND', `pool ${p.address} does not exist on the chain`, { account: p.address, field: 'pool' });
      continue;
    }
    p.venue = venueForProgram(pool.owner);
    if (!p.venue) {
      p.error = new SolrulesError('SCAN_NOT_A_POOL', `pool ${p.address} is owned by ${pool.owner}, which is not a known venue program`, { account: p.address, field: 'owner', value: pool.owner });
      continue;
    }
    try {
      const { mintA, mintB } = p.venue.poolMints(pool);
      p.deps = [...new Set([p.address, ...p.venue.requiredAccounts(pool), mintA, mintB])];
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      p.error = err;
    }
  }

  // Round 2: what each pool's quotes read (tick / bin arrays, mints, oracle, bitmap extension…) and the reserves' supply vaults.
  const reserves = new Map<string, KaminoReserve | SolrulesError>();
  for (const w of reserveWatches) {
    const a = account(w.address);
    const e = unreadable([w.address]);
    if (e) reserves.set(w.address, e);
    else if (!exists(a)) reserves.set(w.address, new SolrulesError('MARKET_ACCOUNT_NOT_FOUND', `Kamino reserve ${w.address} does not exist on the chain`, { account: w.address, field: 'reserve' }));
    else {
      try {
        reserves.set(w.address, decodeKaminoReserve({ ...a, address: w.address }));
      } catch (err) {
        if (!isSolrulesError(err)) throw err;
        reserves.set(w.address, err);
      }
    }
  }
  await reader.read([...pending.filter((p) => !p.error).flatMap((p) => p.deps), ...[...reserves.values()].flatMap((r) => (r instanceof SolrulesError ? [] : [r.supplyVault]))]);

  const viewOf = (deps: readonly string[]) => {
    const m = new Map<string, AccountSnapshot>();
    for (const d of deps) {
      const a = account(d);
      if (a) m.set(d, a);
    }
    return m;
  };
  for (const p of pending) {
    if (p.error || !p.venue) continue;
    p.error = unreadable(p.deps);
    if (p.error) continue;
    try {
      const pool = { ...account(p.address)!, address: p.address };
      const { mintA, mintB } = p.venue.poolMints(pool);
      for (const [mint, role] of [[mintA, 'mint A'], [mintB, 'mint B']] as const) if (!exists(account(mint))) throw notFound(mint, role, p.address);
      p.state = p.venue.buildState(pool, viewOf(p.deps), context);
      p.deps = [...new Set([...p.deps, ...p.venue.vaults(p.state)])];
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      p.error = err;
    }
  }

  // Round 3: vaults not read yet (a whirlpool's vaults are known only once the pool is decoded).
  await reader.read(pending.filter((p) => !p.error).flatMap((p) => p.deps));

  const report: PoolReadiness[] = [];
  for (const p of pending) report.push(finish(p));

  function finish(p: Pending): PoolReadiness {
    const base = { address: p.address, venue: p.venue?.id, accounts: p.deps };
    const notReady = (err: SolrulesError): PoolReadiness => ({ ...base, ready: false, reason: reasonOf(err), code: err.code, detail: err.message });
    if (p.error || !p.venue || !p.state) return notReady(p.error ?? new SolrulesError('MARKET_ACCOUNT_NOT_FOUND', `pool ${p.address} could not be read`, { account: p.address }));
    const venue = p.venue;
    const state = p.state;
    try {
      const e = unreadable(p.deps);
      if (e) throw e;
      const view = viewOf(p.deps);
      const vaults = venue.vaults(state);
      vaults.forEach((v, i) => {
        const a = view.get(v);
        if (!exists(a)) throw notFound(v, i === 0 ? 'vault A' : 'vault B', p.address);
        if (a.owner !== TOKEN_PROGRAM_ID && a.owner !== TOKEN_2022_PROGRAM_ID) {
          throw new SolrulesError('DEX_ACCOUNT_WRONG_OWNER', `pool ${p.address}: vault ${v} is owned by ${a.owner}, not a token program`, { account: v, field: 'owner', value: a.owner, pool: p.address });
        }
      });
      // The state again with every account read (the DLMM's reserve balances, a whirlpool's vaults), then the vault mints against the pool's.
      const full = venue.buildState({ ...view.get(p.address)!, address: p.address }, view, context);
      const reserves = venue.reserves(full, view);
      if (!reserves) throw notFound(vaults[0], 'vaults', p.address);
      const mints = [mintReport(view.get(full.mintA)!, full.mintA, clock?.epoch), mintReport(view.get(full.mintB)!, full.mintB, clock?.epoch)] as [MintReport, MintReport];
      requireQuotable(venue, full, reserves);
      return { ...base, ready: true, mints, vaults, reserves };
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      return notReady(err);
    }
  }

  const oracleReport: OracleReadiness[] = oracles.map((o) => {
    try {
      const e = unreadable([o.address]);
      if (e) throw e;
      const a = account(o.address);
      if (!exists(a)) throw new SolrulesError('MARKET_ACCOUNT_NOT_FOUND', `oracle ${o.address} does not exist on the chain`, { account: o.address, field: 'oracle' });
      decodePythPrice({ ...a, address: o.address });
      return { address: o.address, mint: o.mint, ready: true };
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      return { address: o.address, mint: o.mint, ready: false, code: err.code, detail: err.message };
    }
  });

  const reserveReport: ReserveReadiness[] = reserveWatches.map((w) => {
    const r = reserves.get(w.address)!;
    try {
      if (r instanceof SolrulesError) throw r;
      const e = unreadable([r.supplyVault]);
      if (e) throw e;
      checkReserve(r, w, account(r.supplyVault));
      return { address: w.address, mint: w.mint, ready: true, reserve: r, flashLoanFeeBps: flashLoanFeeBps(r) };
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      return { address: w.address, mint: w.mint, ready: false, code: err.code, detail: err.message, ...(r instanceof SolrulesError ? {} : { reserve: r }) };
    }
  });

  const ready = report.filter((r) => r.ready);
  const keep = new Set([...ready.flatMap((r) => r.accounts), ...oracles.map((o) => o.address)]);
  const receivedAt = now();
  const updates: AccountUpdate[] = [];
  for (const address of keep) {
    const a = account(address);
    if (a) updates.push({ address, account: a, slot: a.slot ?? 0, receivedAt, via: 'initial' });
  }
  const past = history ? await history : { routes: [], error: undefined };
  const cached = opts.cache ? await warmCache(opts.cache, opts.cacheTtlMs ?? DEFAULT_INIT_CACHE_TTL_MS, report, reserveReport, receivedAt) : 0;
  return {
    pools: report,
    ready: ready.map((r) => r.address),
    oracles: oracleReport,
    reserves: reserveReport,
    routes: past.routes,
    ...(past.error !== undefined ? { routesError: past.error } : {}),
    updates,
    rpc: { ...reader.counts },
    cached,
    durationMs: performance.now() - started,
    clock,
  };
}

function readClock(a: AccountSnapshot | undefined): MarketReadiness['clock'] {
  if (!a || a.data.length < 40) return undefined;
  const b = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  return { slot: Number(b.readBigUInt64LE(0)), epoch: b.readBigUInt64LE(16), unixTimestamp: b.readBigInt64LE(32) };
}

function mintReport(a: AccountSnapshot, address: string, epoch: bigint | undefined): MintReport {
  const m = decodeMint({ ...a, address });
  let transferFeeBps: number | null = null;
  if (m.transferFeeConfig) {
    transferFeeBps = effectiveTransferFee(m, epoch)?.fee.basisPoints ?? null;
  }
  return { address, decimals: m.decimals, program: m.program, extensions: m.extensions.map((e) => e.name), transferFeeBps };
}

/**
 * The decoded pool must quote: one atom-sized probe of each side's reserve (1/10,000 of it, at
 * least one atom) in at least one direction. A pool both of whose directions fail is not ready.
 */
function requireQuotable(venue: Venue, state: PoolState, reserves: { reserveA: bigint; reserveB: bigint }): void {
  let last: SolrulesError | undefined;
  for (const [mint, reserve] of [[state.mintA, reserves.reserveA], [state.mintB, reserves.reserveB]] as const) {
    try {
      venue.quoteExactIn(state, mint, reserve / 10_000n > 0n ? reserve / 10_000n : 1n);
      return;
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      last = err;
    }
  }
  throw last!;
}

async function warmCache(cache: Cache, ttlMs: number, pools: readonly PoolReadiness[], reserves: readonly ReserveReadiness[], at: number): Promise<number> {
  const json = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
  const writes: Promise<void>[] = [];
  for (const p of pools) writes.push(cache.set(poolReadinessKey(p.address), json({ ...p, accounts: p.accounts.length, at: new Date(at).toISOString() }), ttlMs));
  for (const r of reserves) writes.push(cache.set(reserveReadinessKey(r.address), json({ ...r, at: new Date(at).toISOString() }), ttlMs));
  await Promise.all(writes);
  return writes.length;
}

/**
 * Market state built from account updates: every account the configured pools and oracles
 * depend on, each pool decoded by its venue whenever one of its accounts changes, and Pyth
 * prices. It is the `PoolProvider` the quote optimizer and the arbitrage planner read.
 *
 * Freshness: an account is current as of the newer of its last update's slot and the last slot
 * a live source vouched for (a WebSocket delivering slot ticks, a poll answering). A pool's state
 * is as old as its oldest account; while a source is down nothing is vouched for, so the
 * staleness guard starts refusing quotes once the estimated slot runs `maxStateAgeSlots` ahead.
 */
import type { AccountSnapshot } from '../accounts/index.ts';
import { decodePythPrice, venueForProgram, type PoolState, type PythPrice, type Venue } from '../venues/index.ts';
import { isSolrulesError, SolrulesError } from '../errors/index.ts';
import type { PoolEntry, PoolProvider } from '../quotes/index.ts';
import { pairKey } from '../quotes/index.ts';
import type { OracleWatch, ProgramWatch } from './config.ts';
import { matchesFilters, SlotClock } from './filters.ts';
import type { AccountUpdate } from './source.ts';

export interface PoolRecord {
  address: string;
  venue: Venue;
  state: PoolState | undefined;
  /** Pool account, the accounts `buildState` needs, and the vaults. */
  deps: Set<string>;
  reserves: { reserveA: bigint; reserveB: bigint } | undefined;
  error: SolrulesError | undefined;
  discovered: boolean;
}

export interface PoolChange {
  pool: PoolRecord;
  state: PoolState;
  previousReserves: { reserveA: bigint; reserveB: bigint } | undefined;
  /** The accounts whose updates caused the rebuild. */
  causes: string[];
}

export interface OracleChange {
  address: string;
  mint: string;
  price: PythPrice;
}

export interface ApplyResult {
  /** False when the content was already known (only its freshness moved) or the update was older than what is held. */
  changed: boolean;
  oracle: OracleChange | undefined;
  errors: SolrulesError[];
}

export interface FlushResult {
  pools: PoolChange[];
  /** Accounts pools now depend on that have not been read yet: fetch and watch them. */
  missing: string[];
  errors: SolrulesError[];
}

function sameContent(a: AccountSnapshot, b: AccountSnapshot): boolean {
  if (a.owner !== b.owner || a.lamports !== b.lamports || a.data.length !== b.data.length) return false;
  if (a.data === b.data) return true; // the reader handed the held bytes back
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
}

export class MarketState implements PoolProvider {
  readonly accounts = new Map<string, AccountSnapshot>();
  readonly pools = new Map<string, PoolRecord>();
  readonly oracles = new Map<string, { mint: string; price: PythPrice | undefined }>();
  readonly clock: SlotClock;
  private readonly dependents = new Map<string, Set<string>>();
  private readonly byPair = new Map<string, Set<string>>();
  /** Pools with a changed account, rebuilt at the next flush (with the accounts that changed). */
  private readonly dirty = new Map<string, Set<string>>();
  private liveSlot = 0;
  private liveAt: number | undefined;

  constructor(
    opts: { pools: readonly string[]; oracles: readonly OracleWatch[]; slotMs: number },
    private readonly now: () => number = Date.now,
  ) {
    this.clock = new SlotClock(opts.slotMs, now);
    for (const o of opts.oracles) this.oracles.set(o.address, { mint: o.mint, price: undefined });
    for (const p of opts.pools) this.dependOn(p, p);
  }

  private dependOn(account: string, pool: string): void {
    let set = this.dependents.get(account);
    if (!set) this.dependents.set(account, (set = new Set()));
    set.add(pool);
  }

  /** Every account the scanner must watch: pools, their dependencies, oracles. */
  watchedAccounts(): string[] {
    return [...new Set([...this.dependents.keys(), ...this.oracles.keys()])];
  }

  /** The pools that read an account. */
  readersOf(address: string): PoolRecord[] {
    return [...(this.dependents.get(address) ?? [])].map((p) => this.pools.get(p)).filter((p): p is PoolRecord => p !== undefined);
  }

  /** Whether an address is a pool, a pool dependency or an oracle. */
  isWatched(address: string): boolean {
    return this.dependents.has(address) || this.oracles.has(address);
  }

  get hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** A live source vouches that every watched account is current as of `slot`. */
  vouch(slot: number, at: number): void {
    this.clock.observe(slot, at);
    if (slot > this.liveSlot) this.liveSlot = slot;
    this.liveAt = at;
  }

  /** The latest slot a live source vouched for, and when (undefined before the first). */
  get vouched(): { slot: number; at: number } | undefined {
    return this.liveAt === undefined ? undefined : { slot: this.liveSlot, at: this.liveAt };
  }

  currentSlot(): number | undefined {
    return this.clock.estimate();
  }

  /** Slot every account of the pool is known current at. */
  asOfSlot(pool: PoolRecord): number | undefined {
    let oldest: number | undefined;
    for (const dep of pool.deps) {
      const a = this.accounts.get(dep);
      if (!a || a.slot === undefined) return undefined;
      const s = Math.max(a.slot, this.liveSlot);
      oldest = oldest === undefined ? s : Math.min(oldest, s);
    }
    return oldest;
  }

  poolsFor(mintA: string, mintB: string): readonly PoolEntry[] {
    const out: PoolEntry[] = [];
    for (const address of this.byPair.get(pairKey(mintA, mintB)) ?? []) {
      const p = this.pools.get(address);
      if (!p?.state) continue;
      p.state.slot = this.asOfSlot(p);
      out.push({ venue: p.venue, state: p.state });
    }
    return out;
  }

  /** All pools with a decoded state. */
  entries(): PoolEntry[] {
    return [...this.pools.values()].filter((p) => p.state).map((p) => {
      p.state!.slot = this.asOfSlot(p);
      return { venue: p.venue, state: p.state! };
    });
  }

  /**
   * An account from a program subscription that is not (yet) a known dependency: becomes a pool
   * when its owner is a venue and it passes the filters and the mint list. Returns why it was not kept.
   */
  discover(update: AccountUpdate, program: ProgramWatch): 'kept' | 'known' | 'filters' | 'not-a-pool' | 'mints' {
    if (this.isWatched(update.address)) return 'known';
    if (!matchesFilters(update.account.data, program.filters)) return 'filters';
    const venue = venueForProgram(update.account.owner);
    if (!venue) return 'not-a-pool';
    let mints: { mintA: string; mintB: string };
    try {
      mints = venue.poolMints(update.account);
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      return 'not-a-pool'; // another account of the venue's program (a tick array, a position …)
    }
    if (program.mints.length && !(program.mints.includes(mints.mintA) && program.mints.includes(mints.mintB))) return 'mints';
    this.dependOn(update.address, update.address);
    return 'kept';
  }

  /** Stores one account update and marks the pools reading it for the next `flush`. */
  apply(update: AccountUpdate): ApplyResult {
    const result: ApplyResult = { changed: false, oracle: undefined, errors: [] };
    this.clock.observe(update.slot, update.receivedAt);
    const prev = this.accounts.get(update.address);
    if (prev && prev.slot !== undefined && update.slot < prev.slot) return result; // an older view arriving late
    const snapshot: AccountSnapshot = { ...update.account, address: update.address, slot: update.slot };
    if (prev && sameContent(prev, snapshot)) {
      // Only its freshness moved: keep the bytes held (decoded states may point into them), not a second copy.
      this.accounts.set(update.address, { ...snapshot, data: prev.data });
      return result;
    }
    this.accounts.set(update.address, snapshot);
    result.changed = true;

    const oracle = this.oracles.get(update.address);
    if (oracle) {
      try {
        oracle.price = decodePythPrice(snapshot);
        result.oracle = { address: update.address, mint: oracle.mint, price: oracle.price };
      } catch (err) {
        if (!isSolrulesError(err)) throw err;
        result.errors.push(err);
      }
    }
    for (const pool of this.dependents.get(update.address) ?? []) {
      let causes = this.dirty.get(pool);
      if (!causes) this.dirty.set(pool, (causes = new Set()));
      causes.add(update.address);
    }
    return result;
  }

  /** Re-decodes every pool whose accounts changed since the last flush. */
  flush(): FlushResult {
    const result: FlushResult = { pools: [], missing: [], errors: [] };
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const [address, causes] of dirty) this.rebuild(address, causes, result);
    return result;
  }

  private rebuild(address: string, causes: Set<string>, result: FlushResult): void {
    const poolAccount = this.accounts.get(address);
    if (!poolAccount) return;
    let pool = this.pools.get(address);
    const venue = venueForProgram(poolAccount.owner);
    if (!venue) {
      result.errors.push(new SolrulesError('SCAN_NOT_A_POOL', `watched pool ${address} is owned by ${poolAccount.owner}, which is not a known venue program`, { account: address, field: 'owner', value: poolAccount.owner }));
      if (pool) {
        this.drop(pool);
        this.pools.delete(address);
      }
      return;
    }
    if (!pool || pool.venue !== venue) {
      pool = { address, venue, state: undefined, deps: new Set([address]), reserves: undefined, error: undefined, discovered: !this.pools.has(address) };
      this.pools.set(address, pool);
    }
    try {
      if (causes.has(address) || !pool.state) {
        for (const dep of venue.requiredAccounts(poolAccount)) this.addDep(pool, dep, result);
      }
      if ([...pool.deps].some((d) => !this.accounts.has(d))) return; // wait for the missing accounts
      const previousReserves = pool.reserves;
      // The pool's own accounts only: a venue may look through every account it is given (bin / tick arrays).
      const state = venue.buildState(poolAccount, this.viewOf(pool), { unixTimestamp: BigInt(Math.floor(this.now() / 1000)) });
      for (const v of venue.vaults(state)) this.addDep(pool, v, result);
      if ([...pool.deps].some((d) => !this.accounts.has(d))) return;
      const wasPair = pool.state ? pairKey(pool.state.mintA, pool.state.mintB) : undefined;
      pool.state = state;
      pool.error = undefined;
      pool.reserves = venue.reserves(state, this.viewOf(pool));
      state.slot = this.asOfSlot(pool);
      const pair = pairKey(state.mintA, state.mintB);
      if (wasPair && wasPair !== pair) this.byPair.get(wasPair)?.delete(address);
      let set = this.byPair.get(pair);
      if (!set) this.byPair.set(pair, (set = new Set()));
      set.add(address);
      result.pools.push({ pool, state, previousReserves, causes: [...causes] });
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      // Keep the last good state out of quotes: it no longer matches the chain.
      if (pool.state) this.byPair.get(pairKey(pool.state.mintA, pool.state.mintB))?.delete(address);
      pool.state = undefined;
      if (pool.error?.message !== err.message) result.errors.push(err);
      pool.error = err;
    }
  }

  /** The accounts a pool reads, as held. */
  private viewOf(pool: PoolRecord): Map<string, AccountSnapshot> {
    const view = new Map<string, AccountSnapshot>();
    for (const dep of pool.deps) {
      const a = this.accounts.get(dep);
      if (a) view.set(dep, a);
    }
    return view;
  }

  private addDep(pool: PoolRecord, dep: string, result: FlushResult): void {
    if (pool.deps.has(dep)) return;
    pool.deps.add(dep);
    this.dependOn(dep, pool.address);
    if (!this.accounts.has(dep)) result.missing.push(dep);
  }

  private drop(pool: PoolRecord): void {
    if (pool.state) this.byPair.get(pairKey(pool.state.mintA, pool.state.mintB))?.delete(pool.address);
    for (const dep of pool.deps) {
      if (dep === pool.address) continue;
      const set = this.dependents.get(dep);
      set?.delete(pool.address);
      if (set && !set.size) this.dependents.delete(dep);
    }
  }
}

/**
 * The market scanner: an account source (WebSocket, polling or shredstream) in, normalized facts
 * out on the bus. Each update is filtered client-side, deduplicated within the window, stored in
 * the market state, timed (slot seen vs received) and, once its slot has settled, turned into
 * `market.events.<venue>.pool` / `.trade`, `market.events.pyth.price`, `market.prices.<mint>` and
 * `market.volume.<mint>` messages (JSON, atoms as decimal strings). Updates are processed one at a
 * time in arrival order.
 */
import { Connection } from '@solana/web3.js';
import type { Bus } from '../infra/bus/index.ts';
import type { Cache } from '../infra/cache/index.ts';
import { isSolrulesError, SolrulesError } from '../errors/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import type { ScannerConfig } from './config.ts';
import { createHash } from 'node:crypto';
import { Deduplicator } from './filters.ts';
import { MarketState, type FlushResult, type OracleChange, type PoolChange } from './market.ts';
import { scannerMetrics, type EventKind, type ScanMode } from './metrics.ts';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, venueForProgram } from '../venues/index.ts';
import { PollingSource } from './polling.ts';
import { PriceFeed, type PoolFact } from './price-feed.ts';
import { BatchReader, fetchAccounts, fetchProgramAccounts, getBlockTime, type KnownAccount } from './rpc.ts';
import { ShredstreamSource } from './shredstream/index.ts';
import type { AccountSource, AccountUpdate, SourceSink } from './source.ts';
import { VolumeMonitor, type InferredTrade } from './volume.ts';
import { WebSocketSource } from './websocket.ts';
import { marketEventSubject, pricesSubject, volumeSubject } from '../messages/index.ts';
import type { Partition } from '../cluster/index.ts';

export interface MarketScannerOptions {
  config: ScannerConfig;
  bus: Bus;
  /** Dedup window (and anything else shared); the in-memory cache by default, Redis when configured. */
  cache: Cache;
  /** Default: built from `config.subscriptionMode`. */
  source?: AccountSource;
  connection?: Connection;
  /** Told which accounts changed, to void cached quotes that read them (the quote optimizer). */
  quotes?: { invalidate(accounts: Iterable<string>): Promise<void> };
  /** Wait this long for more updates of a slot before publishing it (default: the config's `settleMs`). */
  settleMs?: number;
  /**
   * Price events under a backlog (default 0: off, every closed slot publishes its prices). When a
   * slot closes while updates are already queued behind it (the consumer is behind the chain), its
   * mints' price events are held — pool, trade and volume facts are still published per slot —
   * and published once, on the newest state, when the queue is empty, or after at most this many
   * ms of holding. The engine then evaluates the latest state instead of every stale slot in turn.
   */
  conflatePricesMs?: number;
  now?: () => number;
  log?: Logger;
  /**
   * Scanner role (several scanner processes): subscribe only to the accounts of the pools and
   * oracles this instance owns; when the share changes, watch the new share and read it afresh.
   */
  partition?: Partition;
  /** Each account update this instance owns, once applied (a scanner role publishes it for planners), and each live slot. */
  forward?: { account(u: AccountUpdate, resync: boolean): Promise<void>; slot(slot: number, receivedAt?: number): Promise<void>; synced?(): Promise<void> };
  /**
   * Time facts (and pool states) by the chain: the block time of the slot being processed, not this
   * process's clock. With a chain connection it is read (`getBlockTime`, once per slot) and
   * forwarded with each account; a planner fed by the bus takes the forwarded one. Every process,
   * and a single-process run, then derives the same facts — and the same order ids — from the same
   * slot's updates.
   */
  chainTime?: boolean;
  /**
   * A planner fed by the bus: publish nothing until every configured pool is decoded, then all of
   * them at once — as a scanner reading the whole market at start does — so no price is made of a
   * part of the market because one scanner's share arrived first.
   */
  awaitWholeMarket?: boolean;
  /** Publish pool, price and volume facts (default true; a scanner role forwards raw accounts instead). */
  publishFacts?: boolean;
  /** Read the watched accounts from the chain at start and when pools need new ones (default true; a planner fed by the bus has no chain). */
  readChain?: boolean;
  /**
   * Fingerprint the decoded pool states at every flush (`stateDigest`): a split run's planner stamps
   * its orders with it and an executor process fills only on the same states (default false).
   */
  digestState?: boolean;
}

export interface ScannerStats {
  received: number;
  accepted: number;
  duplicates: number;
  filtered: number;
  published: number;
  errors: number;
}

/** The source for a config's subscription mode; `known` (the scanner's accounts) lets a polling source skip what it holds already. */
export function sourceFor(config: ScannerConfig, connection: Connection, log: Logger, known?: KnownAccount): AccountSource {
  switch (config.subscriptionMode) {
    case 'websocket':
      return new WebSocketSource({ config, connection, log });
    case 'rpc-polling':
      return new PollingSource({ config, connection, log, ...(known ? { known } : {}) });
    case 'shredstream':
      return new ShredstreamSource({ config, connection, log, ...(known ? { known } : {}) });
  }
}

export class MarketScanner {
  readonly market: MarketState;
  readonly prices: PriceFeed;
  readonly volume: VolumeMonitor;
  readonly source: AccountSource;
  readonly connection: Connection;
  readonly stats: ScannerStats = { received: 0, accepted: 0, duplicates: 0, filtered: 0, published: 0, errors: 0 };
  private readonly dedup: Deduplicator;
  private readonly log: Logger;
  private readonly now: () => number;
  /** With `chainTime`: the block time of the slot processed last. */
  private updateAt: number | undefined;
  /** With `chainTime`: block times of recent slots (ms), resolved or forwarded. */
  private readonly slotTimes = new Map<number, number>();
  /** With `chainTime` and settle batching: the newest block time read off the update path. */
  private blockTimeAnchor: { slot: number; ms: number } | undefined;
  private learningBlockTime = false;
  /** Changes held until the whole market is decoded (`awaitWholeMarket`); undefined once it was. */
  private heldChanges: Map<string, PoolChange> | undefined;
  private readonly batching: 'settle' | 'slot';
  /** The newest slot of an account applied so far, and of one the decoded pool states include (see `stateSlot`). */
  private appliedSlot = -Infinity;
  private decodedSlot = -Infinity;
  /** With `digestState`: the fingerprint of the decoded pool states (see `stateDigest`). */
  private decodedDigest: string | undefined;
  private readonly settleMs: number;
  private chain: Promise<void> = Promise.resolve();
  /** Tasks queued or running (`conflatePricesMs`: more than this one means the scanner is behind). */
  private queued = 0;
  /** Mints whose price event is held under a backlog, and since when (ms, local clock). */
  private readonly heldPrices = new Set<string>();
  private heldSince: number | undefined;
  /** Price events not published because a newer one of the same mint replaced them under a backlog (`conflatePricesMs`). */
  readonly conflation = { held: 0, superseded: 0 };
  private pendingSlot: number | undefined;
  private settleTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** What closed each published slot: the next slot's notification, its first update, or the settle wait. */
  readonly flushes = { slotNotice: 0, nextSlotUpdate: 0, settled: 0 };
  private running = false;
  private readonly programs;
  /** The account held for an address: reads hand its bytes back when the chain's are the same (no second copy). */
  private readonly known: KnownAccount = (address) => this.market.accounts.get(address);

  constructor(private readonly opts: MarketScannerOptions) {
    const cfg = opts.config;
    const clock = opts.now ?? Date.now;
    this.now = opts.chainTime ? () => this.updateAt ?? clock() : clock;
    this.batching = cfg.batching ?? 'settle';
    if (opts.awaitWholeMarket) this.heldChanges = new Map();
    this.log = opts.log ?? logger().child({ component: 'scanner', mode: cfg.subscriptionMode });
    this.settleMs = opts.settleMs ?? cfg.settleMs ?? 20;
    this.connection = opts.connection ?? new Connection(cfg.rpcUrl, { commitment: cfg.commitment, ...(cfg.wsUrl ? { wsEndpoint: cfg.wsUrl } : {}), disableRetryOnRateLimit: true });
    this.market = new MarketState({ pools: cfg.pools, oracles: cfg.oracles, slotMs: cfg.slotMs }, this.now);
    this.prices = new PriceFeed(this.market, { tokens: cfg.tokens, impactSizesUsd: cfg.priceFeed.impactSizesUsd, historySize: cfg.priceFeed.historySize }, this.now);
    const decimals = new Map(cfg.tokens.map((t) => [t.mint, t.decimals]));
    this.volume = new VolumeMonitor({ ...cfg.volume, usd: (m) => this.prices.referenceUsd(m) ?? this.prices.usdOf(m), decimals: (m) => decimals.get(m) }, this.now);
    this.dedup = new Deduplicator(opts.cache, cfg.dedupWindowMs, cfg.dedupScope);
    this.source = opts.source ?? sourceFor(cfg, this.connection, this.log, this.known);
    this.programs = new Map(cfg.programs.map((p) => [p.programId, p]));
  }

  private get mode(): ScanMode {
    return this.source.mode;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queued += 1;
    const run = async () => {
      try {
        await task();
      } finally {
        this.queued -= 1;
        // Caught up: the prices held under the backlog go out now, on the newest state.
        if (this.queued === 0 && this.heldPrices.size) await this.releasePrices();
      }
    };
    this.chain = this.chain.then(run).catch((err) => {
      this.stats.errors += 1;
      this.log.error({ err }, 'scanner task failed');
    });
    return this.chain;
  }

  /** Publishes the price events of `mints`, or holds them while updates are queued behind (`conflatePricesMs`). */
  private async publishPrices(mints: Iterable<string>): Promise<void> {
    const maxHold = this.opts.conflatePricesMs ?? 0;
    if (maxHold <= 0) {
      for (const mint of mints) await this.publishPrice(mint);
      return;
    }
    for (const mint of mints) {
      if (this.heldPrices.has(mint)) this.conflation.superseded += 1;
      else this.heldPrices.add(mint);
    }
    const now = Date.now();
    this.heldSince ??= now;
    if (this.queued > 1 && now - this.heldSince < maxHold) {
      this.conflation.held += 1;
      return;
    }
    await this.releasePrices();
  }

  private async releasePrices(): Promise<void> {
    const mints = [...this.heldPrices];
    this.heldPrices.clear();
    this.heldSince = undefined;
    for (const mint of mints) await this.publishPrice(mint);
  }

  private readonly sink: SourceSink = {
    account: (u) => void this.enqueue(() => this.process(u)),
    slot: (slot, at) =>
      void this.enqueue(async () => {
        this.market.vouch(slot, at);
        if (this.pendingSlot !== undefined && slot > this.pendingSlot) {
          this.flushes.slotNotice += 1;
          await this.flush();
        }
        await this.opts.forward?.slot(slot, at);
        await this.publishTrades(this.volume.settleBefore(slot));
      }),
    synced: () => void this.enqueue(() => this.flush()),
    disconnected: (reason) => this.log.warn({ reason }, 'market source disconnected; state ages until it is back'),
    reconnected: () => this.log.info('market source live again'),
    error: (err) => this.onError(err),
  };

  private onError(err: SolrulesError): void {
    this.stats.errors += 1;
    scannerMetrics.error(this.mode, err);
    this.log.warn({ code: err.code, context: err.context }, err.message);
  }

  /**
   * Starts the source, reads the initial state of everything configured, and publishes it.
   * `seed` (the market-data initializer's reads) seeds the state first, so every pool's
   * accounts are known and subscribed at once; they are read again once subscribed, so a change
   * between the initializer's read and the subscription is not missed.
   */
  async start(seed?: readonly AccountUpdate[]): Promise<void> {
    this.running = true;
    await this.source.start(this.sink);
    if (seed?.length) {
      await this.enqueue(async () => {
        for (const u of seed) await this.process(u, false);
        await this.flush();
      });
    }
    await this.source.watch(this.watchList());
    if (this.opts.readChain === false) return;
    this.opts.partition?.onChange(() => void this.enqueue(() => this.reshare()));
    const cfg = this.opts.config;
    const initial: AccountUpdate[] = [];
    // A few calls in flight, each retried (a loaded RPC drops some): thousands of accounts at start.
    // Seeded and polling (or shredstream, which polls too): the source's own polls read everything
    // again from now on, so the seed's accounts are not read a second time here.
    const reread = !seed?.length || this.source.mode === 'websocket' ? this.market.watchedAccounts() : this.market.watchedAccounts().filter((a) => !this.market.accounts.has(a));
    const reader = new BatchReader(this.connection, { commitment: cfg.commitment, batchSize: cfg.polling.batchSize, known: this.known });
    await reader.read(reread);
    const unreadable = reader.unreadable.values().next().value;
    if (unreadable) throw unreadable;
    const receivedAt = this.now();
    for (const [address, account] of reader.accounts) initial.push({ address, account, slot: account.slot ?? 0, receivedAt, via: 'initial' });
    for (const program of cfg.programs) initial.push(...(await fetchProgramAccounts(this.connection, program, { commitment: cfg.commitment, via: 'initial', now: this.now })).updates);
    await this.enqueue(async () => {
      for (const u of initial) await this.process(u, false);
      await this.flush();
      await this.forwardOwned(initial, true);
    });
  }

  /** The accounts this instance subscribes to: all of them, or its share's (a pool's with every account it reads). */
  private watchList(): string[] {
    const all = this.market.watchedAccounts();
    return this.opts.partition ? all.filter((a) => this.ownsAccount(a)) : all;
  }

  /** Whether this instance's share covers `address`: an oracle it owns, or an account a pool it owns reads. */
  ownsAccount(address: string): boolean {
    const partition = this.opts.partition;
    if (!partition) return true;
    if (this.market.oracles.has(address)) return partition.owns(address);
    return this.market.readersOf(address).some((p) => partition.owns(p.address)) || (this.market.pools.has(address) && partition.owns(address));
  }

  /** Forwards the updates of `updates` that this instance owns (a resync republishes even unchanged ones). */
  private async forwardOwned(updates: readonly AccountUpdate[], resync: boolean): Promise<void> {
    const forward = this.opts.forward;
    if (!forward) return;
    for (const u of updates) if (this.ownsAccount(u.address)) await forward.account(u, resync);
    if (resync) await forward.synced?.();
  }

  /** The share changed: subscribe to the new one and read every account of it afresh, forwarding it all. */
  private async reshare(): Promise<void> {
    if (!this.running) return; // stopping: leaving the group empties the share; nothing to watch any more
    await this.source.watch(this.watchList());
    const { updates } = await fetchAccounts(this.connection, this.watchList(), { commitment: this.opts.config.commitment, batchSize: this.opts.config.polling.batchSize, via: 'resync', now: this.now, known: this.known });
    for (const u of updates) await this.process(u, false);
    await this.flush();
    await this.forwardOwned(updates, true);
  }

  /** Republishes every account of this instance's share as it holds it (a planner joined late or missed messages); returns how many. */
  async republish(): Promise<number> {
    let count = 0;
    await this.enqueue(async () => {
      const forward = this.opts.forward;
      if (!forward) return;
      for (const address of this.watchList()) {
        const account = this.market.accounts.get(address);
        if (!account) continue;
        const slot = account.slot ?? 0;
        const blockTimeMs = this.slotTimes.get(slot);
        await forward.account({ address, account, slot, receivedAt: Date.now(), via: 'resync', ...(blockTimeMs !== undefined ? { blockTimeMs } : {}) }, true);
        count++;
      }
      await forward.synced?.();
    });
    return count;
  }

  /**
   * The newest slot of a changed account that the decoded pool states include (undefined before the
   * first): two processes fed the same batches hold the same states once they report the same slot.
   */
  get stateSlot(): number | undefined {
    return Number.isFinite(this.decodedSlot) ? this.decodedSlot : undefined;
  }

  /**
   * With `digestState`: a fingerprint of the accounts the decoded pool states were built from (every
   * decoded pool's accounts, by address and content), as of the last flush. Two processes hold the
   * same pool states exactly when it is the same; the slot alone does not tell (it is the newest
   * changed account's, and which updates a process had applied when it reached it depends on when
   * it closed each slot: a resync is applied at once, a slot's updates when every live scanner passed it).
   */
  get stateDigest(): string | undefined {
    return this.decodedDigest;
  }

  /** The fingerprint `stateDigest` reports, of the accounts held now. */
  private digestPools(): string {
    const h = createHash('sha1');
    for (const address of [...this.market.pools.keys()].sort()) {
      const pool = this.market.pools.get(address)!;
      if (!pool.state) continue;
      h.update(address);
      for (const dep of [...pool.deps].sort()) {
        const a = this.market.accounts.get(dep);
        h.update(`|${dep}:`);
        if (!a) continue;
        h.update(`${a.owner}:${a.lamports}:`);
        h.update(a.data);
      }
      h.update('\n');
    }
    return h.digest('base64url');
  }

  /** Waits until every update received so far has been processed and published. */
  async idle(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.chain) {
      last = this.chain;
      await last;
    }
  }

  /** Publishes what is pending now instead of waiting for the slot to settle. */
  async settle(): Promise<void> {
    await this.enqueue(() => this.flush());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearSettle();
    await this.source.stop();
    await this.idle();
  }

  private async process(u: AccountUpdate, settle = true): Promise<void> {
    this.stats.received += 1;
    if (this.opts.chainTime) this.updateAt = await this.timeOf(u);
    if (u.via === 'program') {
      const program = this.programs.get(u.programId ?? '');
      const verdict = program ? this.market.discover(u, program) : 'filters';
      if (verdict !== 'kept' && verdict !== 'known') {
        this.stats.filtered += 1;
        return;
      }
    } else if (!this.market.isWatched(u.address) && this.opts.readChain !== false) {
      // (Fed by the bus, an account can arrive before the pool that reads it is decoded: kept, it is
      // there when the pool needs it; the scanner that forwarded it watches it.)
      this.stats.filtered += 1;
      return;
    }
    const first = await this.dedup.firstSeen(u);
    scannerMetrics.dedup(this.mode, !first);
    if (!first) {
      this.stats.duplicates += 1;
      return;
    }
    const firstSeen = this.market.clock.firstSeenAt(u.slot);
    const highest = this.market.clock.highest;
    if (settle && this.pendingSlot !== undefined && u.slot > this.pendingSlot) {
      this.flushes.nextSlotUpdate += 1;
      await this.flush();
    }
    const r = this.market.apply(u);
    this.stats.accepted += 1;
    if (r.changed) this.appliedSlot = Math.max(this.appliedSlot, u.slot);
    const what = this.classify(u);
    if (what) scannerMetrics.event(this.mode, what.venue, what.kind);
    if (firstSeen !== undefined) scannerMetrics.latency(this.mode, Math.max(0, u.receivedAt - firstSeen) / 1000);
    if (highest !== undefined) scannerMetrics.lagSlots(this.mode, Math.max(0, highest - u.slot));
    for (const e of r.errors) this.onError(e);
    if (!r.changed) return;
    if (settle && this.opts.forward && this.ownsAccount(u.address)) await this.opts.forward.account(u, false);
    await this.opts.quotes?.invalidate([u.address]);
    if (r.oracle) await this.publishOracle(r.oracle, u);
    if (this.market.hasDirty) {
      this.pendingSlot = Math.max(this.pendingSlot ?? u.slot, u.slot);
      if (settle) this.armSettle();
    }
  }

  /** Venue and kind of an update, for the events metric (undefined for an account no pool reads yet). */
  private classify(u: AccountUpdate): { venue: string; kind: EventKind } | undefined {
    if (this.market.oracles.has(u.address)) return { venue: 'pyth', kind: 'oracle' };
    const own = this.market.pools.get(u.address);
    if (own) return { venue: own.venue.id, kind: 'pool' };
    const reader = this.market.readersOf(u.address)[0];
    const venue = reader?.venue.id ?? venueForProgram(u.account.owner)?.id;
    if (!venue) return undefined;
    if (!reader) return { venue, kind: 'pool' }; // a pool found by a program subscription, decoded at the next flush
    if (reader.state && reader.venue.vaults(reader.state).includes(u.address)) return { venue, kind: 'vault' };
    const data = u.account.data;
    if (u.account.owner === TOKEN_PROGRAM_ID || u.account.owner === TOKEN_2022_PROGRAM_ID) return { venue, kind: data.length === 82 || (data.length > 165 && data[165] === 1) ? 'mint' : 'token-account' };
    return { venue, kind: venue === 'meteora-dlmm' ? 'bin-array' : 'tick-array' };
  }

  /**
   * The block time of `u`'s slot (ms): forwarded with it, else known, else (slot batching) read from
   * the chain once per slot; otherwise timed from the newest block time read in the background, or the
   * nearest earlier slot's, at `slotMs` per slot (the local clock only before any is known).
   */
  private async timeOf(u: AccountUpdate): Promise<number> {
    let t = u.blockTimeMs ?? this.slotTimes.get(u.slot);
    if (t === undefined && this.opts.readChain !== false) {
      // Slot batching reads every slot's block time first; settle batching (the latency path) only
      // the first one it meets — an anchor, so estimates never start from the local clock of a chain
      // whose time differs — and then reads in the background (on a real chain a processed slot has
      // no block time yet anyway); later slots are timed from the newest block time read.
      if (this.batching === 'slot' || (!this.blockTimeAnchor && this.slotTimes.size === 0)) {
        t = await this.blockTimeOf(u.slot);
        if (t !== undefined && this.batching === 'settle') this.blockTimeAnchor = { slot: u.slot, ms: t };
      } else void this.learnBlockTime(u.slot);
    }
    if (t === undefined) {
      let below: number | undefined;
      for (const s of this.slotTimes.keys()) if (s < u.slot && (below === undefined || s > below)) below = s;
      // A block time read from the chain anchors before the estimates made from earlier ones; never backwards.
      const read = this.blockTimeAnchor && this.blockTimeAnchor.slot <= u.slot ? this.blockTimeAnchor : undefined;
      const anchor = read ?? (below !== undefined ? { slot: below, ms: this.slotTimes.get(below)! } : undefined);
      t = anchor ? anchor.ms + (u.slot - anchor.slot) * this.opts.config.slotMs : (this.updateAt ?? Date.now());
      if (this.updateAt !== undefined && t < this.updateAt) t = this.updateAt;
    }
    if (!this.slotTimes.has(u.slot)) {
      this.slotTimes.set(u.slot, t);
      if (this.slotTimes.size > 1024) this.slotTimes.delete(this.slotTimes.keys().next().value!);
    }
    u.blockTimeMs = t;
    return t;
  }

  /** The chain's block time of `slot` (ms), or undefined when it has none yet (a slot not confirmed). */
  private async blockTimeOf(slot: number): Promise<number | undefined> {
    try {
      const seconds = await getBlockTime(this.connection, slot);
      return seconds === null ? undefined : seconds * 1000;
    } catch {
      return undefined;
    }
  }

  /** Reads `slot`'s block time off the update path (one read in flight); it anchors the estimates of later slots. */
  private async learnBlockTime(slot: number): Promise<void> {
    if (this.learningBlockTime) return;
    this.learningBlockTime = true;
    try {
      const ms = await this.blockTimeOf(slot);
      if (ms !== undefined && (!this.blockTimeAnchor || slot > this.blockTimeAnchor.slot)) this.blockTimeAnchor = { slot, ms };
    } finally {
      this.learningBlockTime = false;
    }
  }

  private armSettle(): void {
    // Slot batching: a slot is published when it closes (the next slot's notice or update), never on a timer.
    if (this.batching === 'slot') return;
    if (this.settleTimer || !this.running) return;
    const fire = () => {
      this.settleTimer = undefined;
      void this.enqueue(async () => {
        if (this.pendingSlot === undefined) return; // closed meanwhile by the next slot
        this.flushes.settled += 1;
        await this.flush();
      });
    };
    // 0: after the messages already read from the socket (one burst) have been processed.
    this.settleTimer = this.settleMs === 0 ? setImmediate(fire) : setTimeout(fire, this.settleMs);
  }

  private clearSettle(): void {
    if (!this.settleTimer) return;
    if (this.settleMs === 0) clearImmediate(this.settleTimer as NodeJS.Immediate);
    else clearTimeout(this.settleTimer as NodeJS.Timeout);
    this.settleTimer = undefined;
  }

  /** Re-decodes the pools touched since the last flush, fetches what they newly need, publishes. */
  private async flush(): Promise<void> {
    this.clearSettle();
    const slot = this.pendingSlot;
    this.pendingSlot = undefined;
    if (this.opts.chainTime && slot !== undefined && this.slotTimes.has(slot)) this.updateAt = this.slotTimes.get(slot);
    const through = this.appliedSlot;
    let result: FlushResult = this.market.flush();
    this.decodedSlot = through;
    if (this.opts.digestState) this.decodedDigest = this.digestPools();
    const changes = [...result.pools];
    const errors = [...result.errors];
    // Pools that now need accounts not read yet (new tick arrays, vaults): watch, read, rebuild.
    // A planner fed by the bus reads nothing: the scanner that owns the pool reads them and forwards them.
    for (let round = 0; result.missing.length && round < 4 && this.opts.readChain !== false; round++) {
      await this.source.watch(this.watchList());
      try {
        // The batched reader the initializer uses (a few calls in flight, each retried).
        const { updates } = await fetchAccounts(this.connection, result.missing, { commitment: this.opts.config.commitment, batchSize: this.opts.config.polling.batchSize, via: 'initial', now: this.now, known: this.known });
        for (const u of updates) await this.process(u, false);
        result = this.market.flush();
        // Forwarded and watched once the pool has read them: before, no owned pool is known to read them.
        await this.forwardOwned(updates, false);
      } catch (err) {
        if (isSolrulesError(err)) this.onError(err);
        break;
      }
      changes.push(...result.pools);
      errors.push(...result.errors);
    }
    // A share (partition) covers the accounts its pools read, known only once they are decoded: follow it.
    if (this.running && this.opts.partition && this.opts.readChain !== false && changes.length) await this.source.watch(this.watchList());
    for (const e of errors) this.onError(e);
    if (this.opts.publishFacts === false) return;
    if (this.heldChanges) {
      for (const c of changes) this.heldChanges.set(c.pool.address, c);
      if (this.market.entries().length < this.opts.config.pools.length) return;
      changes.splice(0, changes.length, ...this.heldChanges.values());
      this.heldChanges = undefined;
      this.log.info({ pools: changes.length }, 'every configured pool is decoded: publishing the market');
    }
    const mints = new Set<string>();
    const trades: InferredTrade[] = [];
    for (const change of changes) {
      const fact = this.prices.poolFact(change.pool);
      if (fact) await this.publish(marketEventSubject(change.pool.venue.id, 'pool'), { ...fact, causes: change.causes, receivedAt: new Date(this.now()).toISOString() });
      trades.push(...this.volume.observe(change, slot ?? change.state.slot ?? 0));
      mints.add(change.state.mintA);
      mints.add(change.state.mintB);
    }
    await this.publishTrades(trades);
    await this.publishPrices(mints);
  }

  private async publishOracle(o: OracleChange, u: AccountUpdate): Promise<void> {
    if (this.opts.publishFacts === false || this.heldChanges) return;
    const p = o.price;
    await this.publish(marketEventSubject('pyth', 'price'), {
      address: o.address,
      mint: o.mint,
      price: p.price.toString(),
      conf: p.conf.toString(),
      exponent: p.exponent,
      status: p.status,
      publishSlot: Number(p.slot),
      slot: u.slot,
      timestamp: Number(p.timestamp),
    });
    await this.publishPrice(o.mint);
  }

  private async publishTrades(trades: InferredTrade[]): Promise<void> {
    if (this.opts.publishFacts === false) return;
    const mints = new Set<string>();
    for (const t of trades) {
      await this.publish(marketEventSubject(t.venue, 'trade'), { ...t, amountIn: t.amountIn.toString(), amountOut: t.amountOut.toString(), inferred: true });
      mints.add(t.inputMint);
      mints.add(t.outputMint);
    }
    for (const mint of mints) if (this.prices.tokens.has(mint)) await this.publish(volumeSubject(mint), this.volume.fact(mint));
  }

  private async publishPrice(mint: string): Promise<void> {
    const p = this.prices.priceOf(mint);
    if (!p) return;
    // A superset of the engine's PriceEvent: the price fact, its time, the spread and every venue's quote.
    // The tick id (and bus msgId) makes the tick idempotent: redelivered, it is processed once.
    const time = new Date(this.now()).toISOString();
    // Content, not a counter: the same update delivered again has the same id, a new price a new one.
    const id = `${p.price.source ?? 'scanner'}:${mint}:${time}:${p.price.slot ?? ''}:${p.price.usd}`;
    const pool = this.deepestPoolFact(mint);
    const volume = this.prices.tokens.has(mint) ? this.volume.fact(mint) : undefined;
    await this.publish(pricesSubject(mint), { ...p.price, id, time, spread: p.spread ?? null, venues: p.venues, ...(pool ? { pool } : {}), ...(volume ? { volume } : {}) }, id);
  }

  /** The `pool` fact rules read beside a mint's price: the deepest decoded pool trading it (most USD locked). */
  private deepestPoolFact(mint: string): PoolFact | undefined {
    let best: PoolFact | undefined;
    for (const record of this.market.pools.values()) {
      if (!record.state || (record.state.mintA !== mint && record.state.mintB !== mint)) continue;
      const fact = this.prices.poolFact(record);
      if (fact && (!best || fact.liquidityUsd > best.liquidityUsd)) best = fact;
    }
    return best;
  }

  private async publish(subject: string, data: unknown, msgId?: string): Promise<void> {
    try {
      await this.opts.bus.publish(subject, data, msgId ? { msgId } : {});
      this.stats.published += 1;
    } catch (err) {
      this.onError(isSolrulesError(err) ? err : new SolrulesError('SCAN_PUBLISH_FAILED', `publishing to ${subject} failed: ${(err as Error)?.message}`, { subject }, { cause: err }));
    }
  }
}

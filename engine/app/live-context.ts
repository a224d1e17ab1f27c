/**
 * The chain context of a `--live` engine: the RPC pool, the worker wallets, the route source —
 * buys and sells on the best venue (Venue.swapInstruction), round trips as two legs in one
 * transaction (flash-loan wrapped when the route asks and a provider lends the input), both built on pool state read from the chain at send time — behind the send
 * guard, the submission journal, the confirmation monitor and quote accuracy. A blockhash cache
 * refreshed in the background serves the guard and the builders; the pool states come from the
 * scanners when current (ChainSource.freshStatesFor), else from a read.
 */
import { Connection, PublicKey } from '@solana/web3.js';
import { isSolrulesError } from '../errors/index.ts';
import type { MarketReadiness, ReserveSpec } from '../market/index.ts';
import { decodeKaminoReserve, KaminoFlashLoan, BlockhashCache, ConfirmationMonitor, MemorySubmissionJournal, TipAdvisor, type TipFloorSource, OrderRouteSource, QuoteAccuracy, RoundTripSource, RpcPool, SendGuard, VenueSource, type ExecutionWallets, type FlashLoanProvider, type LiveContext, type PoolStateProvider, type SubmissionJournal } from '../executors/index.ts';
import { WorkerPool, type HoldSource, type WalletSigner } from '../wallets/index.ts';
import type { Order } from '../orders/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';

export interface LiveContextOptions {
  rpcUrl: string;
  workers: WalletSigner[];
  /** Pool states current at the call (ChainSource.freshStatesFor). */
  pools: PoolStateProvider;
  /** The guard's tolerance for an order (the rules' maxQuoteShortfallBps). */
  maxShortfallBps: (order: Order) => number;
  /** Default: in memory (a restart then cannot tell what was sent: use the store's journal for long runs). */
  journal?: SubmissionJournal;
  /** Jito's tip floor (the sandbox's block engine, a fixture, or the real REST endpoint): enables the `tip` fact. */
  tipFloor?: TipFloorSource;
  /** Wallets on hold (the wallet manager's ledger): never handed a send. */
  holds?: HoldSource;
  /** Expected wallet balances follow every send (the wallet manager's execution hooks). */
  wallets?: ExecutionWallets;
  log?: Logger;
  /** Flash-loan providers round trips may borrow their input from (one per mint; e.g. a Kamino reserve). None: a route asking for a flash loan is refused. */
  flashLoans?: readonly FlashLoanProvider[];
}

export type EngineLiveContext = LiveContext & { guard: SendGuard; accuracy: QuoteAccuracy; monitor: ConfirmationMonitor; roundTrips: RoundTripSource; tips?: TipAdvisor };

/** Builds the chain context a --live engine sends with. */
export function buildLiveContext(opts: LiveContextOptions): EngineLiveContext {
  const rpc = new RpcPool([opts.rpcUrl]);
  const monitor = new ConfirmationMonitor(rpc, { initialIntervalMs: 50, maxIntervalMs: 400 });
  // Each send's state must reflect our own last landed transaction (the scanners may not have it yet).
  const pools: PoolStateProvider = { statesFor: (a, b) => opts.pools.statesFor(a, b, { landedSlot: monitor.landedSlot }) };
  const roundTrips = new RoundTripSource(pools, opts.flashLoans ?? []);
  const blockhashes = new BlockhashCache(rpc);
  const guard = new SendGuard({ inner: new OrderRouteSource(new VenueSource(pools), roundTrips), rpcUrl: opts.rpcUrl, maxShortfallBps: opts.maxShortfallBps, blockhashes });
  return {
    rpc,
    workers: new WorkerPool(opts.workers, rpc, opts.holds),
    ...(opts.wallets ? { wallets: opts.wallets } : {}),
    source: guard,
    guard,
    roundTrips,
    journal: opts.journal ?? new MemorySubmissionJournal(),
    monitor,
    blockhashes,
    accuracy: new QuoteAccuracy(),
    ...(opts.tipFloor ? { tips: new TipAdvisor(opts.tipFloor) } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  };
}

/** The guard tolerance strategies.yaml sets (routing or risk params `maxQuoteShortfallBps`); 0 when unset: no shortfall is accepted. */
export function maxQuoteShortfallBps(params: Readonly<Record<string, unknown>>): number {
  for (const section of ['routing', 'risk']) {
    const v = (params[section] as Record<string, unknown> | undefined)?.maxQuoteShortfallBps;
    if (typeof v === 'number' && v >= 0) return v;
  }
  return 0;
}

/**
 * Flash-loan providers for a --live run from the reserves of scanner.yaml that the market-data
 * initializer found ready: each is read again and decoded as the executors build with it, with
 * its lookup table (when configured) read from the chain. A reserve that is not ready, or whose
 * lookup table cannot be read, lends nothing and is named in `refused` (the run says so).
 */
export async function flashLoansFromReserves(readiness: Pick<MarketReadiness, 'reserves'>, specs: readonly ReserveSpec[], rpcUrl: string): Promise<{ providers: KaminoFlashLoan[]; refused: { address: string; mint: string; why: string }[] }> {
  const providers: KaminoFlashLoan[] = [];
  const refused: { address: string; mint: string; why: string }[] = [];
  const connection = new Connection(rpcUrl, { commitment: 'confirmed' });
  const rpc = new RpcPool([rpcUrl]);
  for (const spec of specs) {
    const r = readiness.reserves.find((x) => x.address === spec.address);
    if (!r?.ready) {
      refused.push({ address: spec.address, mint: spec.mint, why: r ? `not ready: ${r.detail ?? r.code}` : 'not read by the initializer' });
      continue;
    }
    try {
      const account = await connection.getAccountInfo(new PublicKey(spec.address), 'confirmed');
      if (!account) throw new Error('the account is gone');
      const table = spec.lookupTable ? await rpc.getAddressLookupTable(spec.lookupTable) : undefined;
      if (spec.lookupTable && !table) throw new Error(`lookup table ${spec.lookupTable} not found`);
      providers.push(new KaminoFlashLoan(decodeKaminoReserve(spec.address, account.data), { lookupTables: table ? [table] : [] }));
    } catch (err) {
      refused.push({ address: spec.address, mint: spec.mint, why: isSolrulesError(err) ? `${err.message} [${err.code}]` : (err as Error).message });
    }
  }
  return { providers, refused };
}

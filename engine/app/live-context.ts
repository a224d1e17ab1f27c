/**
 * The chain context of a `--live` engine: the RPC pool, the worker wallets, the route source —
 * buys and sells on the best venue (Venue.swapInstruction), round trips as two legs in one
 * transaction, both built on pool state read from the chain at send time — behind the send
 * guard, the submission journal, the confirmation monitor and quote accuracy.
 */
import { ConfirmationMonitor, MemorySubmissionJournal, type ExecutionWallets, OrderRouteSource, QuoteAccuracy, RoundTripSource, RpcPool, SendGuard, VenueSource, type LiveContext, type PoolStateProvider, type SubmissionJournal } from '../executors/index.ts';
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
  /** Wallets on hold (the wallet manager's ledger): never handed a send. */
  holds?: HoldSource;
  /** Expected wallet balances follow every send (the wallet manager's execution hooks). */
  wallets?: ExecutionWallets;
  log?: Logger;
}

export type EngineLiveContext = LiveContext & { guard: SendGuard; accuracy: QuoteAccuracy; monitor: ConfirmationMonitor };

/** Builds the chain context a --live engine sends with. */
export function buildLiveContext(opts: LiveContextOptions): EngineLiveContext {
  const rpc = new RpcPool([opts.rpcUrl]);
  const guard = new SendGuard({ inner: new OrderRouteSource(new VenueSource(opts.pools), new RoundTripSource(opts.pools)), rpcUrl: opts.rpcUrl, maxShortfallBps: opts.maxShortfallBps });
  return {
    rpc,
    workers: new WorkerPool(opts.workers, rpc, opts.holds),
    ...(opts.wallets ? { wallets: opts.wallets } : {}),
    source: guard,
    guard,
    journal: opts.journal ?? new MemorySubmissionJournal(),
    monitor: new ConfirmationMonitor(rpc, { initialIntervalMs: 50, maxIntervalMs: 400 }),
    accuracy: new QuoteAccuracy(),
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

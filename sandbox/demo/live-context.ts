/**
 * The engine's side of a live run on the sandbox market: seeded worker wallets (keys from the
 * environment object, never printed) funded with SOL, wrapped SOL and USDC by sandbox setup
 * writes, and the chain context a `--live` engine sends with — RPC pool, worker pool, the guarded
 * venue route source (Venue.swapInstruction on the scanners' pool state), journal, confirmation
 * monitor and quote accuracy. Sandbox only: seeded keys are public knowledge.
 */
import { ConfirmationMonitor, MemorySubmissionJournal, OrderRouteSource, RoundTripSource, QuoteAccuracy, RpcPool, SendGuard, VenueSource, type LiveContext, type PoolStateProvider } from '../../engine/executors/index.ts';
import { Keystore, WorkerPool, type WalletSigner } from '../../engine/wallets/index.ts';
import type { WalletsConfig } from '../../engine/config/index.ts';
import type { Order } from '../../engine/orders/index.ts';
import type { Logger } from '../../engine/infra/telemetry/index.ts';
import { seededKeypair, type Market } from '../market/market.ts';
import { fundTokenAccount } from '../market/tokens.ts';

export interface EngineWallets {
  keystore: Keystore;
  workers: WalletSigner[];
  /** What each worker was funded with: lamports (SOL for fees and native input), wrapped SOL and USDC atoms. */
  funded: { lamports: bigint; wsol: bigint; usdc: bigint };
}

/** Seeded worker wallets for the engine, funded on the sandbox chain. */
export function engineWallets(market: Market, opts: { workers?: number; lamports?: bigint; wsol?: bigint; usdc?: bigint } = {}): EngineWallets {
  const n = opts.workers ?? 2;
  const env: Record<string, string> = {};
  const cfg: WalletsConfig = { version: 1, wallets: [] };
  for (let i = 1; i <= n; i++) {
    const kp = seededKeypair(market.seed, `engine-worker-${i}`);
    env[`SOLRULES_SANDBOX_WORKER_${i}`] = JSON.stringify(Array.from(kp.secretKey));
    cfg.wallets.push({ name: `worker-${i}`, tier: 'worker', key: { env: `SOLRULES_SANDBOX_WORKER_${i}` }, minBalanceSol: 0.05 });
  }
  const keystore = Keystore.load(cfg, { baseDir: process.cwd(), env });
  const workers = keystore.byTier('worker');
  const funded = { lamports: opts.lamports ?? 100_000_000_000n, wsol: opts.wsol ?? 50_000_000_000n, usdc: opts.usdc ?? 10_000_000_000n };
  for (const w of workers) {
    market.chain.setAccount(w.publicKey, { lamports: funded.lamports });
    fundTokenAccount(market.chain, market.mints.sol, w.publicKey, funded.wsol);
    fundTokenAccount(market.chain, market.mints.usdc, w.publicKey, funded.usdc);
  }
  return { keystore, workers, funded };
}

/** The chain context of a --live engine on the sandbox: routes are built from `pools` and guarded before every send. */
export function sandboxLiveContext(rpcUrl: string, workers: WalletSigner[], pools: PoolStateProvider, maxShortfallBps: (order: Order) => number, log?: Logger): LiveContext & { guard: SendGuard; accuracy: QuoteAccuracy } {
  const rpc = new RpcPool([rpcUrl]);
  const guard = new SendGuard({ inner: new OrderRouteSource(new VenueSource(pools), new RoundTripSource(pools)), rpcUrl, maxShortfallBps });
  const accuracy = new QuoteAccuracy();
  return {
    rpc,
    workers: new WorkerPool(workers, rpc),
    source: guard,
    guard,
    journal: new MemorySubmissionJournal(),
    monitor: new ConfirmationMonitor(rpc, { initialIntervalMs: 50, maxIntervalMs: 400 }),
    accuracy,
    ...(log ? { log } : {}),
  };
}

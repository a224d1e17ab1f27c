/**
 * The engine's wallets for a live run on the sandbox market: seeded worker wallets (keys passed
 * through the keystore from an environment object, never printed) funded with SOL, wrapped SOL
 * and USDC by sandbox setup writes. Sandbox only: keys from a seed are public knowledge.
 */
import { Keystore, type WalletSigner } from '../../engine/wallets/index.ts';
import type { WalletsConfig } from '../../engine/config/index.ts';
import { seededKeypair, type Market } from '../market/market.ts';
import { fundTokenAccount } from '../market/tokens.ts';

export interface EngineWallets {
  keystore: Keystore;
  /** The wallets.yaml these wallets amount to (a treasure, the workers; wSOL and USDC as mints) and the environment holding their keys. */
  config: WalletsConfig;
  env: Record<string, string>;
  workers: WalletSigner[];
  /** What each worker was funded with: lamports (fees, tips), wrapped SOL and USDC atoms. */
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
  // A treasure, so the wallet manager (balance scanner, rebalancer) can run over these wallets.
  const treasure = seededKeypair(market.seed, 'engine-treasure');
  env.SOLRULES_SANDBOX_TREASURE = JSON.stringify(Array.from(treasure.secretKey));
  cfg.wallets.unshift({ name: 'treasure', tier: 'treasure', key: { env: 'SOLRULES_SANDBOX_TREASURE' } });
  cfg.mints = { wsol: market.mints.sol, usdc: market.mints.usdc };
  market.chain.setAccount(treasure.publicKey, { lamports: 10_000_000_000n });
  // A controller the wallet rules top workers up from, holding two workers' worth of SOL.
  const controller = seededKeypair(market.seed, 'engine-controller-1');
  env.SOLRULES_SANDBOX_CONTROLLER_1 = JSON.stringify(Array.from(controller.secretKey));
  cfg.wallets.splice(1, 0, { name: 'controller-1', tier: 'controller', key: { env: 'SOLRULES_SANDBOX_CONTROLLER_1' } });
  const keystore = Keystore.load(cfg, { baseDir: process.cwd(), env });
  const workers = keystore.byTier('worker');
  const funded = { lamports: opts.lamports ?? 100_000_000_000n, wsol: opts.wsol ?? 50_000_000_000n, usdc: opts.usdc ?? 10_000_000_000n };
  cfg.targets = { worker: { lamports: funded.lamports.toString() } }; // what a top-up restores a worker to
  market.chain.setAccount(controller.publicKey, { lamports: 2n * funded.lamports + 10_000_000_000n });
  for (const w of workers) {
    market.chain.setAccount(w.publicKey, { lamports: funded.lamports });
    fundTokenAccount(market.chain, market.mints.sol, w.publicKey, funded.wsol);
    fundTokenAccount(market.chain, market.mints.usdc, w.publicKey, funded.usdc);
  }
  return { keystore, config: cfg, env, workers, funded };
}

/** The wallets.yaml model: tiers, key *references* and funding targets (engine/config parses and checks the file). */

export type WalletTier = 'treasure' | 'controller' | 'proxy' | 'worker';

/** Where a key comes from: a key file, an environment variable, or a command that prints it (argv, no shell). */
export type WalletKeySource = { file: string } | { env: string } | { keyCommand: string[]; timeoutMs?: number };

/** Funding targets as exact atoms strings: `lamports` for SOL, `tokens` by mint name (wallets.yaml `mints:`). */
export interface WalletTarget {
  lamports?: string;
  tokens?: Record<string, string>;
}

export interface WalletConfig {
  name: string;
  tier: WalletTier;
  address?: string;
  key: WalletKeySource;
  minBalanceSol?: number;
  targetBalanceSol?: number;
  /** Cap for wallet rules: above it, a sweep to the treasure. */
  maxBalanceSol?: number;
  /** Per-wallet funding target; overrides the tier's entry in `targets`. */
  target?: WalletTarget;
  /** What the wallet is kept for (shown by `wallets status`). */
  reservedFor?: string;
}

export interface WalletsConfig {
  version: 1;
  /** Token mints the wallets hold, by a short name used in targets and status. */
  mints?: Record<string, string>;
  /** Funding targets per tier (a wallet's own `target` overrides its tier's). */
  targets?: Partial<Record<WalletTier, WalletTarget>>;
  /** Balance scanner: how often to read balances and how far actual may drift from expected. */
  scanner?: { intervalMs?: number; toleranceLamports?: string; toleranceAtoms?: string };
  wallets: WalletConfig[];
}

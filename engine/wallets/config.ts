/** The wallets.yaml model: tiers and key *references* (engine/config parses and checks the file). */

export type WalletTier = 'treasure' | 'controller' | 'proxy' | 'worker';

export interface WalletConfig {
  name: string;
  tier: WalletTier;
  address?: string;
  key: { file: string } | { env: string };
  minBalanceSol?: number;
  targetBalanceSol?: number;
}

export interface WalletsConfig {
  version: 1;
  wallets: WalletConfig[];
}

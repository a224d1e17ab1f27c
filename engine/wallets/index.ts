/** Wallets: the keystore (key files and env keys, never shown), worker selection and funding from the treasure. */
export { Keystore, WalletSigner, loadWallet, loadKeypairFile, loadKeypairEnv, keypairFromText, keyFilePath, solToLamports } from './keystore.ts';
export { WorkerPool, type WorkerLease, type BalanceSource } from './workers.ts';
export { fundFromTreasure, type FundingChain, type Funding } from './funding.ts';
export type { WalletConfig, WalletsConfig, WalletTier } from './config.ts';

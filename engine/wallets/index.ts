/** Wallets: the keystore (key files, env keys and key commands, never shown), worker selection, funding and sweeps from the treasure, the ledger of expected balances and the balance scanner. */
export { Keystore, WalletSigner, loadWallet, loadKeypairFile, loadKeypairEnv, keypairFromText, keyFilePath, solToLamports } from './keystore.ts';
export { loadKeypairCommand, summariseStderr, DEFAULT_KEY_COMMAND_TIMEOUT_MS } from './keycommand.ts';
export { WorkerPool, type WorkerLease, type BalanceSource, type HoldSource } from './workers.ts';
export { fundFromTreasure, type FundingChain, type Funding } from './funding.ts';
export { getAccounts, readMints, ataOf, tokenAmount, transactionBalances, MAX_ACCOUNTS_PER_CALL, type JsonRpc, type MintInfo, type RawAccount } from './chain.ts';
export { WalletLedger, SOL, type JournalEntry, type Hold, type Asset } from './ledger.ts';
export { managedWallets, readHoldings, fundingPlan, sweepPlan, checkTreasureCovers, LAMPORTS_PER_SIGNATURE, type ManagedWallet, type Holding, type Plan, type PlanStep, type Shortfall } from './plan.ts';
export { executePlan, resolvePending, baselineUnknown, type TransferResult } from './transfers.ts';
export { initKeyFiles, type InitResult } from './init.ts';
export { walletStatus, formatStatus, formatAtoms, type StatusRow } from './status.ts';
export { BalanceScanner, type ScannerOptions, type Discrepancy, type ScanReport } from './scanner.ts';
export { WalletManager, type WalletManagerOptions } from './manager.ts';
export { rebalancePlans, walletRuleFact, type RebalanceDecision } from './rebalance.ts';
export type { WalletConfig, WalletKeySource, WalletsConfig, WalletTarget, WalletTier } from './config.ts';
export { looksLikeKeyMaterial, findKeyMaterial, redactKeyMaterial, textHoldsKeyMaterial } from './secrets.ts';

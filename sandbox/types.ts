/** The sandbox ledger's data types: accounts, transaction records and execution outcomes. */
import type { PublicKey, VersionedTransaction } from '@solana/web3.js';
import type { TxErrorJson } from './txerror.ts';

/** An account as stored on the sandbox chain. Lamports and rentEpoch are exact u64s. */
export interface AccountState {
  lamports: bigint;
  data: Uint8Array;
  owner: string;
  executable: boolean;
  rentEpoch: bigint;
}

/** What `setAccount` writes; omitted fields take defaults (system-owned, empty, rent-exempt). */
export interface AccountWrite {
  lamports?: bigint | null;
  data?: Uint8Array;
  owner?: string | PublicKey;
  executable?: boolean;
  rentEpoch?: bigint | null;
}

export interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  amount: bigint;
  decimals: number;
}

export interface InnerInstructionSet {
  index: number;
  instructions: { programIdIndex: number; accounts: number[]; data: Uint8Array; stackHeight: number }[];
}

/** One landed transaction with everything getTransaction reports. */
export interface TxRecord {
  signature: string;
  slot: number;
  blockTime: number;
  bytes: Uint8Array;
  tx: VersionedTransaction;
  /** Static keys, then lookup-table writable, then lookup-table readonly (RPC account index order). */
  accountKeys: string[];
  loadedAddresses: { writable: string[]; readonly: string[] };
  err: TxErrorJson | null;
  fee: bigint;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  logs: string[];
  innerInstructions: InnerInstructionSet[];
  computeUnitsConsumed: bigint;
  returnData: { programId: string; data: Uint8Array } | null;
  computeUnitPrice: bigint;
  bundleId?: string;
}

/** A parsed transaction with its lookup tables resolved against current state. */
export interface ParsedTx {
  bytes: Uint8Array;
  tx: VersionedTransaction;
  signature: string;
  accountKeys: string[];
  loadedAddresses: { writable: string[]; readonly: string[] };
  writable: boolean[];
}

/** Result of running one transaction (not yet recorded). */
export interface RunResult {
  parsed: ParsedTx;
  /** Landed: succeeded, or failed after the fee was charged. */
  landed: boolean;
  err: TxErrorJson | null;
  logs: string[];
  record?: Omit<TxRecord, 'slot' | 'blockTime'>;
  postAccounts: Map<string, AccountState | null>;
  unitsConsumed: bigint;
  returnData: { programId: string; data: Uint8Array } | null;
  innerInstructions: InnerInstructionSet[];
}

export type SubmitOutcome =
  | { kind: 'landed'; record: TxRecord }
  | { kind: 'rejected'; err: TxErrorJson; logs: string[]; unitsConsumed: bigint };

export type AtomicOutcome =
  | { kind: 'landed'; records: TxRecord[] }
  | { kind: 'failed'; index: number; signature: string; err: TxErrorJson; logs: string[] }
  | { kind: 'refused'; reason: string };

export interface SimulateOptions {
  sigVerify?: boolean;
  replaceRecentBlockhash?: boolean;
  /**
   * The accounts whose post-simulation state the caller reads (`postAccounts` holds only
   * these; default: every account the transaction wrote). A swap touches tick / bin arrays of
   * kilobytes each: copying them all out of LiteSVM for one token account read is waste.
   */
  postAccountsOf?: readonly string[];
}

export interface SimulateResult {
  err: TxErrorJson | null;
  logs: string[];
  unitsConsumed: bigint;
  returnData: { programId: string; data: Uint8Array } | null;
  innerInstructions: InnerInstructionSet[];
  postAccounts: Map<string, AccountState | null>;
  replacementBlockhash?: { blockhash: string; lastValidBlockHeight: number };
  accountKeys: string[];
}

export interface AccountChange {
  address: string;
  account: AccountState | null;
  slot: number;
}

export interface ChainOptions {
  startSlot?: number;
  startBlockHeight?: number;
  /** Nominal slot length for block times (ms). */
  slotMs?: number;
  /** Unix ms of the start slot's block time (default: now). Pin it for a repeatable clock. */
  genesisUnixMs?: number;
  commitmentLagSlots?: { confirmed?: number; finalized?: number };
}

export type Commitment = 'processed' | 'confirmed' | 'finalized';

/**
 * Timestamps on the sandbox's wire, for latency benchmarks (bench/live.ts): when an account
 * notification is handed to a WebSocket (and written to it), and when a request reaches the RPC or block-engine
 * endpoint (before its body is read). `at` is `performance.now()` in the sandbox's process.
 */
export interface WireTap {
  notified?(e: { address: string; slot: number; at: number }): void;
  /** After the same notification's `send` on the socket: `bufferedBytes` > 0 when it did not all reach the kernel at once (queued behind a slow reader). */
  written?(e: { address: string; slot: number; at: number; bufferedBytes: number }): void;
  received?(e: { endpoint: 'rpc' | 'bundles' | 'transactions'; method: string; params: unknown[]; at: number }): void;
}

/** One sample of Jito's tip floor (`GET /api/v1/bundles/tip_floor`): landed tips' percentiles, in SOL. */
export interface TipFloorSample {
  time: string;
  landed_tips_25th_percentile: number;
  landed_tips_50th_percentile: number;
  landed_tips_75th_percentile: number;
  landed_tips_95th_percentile: number;
  landed_tips_99th_percentile: number;
  ema_landed_tips_50th_percentile: number;
}

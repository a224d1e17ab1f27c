/** What the executors read back from the chain (JSON-RPC answers): shared by the RPC pool that fetches them and the confirmation and reconciliation that read them. */

/** A signature's status as `getSignatureStatuses` answers it. */
export interface SignatureStatus {
  slot: number;
  confirmations: number | null;
  err: unknown;
  confirmationStatus?: 'processed' | 'confirmed' | 'finalized';
}

export interface TransactionWithMeta {
  slot: number;
  blockTime: number | null;
  meta: {
    err: unknown;
    fee: number;
    preBalances: number[];
    postBalances: number[];
    preTokenBalances?: TokenBalanceJson[];
    postTokenBalances?: TokenBalanceJson[];
    logMessages?: string[] | null;
    computeUnitsConsumed?: number;
    loadedAddresses?: { writable: string[]; readonly: string[] };
  } | null;
  transaction: { signatures: string[]; message: { accountKeys: string[]; recentBlockhash: string } };
}

export interface TokenBalanceJson {
  accountIndex: number;
  mint: string;
  owner?: string;
  programId?: string;
  uiTokenAmount: { amount: string; decimals: number };
}

/** The reads a live executor makes after sending (the RPC pool provides them). */
export interface ChainReader {
  getTransaction(signature: string): Promise<TransactionWithMeta | null>;
  getSignatureStatuses(signatures: string[]): Promise<(SignatureStatus | null)[]>;
}

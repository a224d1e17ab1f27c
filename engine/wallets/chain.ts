/**
 * What wallet management reads from and sends to a chain, over plain JSON-RPC (the execution
 * RpcPool's `call` provides it): balances of many accounts in batches of at most 100
 * (`getMultipleAccounts`), mint layouts, transaction metas, and signed sends.
 */
import { PublicKey, type VersionedTransaction } from '@solana/web3.js';
import { SolrulesError } from '../errors/index.ts';

/** The one thing wallet management needs from a connection: a JSON-RPC call. */
export interface JsonRpc {
  call<T>(method: string, params?: unknown[]): Promise<T>;
}

/** getMultipleAccounts answers at most 100 accounts a call (agave's limit). */
export const MAX_ACCOUNTS_PER_CALL = 100;

export interface RawAccount {
  lamports: bigint;
  owner: string;
  data: Buffer;
}

/** Reads accounts in batches of at most 100, in order; a missing account is null. Returns the calls made too. */
export async function getAccounts(rpc: JsonRpc, addresses: readonly string[], commitment: 'confirmed' | 'finalized' | 'processed' = 'confirmed'): Promise<{ accounts: (RawAccount | null)[]; calls: number; slot: number }> {
  const accounts: (RawAccount | null)[] = [];
  let calls = 0;
  let slot = 0;
  for (let i = 0; i < addresses.length; i += MAX_ACCOUNTS_PER_CALL) {
    const batch = addresses.slice(i, i + MAX_ACCOUNTS_PER_CALL);
    const res = await rpc.call<{ context: { slot: number }; value: ({ lamports: number; owner: string; data: [string, string] } | null)[] }>('getMultipleAccounts', [batch, { encoding: 'base64', commitment }]);
    calls += 1;
    slot = Math.max(slot, res.context.slot);
    for (const a of res.value) accounts.push(a ? { lamports: BigInt(a.lamports), owner: a.owner, data: Buffer.from(a.data[0], 'base64') } : null);
  }
  return { accounts, calls, slot };
}

export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP7VEvPSG8Me5ARDhsWVHuVsz2TmWBTA';

/** The amount of an SPL Token / Token-2022 account (u64 at offset 64). */
export function tokenAmount(acc: RawAccount | null): bigint {
  if (!acc) return 0n;
  if (acc.data.length < 72) throw new SolrulesError('WALLET_NOT_TOKEN_ACCOUNT', `account owned by ${acc.owner} is ${acc.data.length} bytes, not a token account`, { owner: acc.owner, length: acc.data.length });
  return acc.data.readBigUInt64LE(64);
}

export interface MintInfo {
  name: string;
  address: string;
  decimals: number;
  /** SPL Token or Token-2022: the mint account's owner. */
  program: string;
}

/** Reads the configured mints (decimals, token program); a missing or non-mint account is an error naming it. */
export async function readMints(rpc: JsonRpc, mints: Record<string, string>): Promise<MintInfo[]> {
  const entries = Object.entries(mints);
  const { accounts } = await getAccounts(rpc, entries.map(([, a]) => a));
  return entries.map(([name, address], i) => {
    const acc = accounts[i];
    if (!acc) throw new SolrulesError('WALLET_MINT_MISSING', `mint '${name}' (${address}) does not exist on this chain`, { field: `mints.${name}`, value: address });
    if (acc.owner !== TOKEN_PROGRAM && acc.owner !== TOKEN_2022_PROGRAM) throw new SolrulesError('WALLET_MINT_INVALID', `mint '${name}' (${address}) is owned by ${acc.owner}, not a token program`, { field: `mints.${name}`, value: address, owner: acc.owner });
    return { name, address, decimals: acc.data[44]!, program: acc.owner };
  });
}

const ASSOCIATED_TOKEN_PROGRAM = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');

/**
 * The associated token account of `owner` for `mint` (any owner, on or off the curve): the PDA of
 * [owner, token program, mint] under the associated token program, as spl-token derives it —
 * derived here so that every run importing wallets does not load spl-token (~10 MB resident).
 */
export function ataOf(owner: string, mint: MintInfo): string {
  return PublicKey.findProgramAddressSync([new PublicKey(owner).toBuffer(), new PublicKey(mint.program).toBuffer(), new PublicKey(mint.address).toBuffer()], ASSOCIATED_TOKEN_PROGRAM)[0].toBase58();
}

/** A transaction's balance changes as getTransaction reports them. */
export interface TransactionBalances {
  fee: bigint;
  /** Lamport change per account address. */
  lamports: Map<string, bigint>;
  /** Token change per (owner, mint) — `${owner}:${mint}`. */
  tokens: Map<string, bigint>;
}

interface TokenBalanceJson {
  accountIndex: number;
  mint: string;
  owner?: string;
  uiTokenAmount: { amount: string };
}

interface TxJson {
  meta: {
    err: unknown;
    fee: number;
    preBalances: number[];
    postBalances: number[];
    preTokenBalances?: TokenBalanceJson[];
    postTokenBalances?: TokenBalanceJson[];
    loadedAddresses?: { writable: string[]; readonly: string[] };
  } | null;
  transaction: { message: { accountKeys: string[] } };
}

/** The exact balance changes of a confirmed transaction, from its meta (null when not found). */
export async function transactionBalances(rpc: JsonRpc, signature: string): Promise<TransactionBalances | null> {
  const tx = await rpc.call<TxJson | null>('getTransaction', [signature, { encoding: 'json', commitment: 'confirmed', maxSupportedTransactionVersion: 0 }]);
  if (!tx || !tx.meta) return null;
  const m = tx.meta;
  const keys = [...tx.transaction.message.accountKeys, ...(m.loadedAddresses?.writable ?? []), ...(m.loadedAddresses?.readonly ?? [])];
  const lamports = new Map<string, bigint>();
  keys.forEach((k, i) => {
    const d = BigInt(m.postBalances[i] ?? 0) - BigInt(m.preBalances[i] ?? 0);
    if (d !== 0n) lamports.set(k, (lamports.get(k) ?? 0n) + d);
  });
  const tokens = new Map<string, bigint>();
  const add = (list: TokenBalanceJson[] | undefined, sign: bigint) => {
    for (const b of list ?? []) {
      const key = `${b.owner ?? keys[b.accountIndex]}:${b.mint}`;
      tokens.set(key, (tokens.get(key) ?? 0n) + sign * BigInt(b.uiTokenAmount.amount));
    }
  };
  add(m.postTokenBalances, 1n);
  add(m.preTokenBalances, -1n);
  for (const [k, v] of tokens) if (v === 0n) tokens.delete(k);
  return { fee: BigInt(m.fee), lamports, tokens };
}

/** Sends a signed transaction without waiting (its signature is known before sending). */
export async function sendSigned(rpc: JsonRpc, tx: VersionedTransaction): Promise<string> {
  return rpc.call<string>('sendTransaction', [Buffer.from(tx.serialize()).toString('base64'), { encoding: 'base64', preflightCommitment: 'confirmed' }]);
}

/** Waits until each signature is confirmed or failed, or its blockhash expired; resolves per signature. */
export async function awaitSignatures(rpc: JsonRpc, signatures: readonly string[], lastValidBlockHeight: number, pollMs = 100): Promise<Map<string, { ok: true } | { ok: false; error: string }>> {
  const out = new Map<string, { ok: true } | { ok: false; error: string }>();
  for (;;) {
    const open = signatures.filter((s) => !out.has(s));
    if (open.length === 0) return out;
    const res = await rpc.call<{ value: ({ err: unknown; confirmationStatus?: string } | null)[] }>('getSignatureStatuses', [open, { searchTransactionHistory: true }]);
    res.value.forEach((st, i) => {
      if (!st) return;
      if (st.err) out.set(open[i]!, { ok: false, error: JSON.stringify(st.err) });
      else if (st.confirmationStatus && st.confirmationStatus !== 'processed') out.set(open[i]!, { ok: true });
    });
    if (out.size === signatures.length) return out;
    const height = await rpc.call<number>('getBlockHeight', [{ commitment: 'confirmed' }]);
    if (height > lastValidBlockHeight) {
      for (const s of signatures) if (!out.has(s)) out.set(s, { ok: false, error: `blockhash expired (block height ${height} > ${lastValidBlockHeight}) before it landed` });
      return out;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

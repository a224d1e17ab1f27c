/** Shared parts of the instruction builders (venue swaps, flash loans): the request, account metas, token accounts, little-endian encoders. */
import { PublicKey, type AccountMeta } from '@solana/web3.js';
import { programAddress } from './pda.ts';
import { SolrulesError } from '../../errors/index.ts';

export const TOKEN_PROGRAM = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const TOKEN_2022_PROGRAM = new PublicKey('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
export const MEMO_PROGRAM = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

/** One swap leg to build. */
export interface SwapRequest {
  /** The wallet that signs and owns the token accounts. */
  owner: PublicKey;
  inputMint: string;
  /** Exact input (exactIn) or exact output atoms. */
  amount: bigint;
  /** Minimum output (exactIn) or maximum input (exact out), atoms. */
  otherAmountThreshold: bigint;
  /** Default true. */
  exactIn?: boolean;
  /** Token accounts; default the owner's associated token accounts under each mint's token program. */
  userInputAccount?: PublicKey;
  userOutputAccount?: PublicKey;
}

/** An instruction account: the key (or its base58 address), writable or not, signer or not. */
export function accountMeta(pubkey: PublicKey | string, isWritable: boolean, isSigner = false): AccountMeta {
  return { pubkey: typeof pubkey === 'string' ? new PublicKey(pubkey) : pubkey, isSigner, isWritable };
}

export function u64(v: bigint, field: string): Buffer {
  if (v < 0n || v >= 1n << 64n) throw new SolrulesError('EXEC_BAD_AMOUNT', `${field} must fit in u64; got ${v}`, { field, value: v.toString() });
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
}

export function u128(v: bigint, field: string): Buffer {
  if (v < 0n || v >= 1n << 128n) throw new SolrulesError('EXEC_BAD_AMOUNT', `${field} must fit in u128; got ${v}`, { field, value: v.toString() });
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(v & ((1n << 64n) - 1n), 0);
  b.writeBigUInt64LE(v >> 64n, 8);
  return b;
}

export function bool(v: boolean): Buffer {
  return Buffer.from([v ? 1 : 0]);
}

const ASSOCIATED_TOKEN_PROGRAM = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL';

/** The owner's associated token account (memoized: a swap builder asks for the same two on every swap). */
export function ata(mint: string, owner: PublicKey, tokenProgram: PublicKey): PublicKey {
  const ownerKey = owner.toBase58();
  const program = tokenProgram.toBase58();
  return new PublicKey(programAddress(ASSOCIATED_TOKEN_PROGRAM, `ata:${ownerKey}:${program}:${mint}`, () => [owner.toBytes(), tokenProgram.toBytes(), new PublicKey(mint).toBytes()]));
}

export function tokenProgramOf(programId: string | undefined): PublicKey {
  return programId === TOKEN_2022_PROGRAM.toBase58() ? TOKEN_2022_PROGRAM : TOKEN_PROGRAM;
}

export function requireMint(poolMints: readonly string[], inputMint: string, venue: string, pool: string): void {
  if (!poolMints.includes(inputMint)) {
    throw new SolrulesError('EXEC_MINT_NOT_IN_POOL', `${venue} pool ${pool} trades ${poolMints.join(' / ')}; the swap's input mint ${inputMint} is neither`, { venue, pool, field: 'inputMint', value: inputMint });
  }
}

/** The quote's accounts that are among `known` (tick or bin arrays), in the order the quote lists them. */
export function arraysFromQuote(quoteAccounts: readonly string[], known: Iterable<{ address: string }>): string[] {
  const set = new Set([...known].map((k) => k.address));
  return quoteAccounts.filter((a, i) => set.has(a) && quoteAccounts.indexOf(a) === i);
}

/**
 * Reconciliation: what a landed transaction actually did to a wallet, read from getTransaction
 * meta — lamports before and after (fee included), token balances before and after per mint —
 * set beside what the route expected. Everything in exact atoms.
 */
import { NATIVE_MINT } from '../../venues/index.ts';
import { SolrulesError } from '../../errors/index.ts';
import type { TransactionWithMeta } from '../chain.ts';

export interface WalletDelta {
  /** Change of the wallet's own lamports (fee and tip included). */
  lamports: bigint;
  /** Change of the wallet's token balances, by mint (every token account it owns in the transaction). */
  tokens: Map<string, bigint>;
  /** Fee the transaction paid (charged to the fee payer). */
  feeLamports: bigint;
  feePayer: string;
  computeUnits: number | undefined;
  slot: number;
  logs: string[];
}

/** The wallet's balance changes in one landed transaction. */
export function walletDelta(tx: TransactionWithMeta, wallet: string): WalletDelta {
  if (!tx.meta) throw new SolrulesError('EXEC_NO_META', `transaction ${tx.transaction.signatures[0]} has no meta; cannot reconcile`, { signature: tx.transaction.signatures[0] });
  const keys = [...tx.transaction.message.accountKeys, ...(tx.meta.loadedAddresses?.writable ?? []), ...(tx.meta.loadedAddresses?.readonly ?? [])];
  const i = keys.indexOf(wallet);
  const lamports = i < 0 ? 0n : BigInt(tx.meta.postBalances[i]!) - BigInt(tx.meta.preBalances[i]!);
  const tokens = new Map<string, bigint>();
  const add = (mint: string, d: bigint) => tokens.set(mint, (tokens.get(mint) ?? 0n) + d);
  for (const b of tx.meta.preTokenBalances ?? []) if (b.owner === wallet) add(b.mint, -BigInt(b.uiTokenAmount.amount));
  for (const b of tx.meta.postTokenBalances ?? []) if (b.owner === wallet) add(b.mint, BigInt(b.uiTokenAmount.amount));
  return {
    lamports,
    tokens,
    feeLamports: BigInt(tx.meta.fee),
    feePayer: keys[0]!,
    computeUnits: tx.meta.computeUnitsConsumed,
    slot: tx.slot,
    logs: tx.meta.logMessages ?? [],
  };
}

export interface Expected {
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  /** Profit the route expected, lamports (round trips). */
  profitLamports?: bigint;
}

export interface Realized {
  amountIn: bigint;
  amountOut: bigint;
  /** Transaction fees paid by the wallet plus tips, lamports. */
  networkFeeLamports: bigint;
  tipLamports: bigint;
  /** For SOL-denominated round trips: what the wallet gained net of fees and tips. */
  profitLamports: bigint;
  computeUnits: number;
  slot: number;
  /**
   * The wallet's changes in mints other than the order's input and output (wrapped SOL and SOL as
   * one): nothing when it lands as quoted; a round trip that lands on a moved pool leaves the
   * difference between its first leg's output and its second leg's input here.
   */
  otherTokens: Map<string, bigint>;
}

/**
 * Sums the wallet's changes over the transactions of one execution (a bundle's, or one) and
 * reads the order's input and output from them. For SOL legs the wallet's lamport change is
 * taken net of fees and tips (they are reported apart), and wrapped SOL counts as SOL.
 */
export function realize(deltas: readonly WalletDelta[], wallet: string, expected: Expected, tipLamports: bigint): Realized {
  let lamports = 0n;
  let fees = 0n;
  let units = 0;
  const tokens = new Map<string, bigint>();
  for (const d of deltas) {
    lamports += d.lamports;
    if (d.feePayer === wallet) fees += d.feeLamports;
    units += d.computeUnits ?? 0;
    for (const [m, v] of d.tokens) tokens.set(m, (tokens.get(m) ?? 0n) + v);
  }
  const solTrade = lamports + fees + tipLamports + (tokens.get(NATIVE_MINT) ?? 0n);
  const change = (mint: string) => (mint === NATIVE_MINT ? solTrade : tokens.get(mint) ?? 0n);
  const same = expected.inputMint === expected.outputMint;
  const inChange = change(expected.inputMint);
  // A round trip (same mint in and out) shows only its net: gross legs are the expected ones.
  const amountIn = same ? expected.amountIn : -inChange;
  const amountOut = same ? expected.amountIn + inChange : change(expected.outputMint);
  const profitLamports = expected.outputMint === NATIVE_MINT && expected.inputMint === NATIVE_MINT ? solTrade - fees - tipLamports : lamports;
  const otherTokens = new Map<string, bigint>();
  for (const mint of new Set([...tokens.keys(), NATIVE_MINT])) {
    if (mint === expected.inputMint || mint === expected.outputMint) continue;
    const d = change(mint);
    if (d !== 0n) otherTokens.set(mint, d);
  }
  return { amountIn, amountOut, networkFeeLamports: fees + tipLamports, tipLamports, profitLamports, computeUnits: units, slot: Math.max(...deltas.map((d) => d.slot)), otherTokens };
}

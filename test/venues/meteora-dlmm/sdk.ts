/**
 * The official Meteora DLMM SDK (`@meteora-ag/dlmm`, devDependency) as a test oracle: its IDL coder
 * decodes the same account bytes, and `DLMM#swapQuote` / `#swapQuoteExactOut` quote them. The DLMM
 * object is assembled offline (no RPC); the SDK reads the clock from `Date.now()`, pinned per call.
 */
import { Connection, PublicKey } from '@solana/web3.js';
import { unpackMint } from '@solana/spl-token';
import BN from 'bn.js';
import { createRequire } from 'node:module';
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';

// The SDK's ESM build imports named exports from a CommonJS dependency, which Node rejects; load its CJS build.
// Its CommonJS `module.exports` is the DLMM class itself, with the helpers attached.
const sdk = createRequire(import.meta.url)('@meteora-ag/dlmm') as typeof import('@meteora-ag/dlmm') & { default?: unknown };
const DLMM = (sdk.default ?? sdk) as { prototype: object };
const { createProgram, decodeAccount } = sdk;

/** The two quote methods of an SDK `DLMM` object (BN in, BN fields out). */
interface SdkDlmm {
  swapQuote(inAmount: BN, swapForY: boolean, slippage: BN, binArrays: unknown, isPartialFill: boolean): { consumedInAmount: BN; outAmount: BN; fee: BN; protocolFee: BN };
  swapQuoteExactOut(outAmount: BN, swapForY: boolean, slippage: BN, binArrays: unknown): { inAmount: BN; outAmount: BN; fee: BN; protocolFee: BN };
}
const program = createProgram(new Connection('http://127.0.0.1:9'));

export interface SdkPair {
  dlmm: SdkDlmm;
  binArrays: { publicKey: PublicKey; account: unknown }[];
}

/** Decodes a pair and its accounts with the SDK's own coder and builds a DLMM object around them. */
export function sdkPair(address: string, pair: Uint8Array, binArrays: { address: string; data: Uint8Array }[], mintX: AccountSnapshot, mintY: AccountSnapshot, extension?: { address: string; data: Uint8Array }, epoch = 0): SdkPair {
  const lbPair = decodeAccount(program, 'lbPair', Buffer.from(pair)) as { tokenXMint: PublicKey; tokenYMint: PublicKey };
  const dlmm = Object.create(DLMM.prototype) as SdkDlmm;
  const mint = (m: AccountSnapshot, key: PublicKey) =>
    unpackMint(key, { data: Buffer.from(m.data), owner: new PublicKey(m.owner), lamports: 1, executable: false, rentEpoch: 0 }, new PublicKey(m.owner));
  Object.assign(dlmm, {
    pubkey: new PublicKey(address),
    program,
    lbPair,
    binArrayBitmapExtension: extension ? { publicKey: new PublicKey(extension.address), account: decodeAccount(program, 'binArrayBitmapExtension', Buffer.from(extension.data)) } : null,
    tokenX: { publicKey: lbPair.tokenXMint, mint: mint(mintX, lbPair.tokenXMint), owner: new PublicKey(mintX.owner) },
    tokenY: { publicKey: lbPair.tokenYMint, mint: mint(mintY, lbPair.tokenYMint), owner: new PublicKey(mintY.owner) },
    clock: { epoch: new BN(epoch), slot: new BN(0), unixTimestamp: new BN(0) },
  });
  return {
    dlmm,
    binArrays: binArrays.map((b) => ({ publicKey: new PublicKey(b.address), account: decodeAccount(program, 'binArray', Buffer.from(b.data)) })),
  };
}

function atTime<T>(unixTimestamp: number, fn: () => T): T {
  const realNow = Date.now;
  Date.now = () => unixTimestamp * 1000;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

export interface SdkQuote {
  amountIn: bigint;
  amountOut: bigint;
  /** The SDK's `fee`: the trading fee minus its protocol part. */
  userFee: bigint;
  protocolFee: bigint;
}

const big = (x: { toString(): string }) => BigInt(x.toString());

export function sdkQuoteExactIn(p: SdkPair, amountIn: bigint, swapForY: boolean, unixTimestamp: number): SdkQuote {
  const q = atTime(unixTimestamp, () => p.dlmm.swapQuote(new BN(amountIn.toString()), swapForY, new BN(0), p.binArrays, false));
  return { amountIn: big(q.consumedInAmount), amountOut: big(q.outAmount), userFee: big(q.fee), protocolFee: big(q.protocolFee) };
}

export function sdkQuoteExactOut(p: SdkPair, amountOut: bigint, swapForY: boolean, unixTimestamp: number): SdkQuote {
  const q = atTime(unixTimestamp, () => p.dlmm.swapQuoteExactOut(new BN(amountOut.toString()), swapForY, new BN(0), p.binArrays));
  return { amountIn: big(q.inAmount), amountOut: big(q.outAmount), userFee: big(q.fee), protocolFee: big(q.protocolFee) };
}

/** The bin arrays the SDK's exact-in quote names for the swap (`binArraysPubkey`), in its order. */
export function sdkBinArraysExactIn(p: SdkPair, amountIn: bigint, swapForY: boolean, unixTimestamp: number): string[] {
  const q = atTime(unixTimestamp, () => p.dlmm.swapQuote(new BN(amountIn.toString()), swapForY, new BN(0), p.binArrays, false)) as unknown as { binArraysPubkey: PublicKey[] };
  return q.binArraysPubkey.map((k) => k.toBase58());
}

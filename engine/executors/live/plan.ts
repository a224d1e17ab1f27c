/**
 * What a live executor sends for an order: a swap plan from a route source (our venue
 * instruction builders, Jupiter's swap-instructions, or — on the sandbox, which has no DEX
 * programs — an exchange made of instructions it can run), and the tip policy the routing
 * rule chose.
 */
import type { AddressLookupTableAccount, PublicKey, TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import type { Order, Route } from '../../orders/index.ts';
import type { Expected } from '../confirm/reconcile.ts';
import type { FlashLoanProvider, FlashLoanRequest } from '../flash/provider.ts';
import type { TxSigner } from '../tx/builder.ts';

export interface SwapPlan {
  /** Venue id (orca-whirlpool, raydium-amm-v4, jupiter, sandbox-exchange, ...), for quote accuracy. */
  venue: string;
  /** One line for logs and reports. */
  description: string;
  instructions: TransactionInstruction[];
  /** Signers besides the worker wallet (none on mainnet routes). */
  signers?: TxSigner[];
  lookupTables?: AddressLookupTableAccount[];
  flashLoan?: { provider: FlashLoanProvider; request: FlashLoanRequest };
  expected: Expected;
  /** The send guard's simulation of these instructions (set when it passed): the builder sizes the compute limit from it. */
  simulation?: { unitsConsumed: number };
}

/** Turns an order into a swap plan for a wallet. */
export interface RouteSource {
  readonly name: string;
  plan(order: Order, wallet: PublicKey): Promise<SwapPlan>;
}

export interface TipPolicy {
  /** Share of the expected profit tipped, basis points. */
  shareBps: number;
  floorLamports: bigint;
  capLamports: bigint;
  /**
   * A tip the rules chose (route param `tipLamports`, e.g. the `tip` fact's recommendation from
   * the competition's tip floor): then the share of profit is a ceiling, not the tip.
   */
  dynamicLamports?: bigint;
}

/** Jito's minimum tip. */
export const MIN_JITO_TIP_LAMPORTS = 1000n;

export const DEFAULT_TIP_POLICY: TipPolicy = { shareBps: 5000, floorLamports: 10_000n, capLamports: 10_000_000n };

function lamportsParam(v: unknown, field: string, fallback: bigint): bigint {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  throw new SolrulesError('EXEC_BAD_TIP_POLICY', `route param ${field} must be a whole number of lamports; got ${JSON.stringify(v)}`, { field, value: v });
}

/** The tip policy a routing rule's event params carry (tipShareBps, tipFloorLamports, tipCapLamports). */
export function tipPolicyOf(route: Route, fallback: TipPolicy = DEFAULT_TIP_POLICY): TipPolicy {
  const p = route.params;
  const share = p.tipShareBps ?? fallback.shareBps;
  if (typeof share !== 'number' || !(share >= 0 && share <= 10_000)) {
    throw new SolrulesError('EXEC_BAD_TIP_POLICY', `route param tipShareBps must be 0..10000; got ${JSON.stringify(share)}`, { field: 'tipShareBps', value: share, rule: route.ruleId });
  }
  const floor = lamportsParam(p.tipFloorLamports, 'tipFloorLamports', fallback.floorLamports);
  const cap = lamportsParam(p.tipCapLamports, 'tipCapLamports', fallback.capLamports);
  if (cap < floor) throw new SolrulesError('EXEC_BAD_TIP_POLICY', `route ${route.ruleId}: tipCapLamports ${cap} is below tipFloorLamports ${floor}`, { field: 'tipCapLamports', value: cap.toString(), rule: route.ruleId });
  const dynamic = p.tipLamports === undefined || p.tipLamports === null ? undefined : lamportsParam(p.tipLamports, 'tipLamports', 0n);
  return { shareBps: share, floorLamports: floor, capLamports: cap, ...(dynamic !== undefined ? { dynamicLamports: dynamic } : {}) };
}

/**
 * Tip for an expected profit: share of it — or, when the rules chose a tip (`dynamicLamports`),
 * that tip, at most the share of a positive expected profit — then at least the floor (and Jito's
 * minimum), at most the cap.
 */
export function tipLamports(expectedProfitLamports: bigint, policy: TipPolicy): bigint {
  const share = expectedProfitLamports > 0n ? (expectedProfitLamports * BigInt(Math.round(policy.shareBps))) / 10_000n : 0n;
  let tip = share;
  if (policy.dynamicLamports !== undefined) tip = expectedProfitLamports > 0n && policy.dynamicLamports > share ? share : policy.dynamicLamports;
  if (tip < policy.floorLamports) tip = policy.floorLamports;
  if (tip > policy.capLamports) tip = policy.capLamports;
  return tip < MIN_JITO_TIP_LAMPORTS ? MIN_JITO_TIP_LAMPORTS : tip;
}

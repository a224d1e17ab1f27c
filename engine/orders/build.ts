/**
 * Turns a fired `order` event into orders: resolves mints from the side, computes the
 * notional, the limit price and minimum output from the reference price and slippage, splits
 * large orders into chunks (exact atom sums), and derives the deterministic ids.
 */
import { SolrulesError } from '../errors/index.ts';
import { canonicalJson, sha256Hex, type FactSnapshot, type FiredEvent } from '../rules/index.ts';
import { orderId, type Order, type OrderExplanation, type Side, type Urgency } from './order.ts';

export interface TokenInfo {
  symbol: string;
  mint: string;
  decimals: number;
}

export interface OrderContext {
  strategy: string;
  ruleFile: string;
  ruleSetHash: string;
  base: TokenInfo;
  quote: TokenInfo;
  /** USD price of a mint at decision time (facts), undefined when unknown. */
  priceUsd: (mint: string) => number | undefined;
  /** Decision time (the replayed time in a backtest). */
  now: Date;
  facts: FactSnapshot;
  explanation: OrderExplanation;
}

const DEFAULT_TTL_HOURS = 12;
const DEFAULT_SLIPPAGE_BPS = 100;
const PRICE_SCALE = 1_000_000_000_000n; // prices enter integer math with 12 decimals

/** sha256 of the canonical JSON of a fact snapshot. */
export function factsDigest(facts: FactSnapshot): string {
  return sha256Hex(canonicalJson(facts));
}

function bad(field: string, value: unknown, expected: string, ctx: OrderContext, ruleId: string): never {
  throw new SolrulesError('ORDER_INVALID_PARAM', `rule '${ruleId}' (${ctx.ruleFile}): order param '${field}' must be ${expected}; got ${JSON.stringify(value)}`, {
    rule: ruleId,
    file: ctx.ruleFile,
    field,
    value,
  });
}

function toAtoms(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

function scaled(price: number): bigint {
  return BigInt(Math.round(price * 1e12));
}

/** Value in USD of `amount` atoms of a token priced at `priceUsd`. */
export function atomsToUsd(amount: bigint, decimals: number, priceUsd: number): number {
  return (Number(amount) / 10 ** decimals) * priceUsd;
}

/** Atoms of `to` equal in value to `amount` atoms of `from` at the given USD prices (floor). */
export function convertAtoms(amount: bigint, from: TokenInfo, fromUsd: number, to: TokenInfo, toUsd: number): bigint {
  const num = amount * scaled(fromUsd) * pow10(to.decimals);
  const den = scaled(toUsd) * pow10(from.decimals);
  return den === 0n ? 0n : num / den;
}

/** 10^n as a bigint, computed once per n (a bigint power per conversion, twice per order and fill, otherwise). */
const POW10: bigint[] = [];
function pow10(n: number): bigint {
  return (POW10[n] ??= 10n ** BigInt(n));
}

/** Params the order holds as fields of its own, not in `params`. */
const ORDER_FIELDS = new Set(['side', 'amountIn', 'urgency']);

/** The event's remaining params as JSON values (bigints as decimal strings, undefined dropped). */
function jsonParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (ORDER_FIELDS.has(k) || v === undefined || typeof v === 'function') continue;
    out[k] = typeof v === 'bigint' ? v.toString() : v !== null && typeof v === 'object' ? JSON.parse(canonicalJson(v)) : v;
  }
  return out;
}

/** The base or quote token a mint param names (a function, not a closure per order: under tsx each is named at run time). */
function tokenOf(mint: unknown, field: string, ctx: OrderContext, ruleId: string): TokenInfo {
  if (ctx.base.mint === mint) return ctx.base;
  if (ctx.quote.mint === mint) return ctx.quote;
  return bad(field, mint, `the base or quote mint of strategies.yaml (${ctx.base.mint} or ${ctx.quote.mint})`, ctx, ruleId);
}

/** Builds the order (or its chunks) for one fired order event. */
export function buildOrders(event: FiredEvent, ctx: OrderContext): Order[] {
  const p = event.params;
  const side = p.side as Side;
  if (side !== 'buy' && side !== 'sell' && side !== 'roundtrip') bad('side', p.side, "'buy', 'sell' or 'roundtrip'", ctx, event.ruleId);
  const amountIn = toAtoms(p.amountIn);
  if (amountIn === undefined) bad('amountIn', p.amountIn, 'atoms (a decimal string)', ctx, event.ruleId);
  if (amountIn === 0n) bad('amountIn', p.amountIn, 'more than zero atoms', ctx, event.ruleId);
  const urgency = (p.urgency ?? 'normal') as Urgency;
  if (!['low', 'normal', 'high'].includes(urgency)) bad('urgency', p.urgency, "'low', 'normal' or 'high'", ctx, event.ruleId);
  const slippageBps = p.maxSlippageBps === undefined ? DEFAULT_SLIPPAGE_BPS : Number(p.maxSlippageBps);
  if (!Number.isFinite(slippageBps) || slippageBps < 0 || slippageBps >= 10_000) bad('maxSlippageBps', p.maxSlippageBps, 'a number of bps in [0, 10000)', ctx, event.ruleId);
  const ttlHours = p.ttlHours === undefined ? DEFAULT_TTL_HOURS : Number(p.ttlHours);
  if (!(ttlHours > 0)) bad('ttlHours', p.ttlHours, 'a positive number of hours', ctx, event.ruleId);

  // Mints follow the side unless the event names them; amounts are valued with the named mint's decimals.
  const input = p.inputMint !== undefined ? tokenOf(p.inputMint, 'inputMint', ctx, event.ruleId) : side === 'sell' ? ctx.base : ctx.quote;
  const output = p.outputMint !== undefined ? tokenOf(p.outputMint, 'outputMint', ctx, event.ruleId) : side === 'buy' ? ctx.base : side === 'sell' ? ctx.quote : input;
  const inputMint = input.mint;
  const outputMint = output.mint;
  const inUsd = ctx.priceUsd(inputMint);
  const outUsd = ctx.priceUsd(outputMint);
  if (inUsd === undefined) bad('inputMint', inputMint, 'a mint with a known price at decision time', ctx, event.ruleId);
  const notionalUsd = atomsToUsd(amountIn, input.decimals, inUsd);

  const baseUsd = ctx.priceUsd(ctx.base.mint);
  let limitPriceUsd: number | undefined;
  let minAmountOut = 0n;
  if (side !== 'roundtrip' && outUsd !== undefined && baseUsd !== undefined) {
    limitPriceUsd = side === 'buy' ? baseUsd * (1 + slippageBps / 10_000) : baseUsd * (1 - slippageBps / 10_000);
    const expectedOut = convertAtoms(amountIn, input, inUsd, output, outUsd);
    minAmountOut = (expectedOut * BigInt(10_000 - Math.round(slippageBps))) / 10_000n;
  } else if (side === 'roundtrip') {
    minAmountOut = amountIn; // a round trip must at least return what it spent
  }
  const expectedProfitLamports = toAtoms(p.expectedProfitLamports);

  const digest = factsDigest(ctx.facts);
  const idParts = { strategy: ctx.strategy, rule: event.ruleId, ruleSetHash: ctx.ruleSetHash, factsDigest: digest };
  const createdAt = ctx.now.toISOString();
  const expiresAt = new Date(ctx.now.getTime() + ttlHours * 3_600_000).toISOString();
  const base: Omit<Order, 'id' | 'amountIn' | 'minAmountOut' | 'notionalUsd'> = {
    strategy: ctx.strategy,
    rule: event.ruleId,
    ruleFile: ctx.ruleFile,
    ruleSetHash: ctx.ruleSetHash,
    side,
    inputMint,
    outputMint,
    urgency,
    createdAt,
    expiresAt,
    params: jsonParams(p),
    factsDigest: digest,
    explanation: ctx.explanation,
    ...(limitPriceUsd !== undefined ? { limitPriceUsd } : {}),
    ...(expectedProfitLamports !== undefined ? { expectedProfitLamports } : {}),
  };

  const maxChunkUsd = p.maxChunkUsd === undefined ? undefined : Number(p.maxChunkUsd);
  const count = maxChunkUsd && maxChunkUsd > 0 && notionalUsd > maxChunkUsd ? Math.ceil(notionalUsd / maxChunkUsd) : 1;
  if (count === 1) return [{ ...base, id: orderId(idParts), amountIn, minAmountOut, notionalUsd }];
  // Split evenly in atoms; the remainder goes to the first chunk so the sum is exact.
  const n = BigInt(count);
  const out: Order[] = [];
  for (let i = 0; i < count; i++) {
    const share = amountIn / n + (i === 0 ? amountIn % n : 0n);
    const minShare = minAmountOut / n + (i === 0 ? minAmountOut % n : 0n);
    const chunk = { index: i + 1, count };
    out.push({ ...base, id: orderId(idParts, chunk), chunk, amountIn: share, minAmountOut: minShare, notionalUsd: atomsToUsd(share, input.decimals, inUsd) });
  }
  return out;
}

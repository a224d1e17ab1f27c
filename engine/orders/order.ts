/**
 * Orders: what a rule decided, with exact amounts, a deterministic id and the explanation of
 * why. In code amounts are bigint atoms; on the bus and in the store, decimal strings.
 */
import { SolrulesError } from '../errors/index.ts';
import { sha256Hex, type ConditionTrace } from '../rules/index.ts';

export type Side = 'buy' | 'sell' | 'roundtrip';
export type Urgency = 'low' | 'normal' | 'high';

export interface OrderExplanation {
  ruleId: string;
  ruleSetHash: string;
  conditions: ConditionTrace;
}

export interface Order {
  /** `ord_` + 32 hex of sha256(strategy, rule, rule-set hash, facts digest) [+ `-<i>of<n>` for a chunk]. */
  id: string;
  strategy: string;
  rule: string;
  ruleFile: string;
  ruleSetHash: string;
  side: Side;
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  minAmountOut: bigint;
  limitPriceUsd?: number;
  notionalUsd: number;
  expectedProfitLamports?: bigint;
  urgency: Urgency;
  createdAt: string;
  expiresAt: string;
  chunk?: { index: number; count: number };
  /** The rule event's other params (JSON values). */
  params: Record<string, unknown>;
  factsDigest: string;
  explanation: OrderExplanation;
  /**
   * A split run's planner: the newest slot of a changed account its pool states included when it
   * decided. An executor process quotes a paper fill only once its own copy of the pools includes
   * it too, so it fills on the state the decision saw (as a single process does). Not part of the id.
   */
  marketSlot?: number;
  /**
   * With `marketSlot`: the fingerprint of those pool states (`MarketScanner.stateDigest`). The slot
   * alone does not say which updates a process had applied when it reached it; an executor waits for
   * the same fingerprint. Not part of the id.
   */
  marketDigest?: string;
}

/** The JSON form of an order (atoms as decimal strings), as on the bus and in the store. */
export type OrderJson = Omit<Order, 'amountIn' | 'minAmountOut' | 'expectedProfitLamports'> & {
  amountIn: string;
  minAmountOut: string;
  expectedProfitLamports?: string;
};

/** Deterministic order id: the same decision on the same facts always gets the same id. */
export function orderId(parts: { strategy: string; rule: string; ruleSetHash: string; factsDigest: string }, chunk?: { index: number; count: number }): string {
  const h = sha256Hex(`${parts.strategy}\n${parts.rule}\n${parts.ruleSetHash}\n${parts.factsDigest}`);
  return `ord_${h.slice(0, 32)}${chunk ? `-${chunk.index}of${chunk.count}` : ''}`;
}

/** Atoms fields of an order, written as decimal strings in its JSON form. */
const ATOM_FIELDS = new Set(['amountIn', 'minAmountOut', 'expectedProfitLamports']);

/**
 * The order's other fields, in their order. Copied key by key: an object rest (`{ a, ...rest }`)
 * is a slow generic copy in V8 (about 15× this), and orders are converted several times each.
 */
function otherFields(from: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = from as Record<string, unknown>;
  for (const k in src) if (!ATOM_FIELDS.has(k) && Object.hasOwn(src, k)) out[k] = src[k];
  return out;
}

/**
 * Each order's JSON form and each JSON form's order, remembered both ways: an order crosses the
 * bus and the store several times (engine → coordinator → worker → results), and on an
 * in-process bus that shares payloads (a backtest) each hop converted the same object again.
 * Orders and their JSON forms are values once built: nothing changes an order after it is first
 * converted (the engine stamps the market mark and the planner sees the orders before they are
 * published), and nothing changes a JSON form. A form parsed from text (NATS, a copying bus, a
 * SQL store) is a new object: converted afresh, as before.
 */
const jsonOfOrder = new WeakMap<Order, OrderJson>();
const orderOfJson = new WeakMap<OrderJson, Order>();

export function orderToJson(order: Order): OrderJson {
  const known = jsonOfOrder.get(order);
  if (known) return known;
  const json = otherFields(order) as OrderJson;
  json.amountIn = order.amountIn.toString();
  json.minAmountOut = order.minAmountOut.toString();
  if (order.expectedProfitLamports !== undefined) json.expectedProfitLamports = order.expectedProfitLamports.toString();
  jsonOfOrder.set(order, json);
  orderOfJson.set(json, order);
  return json;
}

function atoms(value: unknown, field: string): bigint {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  throw new SolrulesError('ORDER_INVALID', `order field '${field}' must be atoms as a decimal string; got ${JSON.stringify(value)}`, { field, value });
}

/** Parses an order from JSON, checking the atoms fields (use `checkOrderJson` for the full schema). */
export function orderFromJson(json: OrderJson): Order {
  const known = orderOfJson.get(json);
  if (known) return known;
  const order = otherFields(json) as unknown as Order;
  order.amountIn = atoms(json.amountIn, 'amountIn');
  order.minAmountOut = atoms(json.minAmountOut, 'minAmountOut');
  if (json.expectedProfitLamports !== undefined) order.expectedProfitLamports = atoms(json.expectedProfitLamports, 'expectedProfitLamports');
  orderOfJson.set(json, order);
  jsonOfOrder.set(order, json);
  return order;
}

/**
 * Label bounds. Every label of every solrules metric declares how its values are bounded, so the
 * number of series stays small whatever the engine sees: a fixed set (`enumOf`), names that come
 * from the files users edit (`named`: strategy names, rule ids, executor names, wallet names), or
 * one live series at a time (`info`, e.g. the active rule-set hash). Values are checked when a
 * metric is touched: a value outside its bound becomes `other` and is logged once, so an order id,
 * a signature or an address can never become a label value.
 */

export type LabelBound =
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'declared'; readonly values: readonly string[]; readonly source: string; readonly max: number }
  | { readonly kind: 'named'; readonly source: string; readonly max: number }
  | { readonly kind: 'info'; readonly source: string };

/** Value a label falls back to when what it was given is outside its bound. */
export const OTHER = 'other';

/** A label with a fixed set of values (`other` is always allowed). */
export function enumOf(...values: string[]): LabelBound {
  return { kind: 'enum', values: [...values, OTHER] };
}

/**
 * A fixed set plus the values the loaded config declares (`source` says where; the app declares
 * them with declareLabelValues at start and on each reload), at most `max` declared ones.
 */
export function declaredOf(source: string, max: number, ...values: string[]): LabelBound {
  return { kind: 'declared', values: [...values, OTHER], source, max };
}

/** A label whose values are names from config (`source` says which), at most `max` of them. */
export function named(source: string, max: number): LabelBound {
  return { kind: 'named', source, max };
}

/** An info label: one live series, replaced (not added to) when the value changes. */
export function info(source: string): LabelBound {
  return { kind: 'info', source };
}

/** Names: short, printable, no spaces. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/>+-]{0,63}$/;
/** What an order id looks like (engine/orders: `ord_` + 32 hex). */
const ORDER_ID = /ord_[0-9a-f]{16,}/i;
/** A base58 string of the length of a Solana address (32..44) or signature (64..88). */
const BASE58_KEY = /^[1-9A-HJ-NP-Za-km-z]{32,88}$/;
/** Long hex (hashes, ids): only info labels may carry one. */
const LONG_HEX = /^[0-9a-f]{24,}$/i;
/** A URL: endpoint labels carry a configured name or host, never a URL (it may hold an API key). */
const URL_LIKE = /:\/\/|[?&=@]/;

/** Why `value` may not be a value of a label with `bound` (undefined when it may); `declared`: the values the config declared for a `declared` bound. */
export function labelValueProblem(bound: LabelBound, value: string, declared: ReadonlySet<string> = new Set()): string | undefined {
  if (bound.kind === 'enum') return bound.values.includes(value) ? undefined : `not one of ${bound.values.join(', ')}`;
  if (bound.kind === 'declared') return bound.values.includes(value) || declared.has(value) ? undefined : `not one of ${bound.values.join(', ')} nor declared by ${bound.source}`;
  if (value.length === 0) return 'empty';
  if (ORDER_ID.test(value)) return 'looks like an order id';
  if (URL_LIKE.test(value)) return 'looks like a URL';
  if (BASE58_KEY.test(value)) return 'looks like an address or a signature';
  if (bound.kind === 'info') return /^[A-Za-z0-9._+-]{1,64}$/.test(value) ? undefined : 'not a short version or hash';
  if (LONG_HEX.test(value)) return 'looks like a hash or an id';
  if (!NAME.test(value)) return 'not a short name (letters, digits, _ . : / > + -; at most 64)';
  return undefined;
}

/** Label names that must never exist: each would carry one value per order, transaction or account. */
export const FORBIDDEN_LABEL_NAMES: readonly string[] = [
  'order_id',
  'order',
  'id',
  'signature',
  'tx',
  'txid',
  'transaction',
  'bundle_id',
  'trace_id',
  'span_id',
  'address',
  'pubkey',
  'account',
  'mint',
  'pool',
  'slot',
  'url',
  'key',
  'error',
  'message',
];

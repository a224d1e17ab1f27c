/**
 * Pyth v2 (push oracle) price accounts, layout of pyth-client `PriceAccount` (3312 bytes):
 * header (magic, version, type, size), price type, exponent, slots, EMA, the aggregate price and
 * up to 32 publisher components.
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { AccountReader, accountLabel } from '../codec/index.ts';

export const PYTH_MAGIC = 0xa1b2c3d4;
export const PYTH_VERSION_2 = 2;
/** Account type 3 = price account (1 mapping, 2 product, 4 test, 5 permissions). */
export const PYTH_ACCOUNT_TYPE_PRICE = 3;
/** Mainnet Pyth oracle program (v2 push accounts). */
export const PYTH_PROGRAM_ID = 'FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH';
const HEADER_AND_AGGREGATE_LEN = 240;
const COMPONENT_LEN = 96;
const MAX_COMPONENTS = 32;
/** Exponents outside this range are not prices Pyth publishes; refusing them keeps decimals sane. */
const MAX_ABS_EXPONENT = 30;

export type PythPriceStatus = 'unknown' | 'trading' | 'halted' | 'auction' | 'ignored';
const STATUSES: readonly PythPriceStatus[] = ['unknown', 'trading', 'halted', 'auction', 'ignored'];

export interface PythPriceComponent {
  publisher: string;
  aggregate: { price: bigint; conf: bigint; status: PythPriceStatus; pubSlot: bigint };
  latest: { price: bigint; conf: bigint; status: PythPriceStatus; pubSlot: bigint };
}

export interface PythPrice {
  address: string | undefined;
  version: number;
  /** 1 = price (the only type in use). */
  priceType: number;
  /** Price = `price × 10^exponent`. */
  exponent: number;
  numComponents: number;
  numQuoters: number;
  lastSlot: bigint;
  validSlot: bigint;
  emaPrice: bigint;
  emaConf: bigint;
  /** Unix seconds of the last aggregation. */
  timestamp: bigint;
  minPublishers: number;
  product: string;
  next: string | null;
  previousSlot: bigint;
  previousPrice: bigint;
  previousConf: bigint;
  previousTimestamp: bigint;
  /** Aggregate price in units of 10^exponent. */
  price: bigint;
  conf: bigint;
  status: PythPriceStatus;
  corporateAction: number;
  /** Slot the aggregate was published at. */
  slot: bigint;
  components: PythPriceComponent[];
}

function status(r: AccountReader, offset: number, field: string): PythPriceStatus {
  const s = r.u32(offset, field);
  if (s >= STATUSES.length) r.bad(field, offset, s, 'must be 0..4 (unknown, trading, halted, auction, ignored)');
  return STATUSES[s]!;
}

function priceInfo(r: AccountReader, offset: number, field: string): PythPriceComponent['aggregate'] {
  return {
    price: r.i64(offset, `${field}.price`),
    conf: r.u64(offset + 8, `${field}.conf`),
    status: status(r, offset + 16, `${field}.status`),
    pubSlot: r.u64(offset + 24, `${field}.pubSlot`),
  };
}

/** Decodes a Pyth v2 price account; wrong magic / version / type, or short data, raise `DEX_` errors. */
export function decodePythPrice(account: AccountSnapshot): PythPrice {
  const r = new AccountReader(account.data, accountLabel(account), 'PythPrice');
  r.requireLength(HEADER_AND_AGGREGATE_LEN, 'aggregate');
  const magic = r.u32(0, 'magic');
  if (magic !== PYTH_MAGIC) r.bad('magic', 0, `0x${magic.toString(16)}`, `must be 0x${PYTH_MAGIC.toString(16)}`);
  const version = r.u32(4, 'version');
  if (version !== PYTH_VERSION_2) r.bad('version', 4, version, `must be ${PYTH_VERSION_2}`);
  const accountType = r.u32(8, 'accountType');
  if (accountType !== PYTH_ACCOUNT_TYPE_PRICE) r.bad('accountType', 8, accountType, `must be ${PYTH_ACCOUNT_TYPE_PRICE} (price)`);
  const size = r.u32(12, 'size');
  if (size < HEADER_AND_AGGREGATE_LEN || size > r.length) r.bad('size', 12, size, `must be between ${HEADER_AND_AGGREGATE_LEN} and the data length ${r.length}`);
  const exponent = r.i32(20, 'exponent');
  if (Math.abs(exponent) > MAX_ABS_EXPONENT) r.bad('exponent', 20, exponent, `must be within ±${MAX_ABS_EXPONENT}`);
  const numComponents = r.u32(24, 'numComponents');
  if (numComponents > MAX_COMPONENTS) r.bad('numComponents', 24, numComponents, `must be ≤ ${MAX_COMPONENTS}`);
  const available = Math.min(numComponents, Math.floor((size - HEADER_AND_AGGREGATE_LEN) / COMPONENT_LEN));
  const components: PythPriceComponent[] = [];
  for (let i = 0; i < available; i++) {
    const o = HEADER_AND_AGGREGATE_LEN + i * COMPONENT_LEN;
    components.push({
      publisher: r.pubkey(o, `components[${i}].publisher`),
      aggregate: priceInfo(r, o + 32, `components[${i}].aggregate`),
      latest: priceInfo(r, o + 64, `components[${i}].latest`),
    });
  }
  const next = r.bytes(144, 32, 'next').every((b) => b === 0) ? null : r.pubkey(144, 'next');
  const agg = priceInfo(r, 208, 'aggregate');
  return {
    address: account.address,
    version,
    priceType: r.u32(16, 'priceType'),
    exponent,
    numComponents,
    numQuoters: r.u32(28, 'numQuoters'),
    lastSlot: r.u64(32, 'lastSlot'),
    validSlot: r.u64(40, 'validSlot'),
    emaPrice: r.i64(48, 'emaPrice'),
    emaConf: r.i64(72, 'emaConf'),
    timestamp: r.i64(96, 'timestamp'),
    minPublishers: r.u8(104, 'minPublishers'),
    product: r.pubkey(112, 'product'),
    next,
    previousSlot: r.u64(176, 'previousSlot'),
    previousPrice: r.i64(184, 'previousPrice'),
    previousConf: r.u64(192, 'previousConf'),
    previousTimestamp: r.i64(200, 'previousTimestamp'),
    price: agg.price,
    conf: agg.conf,
    status: agg.status,
    corporateAction: r.u32(228, 'aggregate.corporateAction'),
    slot: agg.pubSlot,
    components,
  };
}

/** `value × 10^exponent` as an exact decimal string (e.g. 15933544250, -8 → "159.3354425"). */
export function scaledToDecimal(value: bigint, exponent: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  let out: string;
  if (exponent >= 0) out = digits + '0'.repeat(exponent);
  else {
    const places = -exponent;
    const padded = digits.padStart(places + 1, '0');
    const whole = padded.slice(0, padded.length - places);
    const frac = padded.slice(padded.length - places).replace(/0+$/, '');
    out = frac ? `${whole}.${frac}` : whole;
  }
  return negative && out !== '0' ? `-${out}` : out;
}

/**
 * Bounds-checked little-endian reads from account data. A read past the end raises
 * `DEX_ACCOUNT_TOO_SHORT` naming the account, the layout and the field, never a RangeError.
 */
import bs58 from 'bs58';
import { dexError } from './errors.ts';

export class AccountReader {
  readonly data: Uint8Array;
  readonly view: DataView;
  /** Address (or file) of the account, for error messages. */
  readonly account: string;
  /** Name of the layout being decoded (`Whirlpool`, `AmmInfo` …). */
  readonly layout: string;

  constructor(data: Uint8Array, account: string, layout: string) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.account = account;
    this.layout = layout;
  }

  get length(): number {
    return this.data.length;
  }

  /** Fails unless the data holds at least `length` bytes (`field` names what needed them). */
  requireLength(length: number, field = '<layout>'): void {
    if (this.data.length < length) {
      throw dexError(
        'DEX_ACCOUNT_TOO_SHORT',
        `${this.layout} account ${this.account}: ${this.data.length} bytes, need at least ${length} (field '${field}')`,
        { account: this.account, layout: this.layout, field, expected: length, found: this.data.length },
      );
    }
  }

  /** Fails unless the data holds exactly `length` bytes (layouts the program recognises by size). */
  requireExactLength(length: number): void {
    this.requireLength(length);
    if (this.data.length !== length) this.bad('<layout>', undefined, this.data.length, `must be exactly ${length} bytes long`);
  }

  private check(offset: number, size: number, field: string): void {
    if (offset < 0 || offset + size > this.data.length) {
      throw dexError(
        'DEX_ACCOUNT_TOO_SHORT',
        `${this.layout} account ${this.account}: field '${field}' at offset ${offset} (+${size}) is past the end (${this.data.length} bytes)`,
        { account: this.account, layout: this.layout, field, offset, expected: offset + size, found: this.data.length },
      );
    }
  }

  /** Raises `DEX_ACCOUNT_BAD_VALUE` for this account. */
  bad(field: string, offset: number | undefined, value: unknown, expected: string): never {
    throw dexError(
      'DEX_ACCOUNT_BAD_VALUE',
      `${this.layout} account ${this.account}: field '${field}'${offset === undefined ? '' : ` at offset ${offset}`} ${expected}, found ${String(value)}`,
      { account: this.account, layout: this.layout, field, offset, value, expected },
    );
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.data[offset]!;
  }

  /** A Rust `bool`: exactly 0 or 1. */
  bool(offset: number, field: string): boolean {
    const v = this.u8(offset, field);
    if (v > 1) this.bad(field, offset, v, 'must be a bool (0 or 1)');
    return v === 1;
  }

  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  i32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getInt32(offset, true);
  }

  u64(offset: number, field: string): bigint {
    this.check(offset, 8, field);
    return this.view.getBigUint64(offset, true);
  }

  i64(offset: number, field: string): bigint {
    this.check(offset, 8, field);
    return this.view.getBigInt64(offset, true);
  }

  u128(offset: number, field: string): bigint {
    this.check(offset, 16, field);
    return this.view.getBigUint64(offset, true) | (this.view.getBigUint64(offset + 8, true) << 64n);
  }

  i128(offset: number, field: string): bigint {
    return BigInt.asIntN(128, this.u128(offset, field));
  }

  /** `count` little-endian u64 words from `offset` (bitmaps), named `field[i]`. */
  u64s(offset: number, count: number, field: string): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) out.push(this.u64(offset + i * 8, `${field}[${i}]`));
    return out;
  }

  /** A 32-byte public key as base58. */
  pubkey(offset: number, field: string): string {
    this.check(offset, 32, field);
    return cachedAddress(this.data, offset);
  }

  bytes(offset: number, length: number, field: string): Uint8Array {
    this.check(offset, length, field);
    return this.data.subarray(offset, offset + length);
  }
}

/**
 * Base58 is the costliest part of decoding (~1.3 µs a key) while the same few dozen pool,
 * vault and mint keys recur on every update: remember them, keyed by the raw bytes.
 */
const addressCache = new Map<string, string>();
const ADDRESS_CACHE_LIMIT = 50_000;

function cachedAddress(data: Uint8Array, offset: number): string {
  const key = Buffer.from(data.buffer, data.byteOffset + offset, 32).toString('latin1');
  let address = addressCache.get(key);
  if (address === undefined) {
    if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
    // bs58 builds its answer a character at a time: a 44-character tree of ~43 cons-string nodes
    // (~1.4 KB) that a long-lived cache entry would keep; a flat copy is ~60 bytes.
    address = Buffer.from(bs58.encode(data.subarray(offset, offset + 32)), 'latin1').toString('latin1');
    addressCache.set(key, address);
  }
  return address;
}

/**
 * A test for "the 32 bytes at `offset` of `data` are `address`", compared as bytes (no base58 per
 * account): how a venue picks its pool's tick / bin arrays out of a map of many accounts. Always
 * false for a missing or malformed address.
 */
export function addressMatcher(address: string | undefined): (data: Uint8Array, offset: number) => boolean {
  let key: Uint8Array | undefined;
  try {
    key = address ? bs58.decode(address) : undefined;
  } catch {
    key = undefined;
  }
  if (!key || key.length !== 32) return () => false;
  const bytes = key;
  return (data, offset) => {
    if (offset < 0 || offset + 32 > data.length) return false;
    for (let i = 0; i < 32; i++) if (data[offset + i] !== bytes[i]) return false;
    return true;
  };
}

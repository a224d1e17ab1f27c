/**
 * Bounds-checked little-endian reads from account data. A read past the end raises
 * `DEX_ACCOUNT_TOO_SHORT` naming the account, layout and field, never a RangeError.
 */
import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import { dexError } from './errors.ts';

export class AccountReader {
  readonly data: Uint8Array;
  readonly view: DataView;
  constructor(
    data: Uint8Array,
    readonly account: string,
    readonly layout: string,
  ) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Fails unless the data holds `length` bytes (exactly, when `exact`: how the program tells tick arrays apart). */
  requireSize(length: number, exact = false): void {
    if (this.data.length < length) {
      throw dexError('DEX_ACCOUNT_TOO_SHORT', `${this.layout} account ${this.account}: ${this.data.length} bytes, need ${length}`, {
        account: this.account,
        layout: this.layout,
        field: '<layout>',
        expected: length,
        found: this.data.length,
      });
    }
    if (exact && this.data.length > length) {
      this.bad('<layout>', undefined, this.data.length, `exactly ${length} bytes`);
    }
  }

  /** Fails with `DEX_ACCOUNT_BAD_DISCRIMINATOR` unless the data starts with `disc`. */
  requireDiscriminator(disc: Uint8Array): void {
    if (this.data.length < 8) this.requireSize(8);
    for (let i = 0; i < 8; i++) {
      if (this.data[i] !== disc[i]) {
        const found = Buffer.from(this.data.subarray(0, 8)).toString('hex');
        throw dexError('DEX_ACCOUNT_BAD_DISCRIMINATOR', `account ${this.account}: discriminator ${found} is not a ${this.layout}`, {
          account: this.account,
          layout: this.layout,
          field: 'discriminator',
          offset: 0,
          value: found,
          expected: Buffer.from(disc).toString('hex'),
        });
      }
    }
  }

  /** Raises `DEX_ACCOUNT_BAD_VALUE` for this account. */
  bad(field: string, offset: number | undefined, value: unknown, expected: string): never {
    throw dexError('DEX_ACCOUNT_BAD_VALUE', `${this.layout} account ${this.account}: field '${field}' = ${String(value)}, expected ${expected}`, {
      account: this.account,
      layout: this.layout,
      field,
      offset,
      value,
      expected,
    });
  }

  private check(offset: number, size: number, field: string): void {
    if (offset + size > this.data.length) {
      throw dexError('DEX_ACCOUNT_TOO_SHORT', `${this.layout} account ${this.account}: field '${field}' at offset ${offset} is past the end`, {
        account: this.account,
        layout: this.layout,
        field,
        offset,
        expected: offset + size,
        found: this.data.length,
      });
    }
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.data[offset]!;
  }

  bool(offset: number, field: string): boolean {
    const v = this.u8(offset, field);
    if (v > 1) this.bad(field, offset, v, 'a bool (0 or 1)');
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

  pubkey(offset: number, field: string): string {
    this.check(offset, 32, field);
    return bs58.encode(this.data.subarray(offset, offset + 32));
  }

  /** `count` little-endian u64 words starting at `offset`. */
  u64Words(offset: number, count: number, field: string): bigint[] {
    this.check(offset, count * 8, field);
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) out.push(this.view.getBigUint64(offset + i * 8, true));
    return out;
  }
}

/** First 8 bytes of sha256("account:<name>"). */
export function anchorDiscriminator(name: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`account:${name}`).digest().subarray(0, 8));
}

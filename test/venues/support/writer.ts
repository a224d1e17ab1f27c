/** Little-endian writer for building account data in tests (the inverse of the decoders' reader). */
import { createHash } from 'node:crypto';
import bs58 from 'bs58';

export class Writer {
  /** A Buffer, so SDK layouts that want one can decode it as is. */
  readonly data: Buffer;
  private readonly view: DataView;

  constructor(length: number) {
    this.data = Buffer.alloc(length);
    this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  /** A writer for an Anchor account `name`: its discriminator, sha256("account:<name>")[0..8], written first. */
  static anchor(length: number, name: string): Writer {
    return new Writer(length).bytes(0, createHash('sha256').update(`account:${name}`).digest().subarray(0, 8));
  }

  u8(o: number, v: number): this {
    this.data[o] = v;
    return this;
  }
  u16(o: number, v: number): this {
    this.view.setUint16(o, v, true);
    return this;
  }
  u32(o: number, v: number): this {
    this.view.setUint32(o, v, true);
    return this;
  }
  i32(o: number, v: number): this {
    this.view.setInt32(o, v, true);
    return this;
  }
  u64(o: number, v: bigint): this {
    this.view.setBigUint64(o, BigInt.asUintN(64, v), true);
    return this;
  }
  i64(o: number, v: bigint): this {
    this.view.setBigInt64(o, v, true);
    return this;
  }
  u128(o: number, v: bigint): this {
    const x = BigInt.asUintN(128, v);
    this.view.setBigUint64(o, x & 0xffff_ffff_ffff_ffffn, true);
    this.view.setBigUint64(o + 8, x >> 64n, true);
    return this;
  }
  pubkey(o: number, address: string): this {
    this.data.set(bs58.decode(address), o);
    return this;
  }
  bytes(o: number, b: Uint8Array): this {
    this.data.set(b, o);
    return this;
  }
}

const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';

/** One transfer fee of a Token-2022 TransferFeeConfig: from `epoch`, `bps` capped at `maximumFee`. */
export interface MintTransferFee {
  epoch: bigint;
  bps: number;
  maximumFee: bigint;
}

/**
 * An initialized SPL mint (82 bytes), or with `transferFee` a Token-2022 mint whose only extension
 * is a TransferFeeConfig (older and newer fee), in the token programs' byte layouts.
 */
export function encodeMint(opts: { decimals: number; supply: bigint; transferFee?: { older: MintTransferFee; newer: MintTransferFee } }): { owner: string; data: Buffer } {
  const fee = opts.transferFee;
  const w = new Writer(fee ? 166 + 4 + 108 : 82).u64(36, opts.supply).u8(44, opts.decimals).u8(45, 1);
  if (!fee) return { owner: TOKEN_PROGRAM, data: w.data };
  w.u8(165, 1).u16(166, 1).u16(168, 108); // account type Mint, TLV: TransferFeeConfig, 108 bytes
  for (const [o, f] of [[242, fee.older], [260, fee.newer]] as const) w.u64(o, f.epoch).u64(o + 8, f.maximumFee).u16(o + 16, f.bps);
  return { owner: TOKEN_2022_PROGRAM, data: w.data };
}

/** An initialized SPL token account (165 bytes): `amount` of `mint`, owned by `owner`. */
export function encodeTokenAccount(opts: { mint: string; owner: string; amount: bigint }): Buffer {
  return new Writer(165).pubkey(0, opts.mint).pubkey(32, opts.owner).u64(64, opts.amount).u8(108, 1).data;
}

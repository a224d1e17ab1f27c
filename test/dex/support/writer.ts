/** Little-endian writer for building account data in tests (the inverse of the decoders' reader). */
import bs58 from 'bs58';

export class Writer {
  readonly data: Uint8Array;
  private readonly view: DataView;

  constructor(length: number) {
    this.data = new Uint8Array(length);
    this.view = new DataView(this.data.buffer);
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

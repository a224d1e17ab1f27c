/**
 * Decoding of what a shredstream proxy streams: for each slot, the bincode serialization of
 * `Vec<solana_entry::Entry>` — u64 count, then per entry `num_hashes` (u64), `hash` (32 bytes) and
 * `transactions` (u64 count of `VersionedTransaction`s, each in wire format: short-vec signatures,
 * then a legacy or v0 message with its compact arrays). We read only what the scanner needs: the
 * static account keys and the address-table lookups of each transaction.
 */
import bs58 from 'bs58';
import { SolrulesError } from '../../errors/index.ts';

export interface ShredTransaction {
  signature: string;
  version: 'legacy' | 0;
  accountKeys: string[];
  lookups: { table: string; writableIndexes: number[]; readonlyIndexes: number[] }[];
}

export interface ShredEntry {
  numHashes: bigint;
  hash: string;
  transactions: ShredTransaction[];
}

class Cursor {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  fail(field: string, why: string): never {
    throw new SolrulesError('SCAN_SHRED_DECODE', `shredstream entries: ${field} at byte ${this.offset}: ${why}`, { field, offset: this.offset, length: this.bytes.length });
  }

  need(n: number, field: string): void {
    if (this.offset + n > this.bytes.length) this.fail(field, `needs ${n} bytes, ${this.bytes.length - this.offset} left`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8).getBigUint64(0, true);
    this.offset += 8;
    return v;
  }

  /** A count no larger than what the remaining bytes could hold at `minSize` bytes an item. */
  count(field: string, minSize: number): number {
    const n = this.u64(field);
    if (n > BigInt(Math.floor((this.bytes.length - this.offset) / Math.max(1, minSize)))) this.fail(field, `count ${n} cannot fit in the ${this.bytes.length - this.offset} bytes left`);
    return Number(n);
  }

  /** Solana's compact-u16 ("short vec" length). */
  shortVec(field: string): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = this.u8(field);
      value |= (b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return value;
    }
    this.fail(field, 'compact-u16 longer than 3 bytes');
  }

  bytesOf(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

function transaction(c: Cursor, where: string): ShredTransaction {
  const sigs = c.shortVec(`${where}.signatures`);
  if (sigs === 0) c.fail(`${where}.signatures`, 'a transaction has at least one signature');
  const first = c.bytesOf(64, `${where}.signatures[0]`);
  c.bytesOf(64 * (sigs - 1), `${where}.signatures`);
  const prefix = c.u8(`${where}.message`);
  let version: 'legacy' | 0 = 'legacy';
  if (prefix & 0x80) {
    if ((prefix & 0x7f) !== 0) c.fail(`${where}.message.version`, `unsupported message version ${prefix & 0x7f}`);
    version = 0;
    c.u8(`${where}.message.header.numRequiredSignatures`);
  }
  c.u8(`${where}.message.header.numReadonlySigned`);
  c.u8(`${where}.message.header.numReadonlyUnsigned`);
  const nKeys = c.shortVec(`${where}.message.accountKeys`);
  const accountKeys: string[] = [];
  for (let i = 0; i < nKeys; i++) accountKeys.push(bs58.encode(c.bytesOf(32, `${where}.message.accountKeys[${i}]`)));
  c.bytesOf(32, `${where}.message.recentBlockhash`);
  const nIx = c.shortVec(`${where}.message.instructions`);
  for (let i = 0; i < nIx; i++) {
    const program = c.u8(`${where}.message.instructions[${i}].programIdIndex`);
    if (program >= nKeys) c.fail(`${where}.message.instructions[${i}].programIdIndex`, `index ${program} past ${nKeys} keys`);
    c.bytesOf(c.shortVec(`${where}.message.instructions[${i}].accounts`), `${where}.message.instructions[${i}].accounts`);
    c.bytesOf(c.shortVec(`${where}.message.instructions[${i}].data`), `${where}.message.instructions[${i}].data`);
  }
  const lookups: ShredTransaction['lookups'] = [];
  if (version === 0) {
    const n = c.shortVec(`${where}.message.addressTableLookups`);
    for (let i = 0; i < n; i++) {
      const table = bs58.encode(c.bytesOf(32, `${where}.message.addressTableLookups[${i}].accountKey`));
      const writableIndexes = [...c.bytesOf(c.shortVec(`${where}.lookups[${i}].writable`), `${where}.lookups[${i}].writable`)];
      const readonlyIndexes = [...c.bytesOf(c.shortVec(`${where}.lookups[${i}].readonly`), `${where}.lookups[${i}].readonly`)];
      lookups.push({ table, writableIndexes, readonlyIndexes });
    }
  }
  return { signature: bs58.encode(first), version, accountKeys, lookups };
}

/** Decodes one slot's serialized `Vec<Entry>`; `SCAN_SHRED_DECODE` names the field and offset of bad data. */
export function decodeEntries(bytes: Uint8Array): ShredEntry[] {
  const c = new Cursor(bytes);
  const n = c.count('entries', 48);
  const out: ShredEntry[] = [];
  for (let e = 0; e < n; e++) {
    const numHashes = c.u64(`entries[${e}].numHashes`);
    const hash = bs58.encode(c.bytesOf(32, `entries[${e}].hash`));
    const nTx = c.count(`entries[${e}].transactions`, 64 + 1 + 3 + 1 + 32 + 1);
    const transactions: ShredTransaction[] = [];
    for (let t = 0; t < nTx; t++) transactions.push(transaction(c, `entries[${e}].transactions[${t}]`));
    out.push({ numHashes, hash, transactions });
  }
  if (!c.done) c.fail('entries', `${bytes.length - c.offset} trailing bytes after ${n} entries`);
  return out;
}

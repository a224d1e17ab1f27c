/** Program-derived addresses of a whirlpool's tick arrays and oracle (memoized: derivation costs ~0.1 ms). */
import { PublicKey } from '@solana/web3.js';
import { WHIRLPOOL_PROGRAM_ID } from './layout.ts';

const PROGRAM = new PublicKey(WHIRLPOOL_PROGRAM_ID);
const cache = new Map<string, string>();

function derive(key: string, seeds: Uint8Array[]): string {
  let v = cache.get(key);
  if (v === undefined) {
    v = PublicKey.findProgramAddressSync(seeds, PROGRAM)[0].toBase58();
    if (cache.size > 100_000) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** Address of the tick array starting at `startTickIndex` (seeds: "tick_array", whirlpool, start as decimal text). */
export function tickArrayAddress(whirlpool: string, startTickIndex: number): string {
  return derive(`t:${whirlpool}:${startTickIndex}`, [
    Buffer.from('tick_array'),
    new PublicKey(whirlpool).toBuffer(),
    Buffer.from(String(startTickIndex)),
  ]);
}

/** Address of the whirlpool's Oracle (seeds: "oracle", whirlpool). */
export function oracleAddress(whirlpool: string): string {
  return derive(`o:${whirlpool}`, [Buffer.from('oracle'), new PublicKey(whirlpool).toBuffer()]);
}

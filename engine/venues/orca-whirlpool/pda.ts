/** Program-derived addresses of a whirlpool's tick arrays and oracle (memoized by `programAddress`). */
import { addressSeed, programAddress } from '../codec/index.ts';
import { WHIRLPOOL_PROGRAM_ID } from './layout.ts';

/** Address of the tick array starting at `startTickIndex` (seeds: "tick_array", whirlpool, start as decimal text). */
export function tickArrayAddress(whirlpool: string, startTickIndex: number): string {
  return programAddress(WHIRLPOOL_PROGRAM_ID, `tick_array:${whirlpool}:${startTickIndex}`, () => [
    Buffer.from('tick_array'),
    addressSeed(whirlpool),
    Buffer.from(String(startTickIndex)),
  ]);
}

/** Address of the whirlpool's Oracle (seeds: "oracle", whirlpool). */
export function oracleAddress(whirlpool: string): string {
  return programAddress(WHIRLPOOL_PROGRAM_ID, `oracle:${whirlpool}`, () => [Buffer.from('oracle'), addressSeed(whirlpool)]);
}

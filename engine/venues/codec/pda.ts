/**
 * Program-derived addresses, memoized. Deriving one costs 0.1–0.3 ms (a sha256 and a curve check per
 * bump tried), and venues ask for the same pool's tick-array / bin-array / oracle PDAs on every
 * update of the pool (`requiredAccounts`, `buildState`): derive each once.
 */
import { PublicKey } from '@solana/web3.js';

const programKeys = new Map<string, PublicKey>();
const derived = new Map<string, string>();
const DERIVED_LIMIT = 100_000;

/**
 * The PDA of `seeds()` under `programId`. `key` names the seeds uniquely within the program (e.g.
 * `tick_array:<pool>:<start>`); `seeds` runs only when the address is not remembered yet.
 */
export function programAddress(programId: string, key: string, seeds: () => Uint8Array[]): string {
  const cacheKey = `${programId}:${key}`;
  let address = derived.get(cacheKey);
  if (address === undefined) {
    let program = programKeys.get(programId);
    if (!program) programKeys.set(programId, (program = new PublicKey(programId)));
    address = PublicKey.findProgramAddressSync(seeds(), program)[0].toBase58();
    if (derived.size >= DERIVED_LIMIT) derived.clear();
    derived.set(cacheKey, address);
  }
  return address;
}

/** The 32 bytes of a base58 address, as a PDA seed (throws on a malformed address). */
export function addressSeed(address: string): Uint8Array {
  return new PublicKey(address).toBytes();
}

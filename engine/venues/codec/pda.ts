/**
 * Program-derived addresses, memoized. Venues ask for the same pool's tick-array / bin-array /
 * oracle PDAs on every update of the pool (`requiredAccounts`, `buildState`): derive each once.
 *
 * A derivation is findProgramAddressSync's (bumps 255 down, sha256 of seeds · bump · program ·
 * "ProgramDerivedAddress", the first hash off the curve), with the curve check done by the Legendre
 * symbol of (y² − 1)(d·y² + 1) (a binary Jacobi algorithm, ~30 µs) where web3.js decompresses the
 * point (a 252-bit exponentiation, ~150 µs): a thousand pools' bin arrays and extensions at start
 * cost a fifth of the time. Same verdict on every input (test/venues/codec/pda.test.ts).
 */
import { createHash } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';

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
    address = findProgramAddress(seeds(), program.toBytes());
    if (derived.size >= DERIVED_LIMIT) derived.clear();
    derived.set(cacheKey, address);
  }
  return address;
}

const PDA_MARKER = Buffer.from('ProgramDerivedAddress');
const MAX_SEED_LENGTH = 32;

/** `PublicKey.findProgramAddressSync(seeds, program)[0]` as base58. */
function findProgramAddress(seeds: readonly Uint8Array[], program: Uint8Array): string {
  for (const seed of seeds) if (seed.length > MAX_SEED_LENGTH) throw new TypeError('Max seed length exceeded');
  const bump = new Uint8Array(1);
  for (let nonce = 255; nonce > 0; nonce--) {
    bump[0] = nonce;
    const h = createHash('sha256');
    for (const seed of seeds) h.update(seed);
    const hash = h.update(bump).update(program).update(PDA_MARKER).digest();
    if (!isOnCurve(hash)) return bs58.encode(hash);
  }
  throw new Error('Unable to find a viable program address nonce');
}

const P = (1n << 255n) - 19n;
/** Edwards d of ed25519: −121665/121666 mod p. */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

/**
 * Whether 32 bytes decode as an ed25519 point, as web3.js's `PublicKey.isOnCurve` decides it
 * (@noble/curves `fromHex`, RFC 8032): y (the low 255 bits) below p, x² = (y² − 1)/(d·y² + 1) a
 * square mod p, and not x = 0 with the sign bit set. u/v is a square exactly when u·v is.
 */
export function isOnCurve(bytes: Uint8Array): boolean {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? bytes[i]! & 0x7f : bytes[i]!);
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  if (u === 0n) return (bytes[31]! & 0x80) === 0; // x = 0: only with the sign bit clear
  const v = (D * y2 + 1n) % P;
  return legendre((u * v) % P) === 1;
}

/** The Legendre symbol (a / p) by the binary Jacobi algorithm: 1, −1, or 0 when p divides a. */
function legendre(a: bigint): number {
  let n = P;
  let t = 1;
  a %= n;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) t = -t;
    }
    const swap = a;
    a = n;
    n = swap;
    if ((a & 3n) === 3n && (n & 3n) === 3n) t = -t;
    a %= n;
  }
  return n === 1n ? t : 0;
}

/** The 32 bytes of a base58 address, as a PDA seed (throws on a malformed address). */
export function addressSeed(address: string): Uint8Array {
  return new PublicKey(address).toBytes();
}

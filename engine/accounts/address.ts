/** Solana addresses as text. */
import bs58 from 'bs58';

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

/** True for a base58 string that decodes to exactly 32 bytes (a public key or program id). */
export function isAddress(value: unknown): value is string {
  if (typeof value !== 'string' || !BASE58.test(value)) return false;
  try {
    return bs58.decode(value).length === 32;
  } catch {
    return false;
  }
}

/**
 * Key material, recognised wherever a user might paste it: a Solana secret key (64 bytes) or
 * its 32-byte seed as base58, hex, base64 / base64url, or a JSON array of bytes. Used to refuse
 * it in the files users edit and to keep it out of every diagnostic and log line.
 */
/** A path into a YAML document: map keys and sequence indexes. */
type PathSegment = string | number;

const BASE58_SECRET = /^[1-9A-HJ-NP-Za-km-z]{80,90}$/;
const HEX_SECRET = /^(0x)?([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/;
// Padded 32-byte and any 64-byte base64: an unpadded 43-character base64url seed cannot be
// told from a Solana address (base58 is a subset of its alphabet), so it is not flagged.
const BASE64_SECRET = /^([A-Za-z0-9+/_-]{43}=|[A-Za-z0-9+/_-]{86}(==)?)$/;
const BYTE_LIST = /^\[?\s*\d{1,3}(\s*,\s*\d{1,3}){31,}\s*\]?$/;

/** Whether a value looks like a secret key or seed in any of the usual encodings. */
export function looksLikeKeyMaterial(v: unknown): boolean {
  if (typeof v === 'string') {
    const s = v.trim();
    return BASE58_SECRET.test(s) || HEX_SECRET.test(s) || (BASE64_SECRET.test(s) && /[0-9]/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s)) || BYTE_LIST.test(s);
  }
  if (Array.isArray(v)) return v.length >= 32 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255);
  return false;
}

/** Paths (into a parsed document) of every value that looks like key material. */
export function findKeyMaterial(v: unknown, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  if (looksLikeKeyMaterial(v)) {
    out.push(at);
    return out;
  }
  if (Array.isArray(v)) v.forEach((x, i) => findKeyMaterial(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) findKeyMaterial(x, [...at, k], out);
  return out;
}

/** Whether raw text (a file that may not even parse) holds a key-like token anywhere. */
export function textHoldsKeyMaterial(text: string): boolean {
  if (BYTE_LIST.test(text.trim())) return true;
  for (const token of text.split(/[\s"',:{}]+/)) if (token.length >= 43 && looksLikeKeyMaterial(token)) return true;
  return false;
}

/** A copy of `v` with every key-like value replaced by '<redacted>'. */
export function redactKeyMaterial<T>(v: T): T {
  if (looksLikeKeyMaterial(v)) return '<redacted>' as T;
  if (Array.isArray(v)) return v.map((x) => redactKeyMaterial(x)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactKeyMaterial(x)])) as T;
  return v;
}

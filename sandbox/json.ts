/**
 * JSON-RPC plumbing shared by the HTTP and WebSocket faces: errors, parameter checks, and JSON the
 * way Solana RPC writes it — u64 values (lamports, rentEpoch, fees) as bare JSON numbers with every
 * digit, even past 2^53 (rentEpoch is often u64::MAX), which JSON.stringify cannot do.
 */
import { PublicKey } from '@solana/web3.js';

/** Stringifies `value` like JSON.stringify, writing bigints as bare JSON integers. */
export function stringifyRpc(value: unknown): string {
  // JSON.stringify (native, several times faster on megabyte answers) with each bigint written as a
  // marked string, the marks then replaced by the digits. Exact: unless every mark found is one we
  // wrote (a string of the value could look like one), the slow writer below answers instead.
  let bigints = 0;
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (bigints++, `${BIGINT_MARK}${v}`) : v)) as string | undefined;
  if (text === undefined) return 'null';
  if (bigints === 0) return text;
  let found = 0;
  const out = text.replace(BIGINT_MARKED, (_m, digits: string) => (found++, digits));
  return found === bigints ? out : stringifySlow(value);
}

const BIGINT_MARK = '\u0001bigint:';
/** The mark as JSON writes it (the control character escaped), with the digits. */
const BIGINT_MARKED = /"\\u0001bigint:(-?\d+)"/g;

function stringifySlow(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : stringifySlow(v))).join(',')}]`;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return stringifySlow((value as { toJSON(): unknown }).toJSON());
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function') continue;
        parts.push(`${JSON.stringify(k)}:${stringifySlow(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** JSON-RPC 2.0 error object. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** The sandbox server's error reply (the engine's client-side error is RpcError, engine/executors/rpc). A JSON-RPC handler throws it to answer with `{error: {code, message, data}}`. */
export class RpcErrorReply extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcErrorReply';
  }
  toObject(): RpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

/** Standard JSON-RPC codes and the Solana server codes our clients branch on. */
export const RPC_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** agave: JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE */
  preflightFailure: -32002,
  /** agave: JSON_RPC_SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE */
  signatureVerificationFailure: -32003,
  /** agave: JSON_RPC_SERVER_ERROR_MIN_CONTEXT_SLOT_NOT_REACHED */
  minContextSlotNotReached: -32016,
} as const;

/** Throws invalid-params unless `ok`. */
export function requireParam(ok: unknown, message: string): asserts ok {
  if (!ok) throw new RpcErrorReply(RPC_CODES.invalidParams, message);
}

/** Addresses already checked, as normalized (getMultipleAccounts asks for the same ones poll after poll). */
const checkedAddresses = new Map<string, string>();

/** A base58 public key parameter, normalized; invalid-params naming `what` otherwise. */
export function addressParam(value: unknown, what = 'address'): string {
  requireParam(typeof value === 'string', `Invalid param: ${what} must be a base58 string`);
  const known = checkedAddresses.get(value);
  if (known !== undefined) return known;
  let address: string;
  try {
    address = new PublicKey(value).toBase58();
  } catch {
    throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid param: ${what} is not a valid base58 public key: ${value}`);
  }
  if (checkedAddresses.size >= 100_000) checkedAddresses.clear();
  checkedAddresses.set(value, address);
  return address;
}

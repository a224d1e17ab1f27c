/**
 * Readers for account JSON files in the two formats of `../shared/fixtures/accounts/`:
 * 1. `solana account --output json`: `{pubkey, account: {data: [b64, "base64"], owner, lamports, executable, rentEpoch}}`
 * 2. carbon dumps: `{data: "<b64>", owner, lamports, executable, rent_epoch, space}` (no pubkey;
 *    the address may be given in the file name as `<name>.<address>.json`).
 */
import { isAddress } from './address.ts';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SolrulesError } from '../errors/index.ts';
import type { AccountSnapshot } from './snapshot.ts';


function fail(source: string, field: string, found: unknown, expected: string): never {
  throw new SolrulesError('ACCOUNTS_BAD_FILE', `${source}: field '${field}' ${expected}, found ${JSON.stringify(found)}`, {
    file: source,
    field,
    expected,
    found,
  });
}

function toBigIntOrNull(value: unknown, source: string, field: string): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'bigint') return value;
  return fail(source, field, value, 'must be a non-negative integer or null');
}

function decodeData(raw: unknown, source: string): Uint8Array {
  if (typeof raw === 'string') return Buffer.from(raw, 'base64');
  if (Array.isArray(raw) && typeof raw[0] === 'string') {
    const encoding = raw[1] ?? 'base64';
    if (encoding === 'base64') return Buffer.from(raw[0], 'base64');
    return fail(source, 'data[1]', encoding, "must be 'base64'");
  }
  return fail(source, 'data', raw, 'must be a base64 string or [base64, "base64"]');
}

/** Address from a file name like `sol_usdc_wp_whirlpool.HJPjo….json` or `HJPjo….json`, if it has one. */
function addressFromFileName(source: string): string | undefined {
  const parts = basename(source).replace(/\.json$/, '').split('.');
  return parts.find((p) => isAddress(p));
}

/**
 * JSON text in RPC big-number form can hold `rentEpoch` 18446744073709551615, which JSON.parse
 * rounds; quote such long integers before parsing so they survive as strings.
 */
function parsePreservingBigInts(text: string): unknown {
  return JSON.parse(text.replace(/(:\s*)(\d{16,})(\s*[,}\]])/g, '$1"$2"$3'));
}

/** Parses the text of an account JSON file in either supported format. */
export function parseAccountJson(text: string, source = '<input>'): AccountSnapshot {
  let doc: unknown;
  try {
    doc = parsePreservingBigInts(text);
  } catch (err) {
    throw new SolrulesError('ACCOUNTS_BAD_FILE', `${source}: not valid JSON (${(err as Error).message})`, { file: source }, { cause: err });
  }
  if (!doc || typeof doc !== 'object') return fail(source, '<root>', doc, 'must be an object');
  const root = doc as Record<string, unknown>;
  const nested = root.account && typeof root.account === 'object' ? (root.account as Record<string, unknown>) : undefined;
  const acct = nested ?? root;
  const owner = acct.owner;
  if (!isAddress(owner)) fail(source, 'owner', owner, 'must be a base58 address');
  const address = typeof root.pubkey === 'string' ? root.pubkey : addressFromFileName(source);
  if (address !== undefined && !isAddress(address)) fail(source, 'pubkey', address, 'must be a base58 address');
  return {
    address,
    owner: owner as string,
    data: decodeData(acct.data, source),
    lamports: toBigIntOrNull(acct.lamports, source, 'lamports'),
    executable: acct.executable === true,
    rentEpoch: toBigIntOrNull(acct.rentEpoch ?? acct.rent_epoch, source, 'rentEpoch'),
    source,
  };
}

/** Reads one account JSON file. */
export function loadAccountFile(path: string): AccountSnapshot {
  return parseAccountJson(readFileSync(path, 'utf8'), path);
}

export interface LoadAccountDirOptions {
  recursive?: boolean;
  /** Called when two files hold the same address; the later file (in sorted path order) wins. Both snapshots are given, to compare. */
  onDuplicate?: (address: string, kept: string, replaced: string, keptAccount: AccountSnapshot, replacedAccount: AccountSnapshot) => void;
  /** Called for account files without an address (carbon dumps not named `<name>.<address>.json`). */
  onNoAddress?: (file: string) => void;
}

/**
 * Reads every `*.json` account file under `dir` (recursively, in sorted order so the result does
 * not depend on the file system), skipping `_`-prefixed summaries and files that are not
 * accounts. Returns snapshots keyed by address; files without an address are skipped (they
 * cannot be placed on a chain).
 */
export function loadAccountDir(dir: string, opts: LoadAccountDirOptions = {}): Map<string, AccountSnapshot> {
  const out = new Map<string, AccountSnapshot>();
  const put = (snapshot: AccountSnapshot & { address: string }) => {
    const previous = out.get(snapshot.address);
    if (previous) opts.onDuplicate?.(snapshot.address, snapshot.source ?? '', previous.source ?? '', snapshot, previous);
    out.set(snapshot.address, snapshot);
  };
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (opts.recursive !== false) for (const v of loadAccountDir(path, opts).values()) put(v as AccountSnapshot & { address: string });
      continue;
    }
    if (!entry.endsWith('.json') || entry.startsWith('_')) continue;
    const text = readFileSync(path, 'utf8');
    if (!/"owner"\s*:/.test(text)) continue; // RPC envelopes and other JSON that is not an account dump
    const snapshot = parseAccountJson(text, path);
    if (snapshot.address) put(snapshot as AccountSnapshot & { address: string });
    else opts.onNoAddress?.(path);
  }
  return out;
}

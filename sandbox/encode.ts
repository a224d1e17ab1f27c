/** RPC encodings of accounts and transactions (binary, base58, base64, jsonParsed, json). */
import bs58 from 'bs58';
import type { AccountState, SandboxChain, TxRecord, InnerInstructionSet } from './chain.ts';
import { RpcErrorReply, RPC_CODES } from './json.ts';
import { decodeMint, parseTokenJson, uiTokenAmount } from './token.ts';

export type AccountEncoding = 'binary' | 'base58' | 'base64' | 'jsonParsed' | 'base64+zstd';

export interface AccountEncodeOptions {
  encoding?: string;
  dataSlice?: { offset: number; length: number };
  /** HTTP methods refuse base58 past 128 bytes; subscriptions do not (agave checks only the former). */
  base58Limit?: boolean;
}

const BASE58_LIMIT = 128;

export function checkAccountEncoding(encoding: string | undefined): AccountEncoding {
  const e = encoding ?? 'binary';
  if (e === 'binary' || e === 'base58' || e === 'base64' || e === 'jsonParsed') return e;
  if (e === 'base64+zstd') throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid params: base64+zstd encoding is not supported by the solrules sandbox');
  throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: unknown variant \`${e}\`, expected one of \`binary\`, \`base58\`, \`base64\`, \`jsonParsed\`, \`base64+zstd\``);
}

/** Encoding options from an RPC or subscription config (`encoding`, `dataSlice`), checked. */
export function accountEncodeOptions(config: Record<string, unknown>, base58Limit = true): AccountEncodeOptions {
  const o: AccountEncodeOptions = base58Limit ? {} : { base58Limit: false };
  if (config.encoding !== undefined) o.encoding = String(config.encoding);
  checkAccountEncoding(o.encoding);
  if (config.dataSlice && typeof config.dataSlice === 'object') o.dataSlice = config.dataSlice as { offset: number; length: number };
  return o;
}

function slice(data: Uint8Array, opts: AccountEncodeOptions): Uint8Array {
  if (!opts.dataSlice) return data;
  const { offset, length } = opts.dataSlice;
  return data.subarray(Math.min(offset, data.length), Math.min(offset + length, data.length));
}

/** Mint decimals as seen on the chain, for jsonParsed token amounts. */
export function mintDecimalsFrom(chain: SandboxChain): (mint: string) => number | undefined {
  return (mint) => {
    const acct = chain.getAccount(mint);
    return acct ? decodeMint(acct.owner, acct.data)?.decimals : undefined;
  };
}

/** Base64 of the bytes as they are (a Buffer view, not a copy). */
function base64Of(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** `UiAccount` as getAccountInfo and notifications send it. */
export function encodeAccount(chain: SandboxChain, account: AccountState, opts: AccountEncodeOptions = {}): Record<string, unknown> {
  const encoding = checkAccountEncoding(opts.encoding);
  const data = slice(account.data, opts);
  let encoded: unknown;
  if (encoding === 'jsonParsed' && !opts.dataSlice) {
    encoded = parseTokenJson(account.owner, account.data, mintDecimalsFrom(chain)) ?? [base64Of(data), 'base64'];
  } else if (encoding === 'base64' || encoding === 'jsonParsed') {
    encoded = [base64Of(data), 'base64'];
  } else {
    if (opts.base58Limit !== false && data.length > BASE58_LIMIT) {
      throw new RpcErrorReply(RPC_CODES.invalidRequest, `Encoded binary (base 58) data should be less than ${BASE58_LIMIT} bytes, please use Base64 encoding.`);
    }
    encoded = encoding === 'binary' ? bs58.encode(data) : [bs58.encode(data), 'base58'];
  }
  return {
    data: encoded,
    executable: account.executable,
    lamports: account.lamports,
    owner: account.owner,
    rentEpoch: account.rentEpoch,
    space: account.data.length,
  };
}

/** What an account subscription reports for a deleted account. */
export const EMPTY_ACCOUNT: AccountState = {
  lamports: 0n,
  data: new Uint8Array(),
  owner: '11111111111111111111111111111111',
  executable: false,
  rentEpoch: 0n,
};

/** getProgramAccounts / programSubscribe filters: `{dataSize}` and `{memcmp: {offset, bytes, encoding?}}`. */
export function compileFilters(filters: unknown): (data: Uint8Array) => boolean {
  if (filters === undefined || filters === null) return () => true;
  if (!Array.isArray(filters)) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid params: filters must be an array');
  if (filters.length > 4) throw new RpcErrorReply(RPC_CODES.invalidParams, `Too many filters provided; max 4`);
  const tests = filters.map((f: unknown, i): ((d: Uint8Array) => boolean) => {
    const filter = f as { dataSize?: unknown; memcmp?: { offset?: unknown; bytes?: unknown; encoding?: unknown } };
    if (typeof filter?.dataSize === 'number') {
      const size = filter.dataSize;
      return (d) => d.length === size;
    }
    if (filter?.memcmp) {
      const { offset, bytes, encoding } = filter.memcmp;
      if (typeof offset !== 'number' || typeof bytes !== 'string') {
        throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: filters[${i}].memcmp needs numeric offset and string bytes`);
      }
      let needle: Uint8Array;
      try {
        needle = encoding === 'base64' ? Buffer.from(bytes, 'base64') : bs58.decode(bytes);
      } catch {
        throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: filters[${i}].memcmp.bytes is not valid ${encoding === 'base64' ? 'base64' : 'base58'}`);
      }
      return (d) => offset + needle.length <= d.length && Buffer.from(d.subarray(offset, offset + needle.length)).equals(Buffer.from(needle));
    }
    throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: filters[${i}] must be {dataSize} or {memcmp}`);
  });
  return (data) => tests.every((t) => t(data));
}

/** Inner instructions by index, or (jsonParsed) with program and accounts spelled out as addresses. */
export function innerJson(sets: InnerInstructionSet[], keys?: string[]) {
  return sets.map((s) => ({
    index: s.index,
    instructions: s.instructions.map((ix) =>
      keys
        ? { programId: keys[ix.programIdIndex], accounts: ix.accounts.map((a) => keys[a]), data: bs58.encode(ix.data), stackHeight: ix.stackHeight }
        : { programIdIndex: ix.programIdIndex, accounts: ix.accounts, data: bs58.encode(ix.data), stackHeight: ix.stackHeight },
    ),
  }));
}

function tokenBalancesJson(list: TxRecord['preTokenBalances']) {
  return list.map((b) => ({
    accountIndex: b.accountIndex,
    mint: b.mint,
    owner: b.owner,
    programId: b.programId,
    uiTokenAmount: uiTokenAmount(b.amount, b.decimals),
  }));
}

/** The `meta` object of getTransaction. */
export function transactionMetaJson(record: TxRecord, parsed = false): Record<string, unknown> {
  return {
    err: record.err,
    status: record.err === null ? { Ok: null } : { Err: record.err },
    fee: record.fee,
    preBalances: record.preBalances,
    postBalances: record.postBalances,
    innerInstructions: innerJson(record.innerInstructions, parsed ? record.accountKeys : undefined),
    logMessages: record.logs,
    preTokenBalances: tokenBalancesJson(record.preTokenBalances),
    postTokenBalances: tokenBalancesJson(record.postTokenBalances),
    rewards: [],
    loadedAddresses: record.loadedAddresses,
    returnData: record.returnData ? { programId: record.returnData.programId, data: [Buffer.from(record.returnData.data).toString('base64'), 'base64'] } : undefined,
    computeUnitsConsumed: record.computeUnitsConsumed,
  };
}

/** `transaction` of getTransaction in `json` or `jsonParsed` encoding (instructions partially decoded). */
export function transactionJson(record: TxRecord, parsed: boolean): Record<string, unknown> {
  const msg = record.tx.message;
  const signatures = record.tx.signatures.map((s) => bs58.encode(s));
  const lookups = msg.addressTableLookups.map((l) => ({ accountKey: l.accountKey.toBase58(), writableIndexes: l.writableIndexes, readonlyIndexes: l.readonlyIndexes }));
  if (!parsed) {
    const message: Record<string, unknown> = {
      accountKeys: msg.staticAccountKeys.map((k) => k.toBase58()),
      header: msg.header,
      recentBlockhash: msg.recentBlockhash,
      instructions: msg.compiledInstructions.map((ix) => ({ programIdIndex: ix.programIdIndex, accounts: ix.accountKeyIndexes, data: bs58.encode(ix.data), stackHeight: null })),
    };
    if (msg.version === 0) message.addressTableLookups = lookups;
    return { signatures, message };
  }
  const staticCount = msg.staticAccountKeys.length;
  const accountKeys = record.accountKeys.map((pubkey, i) => ({
    pubkey,
    signer: i < msg.header.numRequiredSignatures,
    writable: msg.isAccountWritable(i),
    source: i < staticCount ? 'transaction' : 'lookupTable',
  }));
  const message: Record<string, unknown> = {
    accountKeys,
    recentBlockhash: msg.recentBlockhash,
    instructions: msg.compiledInstructions.map((ix) => ({
      programId: record.accountKeys[ix.programIdIndex],
      accounts: ix.accountKeyIndexes.map((i) => record.accountKeys[i]),
      data: bs58.encode(ix.data),
      stackHeight: null,
    })),
  };
  if (msg.version === 0) message.addressTableLookups = lookups;
  return { signatures, message };
}

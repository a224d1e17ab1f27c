/**
 * Solana HTTP JSON-RPC methods over the sandbox chain, with agave's names, parameters, result
 * shapes (`{context: {slot, apiVersion}, value}`) and error codes.
 */
import { VersionedMessage } from '@solana/web3.js';
import bs58 from 'bs58';
import { computeBudgetOf, type ParsedTx, type SandboxChain } from './chain.ts';
import { accountEncodeOptions, compileFilters, encodeAccount, transactionJson, transactionMetaJson, innerJson, type AccountEncodeOptions } from './encode.ts';
import type { Faults } from './faults.ts';
import type { RpcHandler } from './http.ts';
import { addressParam, RpcErrorReply, RPC_CODES, requireParam } from './json.ts';
import { decodeMint, decodeTokenAccount, isTokenProgram, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, uiTokenAmount } from './token.ts';
import { describeTxError } from './txerror.ts';

/** Version the sandbox reports in getVersion and `context.apiVersion`. */
export const SANDBOX_API_VERSION = '2.2.0';
const PACKET_DATA_SIZE = 1232;
const LAMPORTS_PER_SIGNATURE = 5000n;
const MAX_MULTIPLE_ACCOUNTS = 100;
const MAX_SIGNATURE_STATUSES = 256;

type Config = Record<string, unknown>;

function config(params: unknown[], index: number): Config {
  const c = params[index];
  if (c === undefined || c === null) return {};
  requireParam(typeof c === 'object' && !Array.isArray(c), `Invalid params: argument ${index + 1} must be a configuration object`);
  return c as Config;
}

/** Decodes a wire transaction as sendTransaction and simulateTransaction accept it. */
export function decodeWireTransaction(value: unknown, encoding: unknown): Uint8Array {
  requireParam(typeof value === 'string', 'Invalid params: transaction must be an encoded string');
  const enc = encoding ?? 'base58';
  let bytes: Uint8Array;
  if (enc === 'base58') {
    try {
      bytes = bs58.decode(value);
    } catch {
      throw new RpcErrorReply(RPC_CODES.invalidParams, 'invalid base58 encoding: InvalidCharacter');
    }
  } else if (enc === 'base64') {
    bytes = Buffer.from(value, 'base64');
  } else {
    throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: unsupported encoding: ${String(enc)}. Supported encodings: base58, base64`);
  }
  if (bytes.length > PACKET_DATA_SIZE) {
    throw new RpcErrorReply(RPC_CODES.invalidParams, `decoded solana_transaction::versioned::VersionedTransaction too large: ${bytes.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`);
  }
  return bytes;
}

/** Parses a transaction for RPC use, turning bad bytes into invalid-params errors. */
export function parseForRpc(chain: SandboxChain, bytes: Uint8Array): ParsedTx {
  try {
    return chain.parse(bytes);
  } catch (err) {
    throw new RpcErrorReply(RPC_CODES.invalidParams, `failed to deserialize solana_transaction::versioned::VersionedTransaction: ${(err as Error).message}`);
  }
}

/** Simulation failure as agave reports it from sendTransaction preflight (-32002, or -32003 for signatures). */
export function preflightError(sim: { err: unknown; logs: string[]; unitsConsumed: bigint }): RpcErrorReply {
  if (sim.err === 'SignatureFailure') return new RpcErrorReply(RPC_CODES.signatureVerificationFailure, 'Transaction signature verification failure');
  const err = sim.err as string | Record<string, unknown>;
  return new RpcErrorReply(RPC_CODES.preflightFailure, `Transaction simulation failed: ${describeTxError(err)}`, {
    accounts: null,
    err,
    innerInstructions: null,
    loadedAccountsDataSize: null,
    logs: sim.logs,
    replacementBlockhash: null,
    returnData: null,
    unitsConsumed: sim.unitsConsumed,
  });
}

/** Fee agave would charge for `message`: signatures plus priority fee (price × limit). */
function feeForMessage(message: VersionedMessage): bigint {
  const budget = computeBudgetOf(message);
  const units = budget.unitLimit ?? BigInt(Math.min(200_000 * budget.otherInstructions, 1_400_000));
  const priority = (budget.unitPrice * units + 999_999n) / 1_000_000n;
  return LAMPORTS_PER_SIGNATURE * BigInt(message.header.numRequiredSignatures) + priority;
}

export interface SolanaRpcOptions {
  genesisHash: string;
}

/** The Solana JSON-RPC method table. */
export function createSolanaRpc(chain: SandboxChain, faults: Faults, opts: SolanaRpcOptions): RpcHandler {
  const context = () => ({ slot: chain.slot, apiVersion: SANDBOX_API_VERSION });
  const withContext = (value: unknown) => ({ context: context(), value });
  const checkMinContextSlot = (c: Config) => {
    if (typeof c.minContextSlot === 'number' && c.minContextSlot > chain.slot) {
      throw new RpcErrorReply(RPC_CODES.minContextSlotNotReached, 'Minimum context slot has not been reached', { contextSlot: chain.slot });
    }
  };
  const tokenAccountsWhere = (match: (owner: string, mint: string) => boolean, programs: string[]) => {
    const out: { address: string; account: ReturnType<SandboxChain['getAccount']> & object }[] = [];
    for (const program of programs) {
      for (const entry of chain.programAccounts(program)) {
        const token = decodeTokenAccount(entry.account.owner, entry.account.data);
        if (token && match(token.owner, token.mint)) out.push(entry);
      }
    }
    return out;
  };

  const methods: Record<string, (params: unknown[]) => unknown> = {
    getHealth: () => 'ok',
    getVersion: () => ({ 'solana-core': SANDBOX_API_VERSION, 'feature-set': 0, 'solrules-sandbox': true }),
    getGenesisHash: () => opts.genesisHash,
    getIdentity: () => ({ identity: chain.identity }),
    getSlotLeader: () => chain.identity,
    getSlot: (p) => (checkMinContextSlot(config(p, 0)), chain.slot),
    getBlockHeight: (p) => (checkMinContextSlot(config(p, 0)), chain.blockHeight),
    getTransactionCount: () => chain.epochInfo.transactionCount,
    getFirstAvailableBlock: () => chain.startSlot,
    getMaxRetransmitSlot: () => chain.slot,
    getMaxShredInsertSlot: () => chain.slot,
    getEpochInfo: (p) => (checkMinContextSlot(config(p, 0)), chain.epochInfo),
    getEpochSchedule: () => ({ slotsPerEpoch: 432_000, leaderScheduleSlotOffset: 432_000, warmup: false, firstNormalEpoch: 0, firstNormalSlot: 0 }),
    getLatestBlockhash: (p) => (checkMinContextSlot(config(p, 0)), withContext(chain.latestBlockhash())),
    isBlockhashValid: (p) => {
      requireParam(typeof p[0] === 'string', 'Invalid params: blockhash must be a base58 string');
      return withContext(chain.isBlockhashValid(p[0]));
    },
    getBlockTime: (p) => {
      const slot = p[0];
      requireParam(typeof slot === 'number', 'Invalid params: slot must be a number');
      if (slot < chain.startSlot || slot > chain.slot) throw new RpcErrorReply(-32004, `Block not available for slot ${slot}`);
      return chain.blockTime(slot);
    },
    getMinimumBalanceForRentExemption: (p) => {
      requireParam(typeof p[0] === 'number' && Number.isInteger(p[0]) && p[0] >= 0, 'Invalid params: data length must be a non-negative integer');
      return chain.minimumBalanceForRentExemption(p[0]);
    },
    getBalance: (p) => {
      checkMinContextSlot(config(p, 1));
      return withContext(chain.getAccount(addressParam(p[0]))?.lamports ?? 0n);
    },
    getAccountInfo: (p) => {
      const c = config(p, 1);
      checkMinContextSlot(c);
      const account = chain.getAccount(addressParam(p[0]));
      return withContext(account ? encodeAccount(chain, account, accountEncodeOptions(c)) : null);
    },
    getMultipleAccounts: (p) => {
      requireParam(Array.isArray(p[0]), 'Invalid params: expected an array of addresses');
      if (p[0].length > MAX_MULTIPLE_ACCOUNTS) throw new RpcErrorReply(RPC_CODES.invalidParams, `Too many inputs provided; max ${MAX_MULTIPLE_ACCOUNTS}`);
      const c = config(p, 1);
      checkMinContextSlot(c);
      const o = accountEncodeOptions(c);
      return withContext(p[0].map((a) => {
        const account = chain.getAccount(addressParam(a));
        return account ? encodeAccount(chain, account, o) : null;
      }));
    },
    getProgramAccounts: (p) => {
      const program = addressParam(p[0], 'program id');
      const c = config(p, 1);
      checkMinContextSlot(c);
      const keep = compileFilters(c.filters);
      const o = accountEncodeOptions(c);
      const list = chain
        .programAccounts(program)
        .filter((e) => keep(e.account.data))
        .map((e) => ({ pubkey: e.address, account: encodeAccount(chain, e.account, o) }));
      return c.withContext ? withContext(list) : list;
    },
    getTokenAccountBalance: (p) => {
      const key = addressParam(p[0]);
      const account = chain.getAccount(key);
      const token = account ? decodeTokenAccount(account.owner, account.data) : undefined;
      if (!account || !token) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid param: could not find account');
      const mint = chain.getAccount(token.mint);
      const decimals = mint ? decodeMint(mint.owner, mint.data)?.decimals : undefined;
      if (decimals === undefined) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid param: could not find mint');
      return withContext(uiTokenAmount(token.amount, decimals));
    },
    getTokenSupply: (p) => {
      const account = chain.getAccount(addressParam(p[0]));
      const mint = account ? decodeMint(account.owner, account.data) : undefined;
      if (!mint) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid param: not a Token mint');
      return withContext(uiTokenAmount(mint.supply, mint.decimals));
    },
    getTokenLargestAccounts: (p) => {
      const mintKey = addressParam(p[0]);
      const account = chain.getAccount(mintKey);
      const mint = account ? decodeMint(account.owner, account.data) : undefined;
      if (!account || !mint) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid param: not a Token mint');
      const holders = tokenAccountsWhere((_o, m) => m === mintKey, [account.owner])
        .map((e) => ({ address: e.address, amount: decodeTokenAccount(e.account.owner, e.account.data)!.amount }))
        .sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1))
        .slice(0, 20);
      return withContext(holders.map((h) => ({ address: h.address, ...uiTokenAmount(h.amount, mint.decimals) })));
    },
    getTokenAccountsByOwner: (p) => {
      const owner = addressParam(p[0], 'owner');
      const filter = config(p, 1);
      const c = config(p, 2);
      checkMinContextSlot(c);
      let programs = [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID];
      let mint: string | undefined;
      if (typeof filter.mint === 'string') {
        mint = addressParam(filter.mint, 'mint');
        const mintAccount = chain.getAccount(mint);
        if (!mintAccount || !isTokenProgram(mintAccount.owner)) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid param: could not find mint');
        programs = [mintAccount.owner];
      } else if (typeof filter.programId === 'string') {
        const program = addressParam(filter.programId, 'programId');
        if (!isTokenProgram(program)) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid param: unrecognized Token program id');
        programs = [program];
      } else {
        throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid params: expected {mint} or {programId} as the second argument');
      }
      const o = accountEncodeOptions(c);
      const list = tokenAccountsWhere((o2, m) => o2 === owner && (mint === undefined || m === mint), programs);
      return withContext(list.map((e) => ({ pubkey: e.address, account: encodeAccount(chain, e.account, o) })));
    },
    getRecentPrioritizationFees: (p) => {
      const list = p[0] === undefined || p[0] === null ? [] : p[0];
      requireParam(Array.isArray(list), 'Invalid params: expected an array of addresses');
      if (list.length > 128) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Too many inputs provided; max 128');
      return chain.recentPrioritizationFees(list.map((a) => addressParam(a)));
    },
    getFeeForMessage: (p) => {
      requireParam(typeof p[0] === 'string', 'Invalid params: message must be a base64 string');
      let message: VersionedMessage;
      try {
        message = VersionedMessage.deserialize(Buffer.from(p[0], 'base64'));
      } catch (err) {
        throw new RpcErrorReply(RPC_CODES.invalidParams, `invalid message: ${(err as Error).message}`);
      }
      return withContext(chain.isBlockhashValid(message.recentBlockhash) ? feeForMessage(message) : null);
    },
    requestAirdrop: (p) => {
      const to = addressParam(p[0]);
      requireParam(typeof p[1] === 'number' && Number.isSafeInteger(p[1]) && p[1] > 0, 'Invalid params: lamports must be a positive integer');
      const outcome = chain.airdrop(to, BigInt(p[1]));
      if (outcome.kind !== 'landed' || outcome.record.err !== null) {
        const err = outcome.kind === 'landed' ? outcome.record.err! : outcome.err;
        throw new RpcErrorReply(RPC_CODES.internalError, `airdrop request failed: ${describeTxError(err)}`);
      }
      return outcome.record.signature;
    },
    simulateTransaction: (p) => {
      const c = config(p, 1);
      checkMinContextSlot(c);
      const parsed = parseForRpc(chain, decodeWireTransaction(p[0], c.encoding));
      if (c.sigVerify && c.replaceRecentBlockhash) throw new RpcErrorReply(RPC_CODES.invalidParams, 'sigVerify may not be used with replaceRecentBlockhash');
      const wanted = c.accounts as { addresses?: unknown; encoding?: unknown } | undefined;
      const keys = wanted && Array.isArray(wanted.addresses) ? wanted.addresses.map((a) => addressParam(a)) : undefined;
      const sim = chain.simulate(parsed, { sigVerify: c.sigVerify === true, replaceRecentBlockhash: c.replaceRecentBlockhash === true, postAccountsOf: keys ?? [] });
      let accounts: unknown = null;
      if (wanted && keys) {
        const o: AccountEncodeOptions = { encoding: typeof wanted.encoding === 'string' ? wanted.encoding : 'base64' };
        accounts = keys.map((key) => {
          const account = sim.postAccounts.has(key) ? sim.postAccounts.get(key)! : chain.getAccount(key);
          return account ? encodeAccount(chain, account, o) : null;
        });
      }
      const value: Record<string, unknown> = {
        err: sim.err,
        logs: sim.logs,
        accounts,
        unitsConsumed: sim.unitsConsumed,
        returnData: sim.returnData ? { programId: sim.returnData.programId, data: [Buffer.from(sim.returnData.data).toString('base64'), 'base64'] } : null,
        innerInstructions: c.innerInstructions ? innerJson(sim.innerInstructions, sim.accountKeys) : null,
        replacementBlockhash: sim.replacementBlockhash ?? null,
      };
      return withContext(value);
    },
    sendTransaction: (p) => {
      const c = config(p, 1);
      checkMinContextSlot(c);
      const parsed = parseForRpc(chain, decodeWireTransaction(p[0], c.encoding));
      if (c.skipPreflight !== true) {
        if (chain.getTransaction(parsed.signature)) throw preflightError({ err: 'AlreadyProcessed', logs: [], unitsConsumed: 0n });
        const sim = chain.simulate(parsed, { sigVerify: true, postAccountsOf: [] });
        if (sim.err !== null) throw preflightError(sim);
      }
      if (faults.takeDrop()) return parsed.signature;
      chain.submit(parsed); // dropped (expired, duplicate, unpaid) transactions never land, as on a cluster
      return parsed.signature;
    },
    getSignatureStatuses: (p) => {
      requireParam(Array.isArray(p[0]), 'Invalid params: expected an array of signatures');
      if (p[0].length > MAX_SIGNATURE_STATUSES) throw new RpcErrorReply(RPC_CODES.invalidParams, `Too many inputs provided; max ${MAX_SIGNATURE_STATUSES}`);
      return withContext(p[0].map((sig) => {
        requireParam(typeof sig === 'string', 'Invalid params: signatures must be base58 strings');
        const record = chain.getTransaction(sig);
        if (!record) return null;
        const { status, confirmations } = chain.commitmentOf(record.slot);
        return { slot: record.slot, confirmations, err: record.err, status: record.err === null ? { Ok: null } : { Err: record.err }, confirmationStatus: status };
      }));
    },
    getSignaturesForAddress: (p) => {
      const key = addressParam(p[0]);
      const c = config(p, 1);
      const limit = typeof c.limit === 'number' ? c.limit : 1000;
      requireParam(Number.isInteger(limit) && limit >= 1 && limit <= 1000, 'Invalid params: limit must be between 1 and 1000');
      let sigs = [...chain.signaturesForAddress(key)].reverse();
      if (typeof c.before === 'string') {
        const i = sigs.indexOf(c.before);
        sigs = i >= 0 ? sigs.slice(i + 1) : sigs;
      }
      if (typeof c.until === 'string') {
        const i = sigs.indexOf(c.until);
        sigs = i >= 0 ? sigs.slice(0, i) : sigs;
      }
      return sigs.slice(0, limit).map((signature) => {
        const record = chain.getTransaction(signature)!;
        return { signature, slot: record.slot, err: record.err, memo: null, blockTime: record.blockTime, confirmationStatus: chain.commitmentOf(record.slot).status };
      });
    },
    getTransaction: (p) => {
      requireParam(typeof p[0] === 'string', 'Invalid params: signature must be a base58 string');
      const c: Config = typeof p[1] === 'string' ? { encoding: p[1] } : config(p, 1);
      const record = chain.getTransaction(p[0]);
      if (!record) return null;
      const maxVersion = c.maxSupportedTransactionVersion;
      const version = record.tx.version;
      if (version === 0 && (maxVersion === undefined || maxVersion === null)) {
        throw new RpcErrorReply(
          -32015,
          'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
        );
      }
      const encoding = c.encoding ?? 'json';
      let transaction: unknown;
      if (encoding === 'json') transaction = transactionJson(record, false);
      else if (encoding === 'jsonParsed') transaction = transactionJson(record, true);
      else if (encoding === 'base64') transaction = [Buffer.from(record.bytes).toString('base64'), 'base64'];
      else if (encoding === 'base58') transaction = [bs58.encode(record.bytes), 'base58'];
      else throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: unknown variant \`${String(encoding)}\`, expected one of \`binary\`, \`base64\`, \`base58\`, \`json\`, \`jsonParsed\``);
      const out: Record<string, unknown> = {
        slot: record.slot,
        blockTime: record.blockTime,
        meta: transactionMetaJson(record, encoding === 'jsonParsed'),
        transaction,
      };
      if (maxVersion !== undefined && maxVersion !== null) out.version = version;
      return out;
    },
  };

  return (method, params) => {
    const fn = methods[method];
    if (!fn) throw new RpcErrorReply(RPC_CODES.methodNotFound, 'Method not found');
    return fn(params);
  };
}

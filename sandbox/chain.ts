/**
 * The sandbox ledger: a LiteSVM runtime plus what a cluster has and LiteSVM does not — slots
 * and block height, a 150-block blockhash window, a transaction history with RPC-shaped
 * metadata, an index of known accounts (for getProgramAccounts), atomic multi-transaction
 * execution (for bundles) and change events (for subscriptions).
 *
 * Every transaction really runs in LiteSVM (signature checks, programs, compute budget, fees);
 * this class only decides which transactions reach it and records what they did.
 */
import { EventEmitter } from 'node:events';
import {
  AddressLookupTableAccount,
  Keypair,
  PublicKey,
  SystemProgram,
  SYSVAR_SLOT_HASHES_PUBKEY,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
  type VersionedMessage,
} from '@solana/web3.js';
import bs58 from 'bs58';
import { SolrulesError } from '../engine/errors/index.ts';
import { txErrorJson, type TxErrorJson } from './txerror.ts';
import { decodeMint, decodeTokenAccount, isTokenProgram } from './token.ts';
import { Clock, fromNative, innerInstructionsOf, isFailed, LiteSVM, nativeOf, addressOfBytes, returnDataOf, toNative, type LiteInner, type LiteMeta } from './litesvm.ts';
import type {
  AccountChange,
  AccountState,
  AccountWrite,
  AtomicOutcome,
  ChainOptions,
  Commitment,
  ParsedTx,
  RunResult,
  SimulateOptions,
  SimulateResult,
  SubmitOutcome,
  TokenBalance,
  TxRecord,
} from './types.ts';

export type * from './types.ts';

/** Blocks a blockhash stays valid for (agave MAX_PROCESSING_AGE). */
export const MAX_PROCESSING_AGE = 150;
const SLOTS_PER_EPOCH = 432_000;
const MAX_SLOT_HASHES = 512;
const SYSTEM_PROGRAM = '11111111111111111111111111111111';
const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111';
const ALT_PROGRAM = 'AddressLookupTab1e1111111111111111111111111';
const MEMO_PROGRAM = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';
const U64_MAX = 18446744073709551615n;
const FAUCET_LAMPORTS = 100_000_000n * 1_000_000_000n;

/**
 * The compute-budget instructions of a message: unit price (micro-lamports, 0 when unset), unit
 * limit (undefined when unset) and how many other instructions there are. Program ids are
 * always static keys, so lookup tables need not be resolved.
 */
export function computeBudgetOf(message: VersionedMessage): { unitPrice: bigint; unitLimit: bigint | undefined; otherInstructions: number } {
  const out = { unitPrice: 0n, unitLimit: undefined as bigint | undefined, otherInstructions: 0 };
  for (const ix of message.compiledInstructions) {
    if (message.staticAccountKeys[ix.programIdIndex]?.toBase58() !== COMPUTE_BUDGET_PROGRAM) {
      out.otherInstructions += 1;
      continue;
    }
    const data = Buffer.from(ix.data);
    if (data[0] === 2 && data.length >= 5) out.unitLimit = BigInt(data.readUInt32LE(1));
    if (data[0] === 3 && data.length >= 9) out.unitPrice = data.readBigUInt64LE(1);
  }
  return out;
}

function sameAccount(a: AccountState | null, b: AccountState | null): boolean {
  if (!a || !b) return a === b;
  return a.lamports === b.lamports && a.owner === b.owner && a.executable === b.executable && Buffer.from(a.data).equals(Buffer.from(b.data));
}

function toPublicKey(address: string | PublicKey): PublicKey {
  try {
    return typeof address === 'string' ? new PublicKey(address) : address;
  } catch (err) {
    throw new SolrulesError('SANDBOX_BAD_ADDRESS', `not a base58 address: ${JSON.stringify(address)}`, { field: 'address', value: address }, { cause: err });
  }
}

export class SandboxChain extends EventEmitter {
  readonly svm: LiteSVM;
  private readonly inner: LiteInner;
  readonly startSlot: number;
  private slotNow: number;
  private heightNow: number;
  private readonly slotMs: number;
  private readonly genesisMs: number;
  private readonly lag: { confirmed: number; finalized: number };
  /** blockhash → last block height at which it is still valid. */
  private readonly blockhashes = new Map<string, number>();
  /** Newest first; `bytes` decoded once (decoding 512 base58 hashes every slot cost ~3 ms a slot). */
  private readonly slotHashes: { slot: number; hash: string; bytes: Buffer }[] = [];
  private readonly known = new Set<string>();
  private readonly decodedKeys = new Map<string, Uint8Array>();
  private readonly history = new Map<string, TxRecord>();
  private readonly byAddress = new Map<string, string[]>();
  private readonly fees = new Map<number, { blockMin: bigint | null; perAccount: Map<string, bigint> }>();
  private readonly faucet = Keypair.generate();
  private airdropCount = 0;
  private transactionCount = 0;
  readonly identity = Keypair.generate().publicKey.toBase58();

  constructor(opts: ChainOptions = {}) {
    super();
    this.setMaxListeners(0);
    this.svm = new LiteSVM().withTransactionHistory(0n).withBlockhashCheck(false);
    this.inner = nativeOf(this.svm);
    this.startSlot = opts.startSlot ?? 1000;
    this.slotNow = this.startSlot;
    this.heightNow = opts.startBlockHeight ?? this.startSlot - 100;
    this.slotMs = opts.slotMs ?? 400;
    this.genesisMs = opts.genesisUnixMs ?? Date.now();
    this.lag = { confirmed: opts.commitmentLagSlots?.confirmed ?? 0, finalized: opts.commitmentLagSlots?.finalized ?? 0 };
    this.writeAccount(this.faucet.publicKey.toBase58(), { lamports: FAUCET_LAMPORTS }, false);
    this.enterSlot();
  }

  // --- time ---------------------------------------------------------------------------------
  get slot(): number {
    return this.slotNow;
  }
  get blockHeight(): number {
    return this.heightNow;
  }
  get epochInfo() {
    return {
      absoluteSlot: this.slotNow,
      blockHeight: this.heightNow,
      epoch: Math.floor(this.slotNow / SLOTS_PER_EPOCH),
      slotIndex: this.slotNow % SLOTS_PER_EPOCH,
      slotsInEpoch: SLOTS_PER_EPOCH,
      transactionCount: this.transactionCount,
    };
  }
  /** Unix seconds of a slot's block. */
  blockTime(slot: number): number {
    return Math.floor((this.genesisMs + (slot - this.startSlot) * this.slotMs) / 1000);
  }
  latestBlockhash(): { blockhash: string; lastValidBlockHeight: number } {
    const blockhash = this.inner.latestBlockhash();
    return { blockhash, lastValidBlockHeight: this.blockhashes.get(blockhash) ?? this.heightNow + MAX_PROCESSING_AGE };
  }
  isBlockhashValid(blockhash: string): boolean {
    const lastValid = this.blockhashes.get(blockhash);
    return lastValid !== undefined && this.heightNow <= lastValid;
  }

  /** Ends the current slot and starts `n` new ones, each with a new blockhash. */
  advanceSlots(n = 1): void {
    if (!Number.isInteger(n) || n < 0) throw new SolrulesError('SANDBOX_BAD_ARGUMENT', `advanceSlots needs a non-negative integer, got ${n}`, { field: 'n', value: n });
    for (let i = 0; i < n; i++) {
      const parent = this.slotNow;
      this.slotNow += 1;
      this.heightNow += 1;
      this.inner.expireBlockhash();
      this.enterSlot();
      this.emit('slot', { slot: this.slotNow, parent, root: Math.max(this.startSlot, this.slotNow - this.lag.finalized) });
    }
  }

  private enterSlot(): void {
    const blockhash = this.inner.latestBlockhash();
    this.blockhashes.set(blockhash, this.heightNow + MAX_PROCESSING_AGE);
    for (const [hash, lastValid] of this.blockhashes) if (lastValid < this.heightNow) this.blockhashes.delete(hash);
    const epoch = BigInt(Math.floor(this.slotNow / SLOTS_PER_EPOCH));
    this.inner.setClock(new Clock(BigInt(this.slotNow), BigInt(this.blockTime(this.startSlot)), epoch, epoch + 1n, BigInt(this.blockTime(this.slotNow))));
    // SlotHashes lists the current slot too, so `recentSlot: await getSlot()` (the usual client
    // code for creating a lookup table) works although transactions run in the slot they arrive in.
    this.slotHashes.unshift({ slot: this.slotNow, hash: blockhash, bytes: Buffer.from(bs58.decode(blockhash)) });
    this.slotHashes.length = Math.min(this.slotHashes.length, MAX_SLOT_HASHES);
    this.writeSlotHashes();
    for (const slot of this.fees.keys()) if (slot <= this.slotNow - MAX_PROCESSING_AGE) this.fees.delete(slot);
  }

  private writeSlotHashes(): void {
    const sysvar = this.inner.getAccount(SYSVAR_SLOT_HASHES_PUBKEY.toBytes());
    if (!sysvar) return;
    const data = Buffer.alloc(sysvar.data().length);
    data.writeBigUInt64LE(BigInt(this.slotHashes.length), 0);
    this.slotHashes.forEach((entry, i) => {
      data.writeBigUInt64LE(BigInt(entry.slot), 8 + 40 * i);
      entry.bytes.copy(data, 16 + 40 * i);
    });
    this.inner.setAccount(SYSVAR_SLOT_HASHES_PUBKEY.toBytes(), toNative({ ...fromNative(sysvar)!, data }));
  }

  /** Commitment a landed transaction has reached, given the configured lag. */
  commitmentOf(slot: number): { status: Commitment; confirmations: number | null } {
    const depth = this.slotNow - slot;
    if (depth >= this.lag.finalized) return { status: 'finalized', confirmations: null };
    if (depth >= this.lag.confirmed) return { status: 'confirmed', confirmations: depth };
    return { status: 'processed', confirmations: depth };
  }

  // --- accounts -----------------------------------------------------------------------------
  /** The account at `address`, or null when it does not exist (zero lamports). */
  getAccount(address: string): AccountState | null {
    const key = this.keyBytes(address);
    return key ? fromNative(this.inner.getAccount(key)) : null;
  }

  /** The 32 bytes of a base58 address (decoded once per address: a transaction's keys are read many times), or null when it is none. */
  private keyBytes(address: string): Uint8Array | null {
    let key = this.decodedKeys.get(address);
    if (key === undefined) {
      try {
        key = bs58.decode(address);
      } catch {
        return null;
      }
      if (key.length !== 32) return null;
      if (this.decodedKeys.size >= 100_000) this.decodedKeys.clear();
      this.decodedKeys.set(address, key);
    }
    return key;
  }

  minimumBalanceForRentExemption(dataLength: number): bigint {
    return this.inner.minimumBalanceForRentExemption(BigInt(dataLength));
  }

  /** Overwrites (or creates) an account outside any transaction, as another trader's swap would; notifies subscribers. */
  setAccount(address: string | PublicKey, write: AccountWrite): AccountState {
    const key = toPublicKey(address).toBase58();
    const account = this.writeAccount(key, write, true);
    return account;
  }

  private writeAccount(address: string, write: AccountWrite, notify: boolean): AccountState {
    const data = write.data ?? new Uint8Array();
    const owner = write.owner === undefined ? SYSTEM_PROGRAM : toPublicKey(write.owner).toBase58();
    const lamports = write.lamports ?? this.minimumBalanceForRentExemption(data.length);
    if (lamports < 0n || lamports > U64_MAX) {
      throw new SolrulesError('SANDBOX_BAD_ACCOUNT', `lamports for ${address} must fit a u64, got ${lamports}`, { account: address, field: 'lamports', value: lamports });
    }
    const account: AccountState = { lamports, data, owner, executable: write.executable ?? false, rentEpoch: write.rentEpoch ?? U64_MAX };
    this.inner.setAccount(bs58.decode(address), toNative(account));
    this.known.add(address);
    if (notify) this.emit('accounts', [{ address, account: lamports === 0n ? null : account, slot: this.slotNow }] satisfies AccountChange[]);
    return account;
  }

  /** Known accounts (loaded, written or touched by a transaction) owned by `program`. */
  programAccounts(program: string): { address: string; account: AccountState }[] {
    const out: { address: string; account: AccountState }[] = [];
    for (const address of this.known) {
      const account = this.getAccount(address);
      if (account && account.owner === program) out.push({ address, account });
    }
    return out;
  }

  // --- transactions -------------------------------------------------------------------------
  /** Deserializes wire bytes and resolves lookup tables. Throws SANDBOX_BAD_TRANSACTION. */
  parse(bytes: Uint8Array): ParsedTx {
    let tx: VersionedTransaction;
    try {
      tx = VersionedTransaction.deserialize(bytes);
    } catch (err) {
      throw new SolrulesError('SANDBOX_BAD_TRANSACTION', `transaction does not deserialize: ${(err as Error).message}`, { field: 'transaction' }, { cause: err });
    }
    if (tx.signatures.length === 0) throw new SolrulesError('SANDBOX_BAD_TRANSACTION', 'transaction has no signatures', { field: 'signatures' });
    const msg = tx.message;
    const staticKeys = msg.staticAccountKeys.map((k) => addressOfBytes(k.toBytes()));
    const loaded = { writable: [] as string[], readonly: [] as string[] };
    for (const lookup of msg.addressTableLookups) {
      const table = this.getAccount(lookup.accountKey.toBase58());
      if (!table || table.owner !== ALT_PROGRAM) continue; // LiteSVM reports the precise error
      let addresses: PublicKey[];
      try {
        addresses = AddressLookupTableAccount.deserialize(table.data).addresses;
      } catch {
        continue;
      }
      for (const i of lookup.writableIndexes) if (addresses[i]) loaded.writable.push(addresses[i]!.toBase58());
      for (const i of lookup.readonlyIndexes) if (addresses[i]) loaded.readonly.push(addresses[i]!.toBase58());
    }
    const accountKeys = [...staticKeys, ...loaded.writable, ...loaded.readonly];
    const writable = accountKeys.map((_, i) => {
      try {
        return msg.isAccountWritable(i);
      } catch {
        return false;
      }
    });
    return { bytes, tx, signature: bs58.encode(tx.signatures[0]!), accountKeys, loadedAddresses: loaded, writable };
  }

  getTransaction(signature: string): TxRecord | undefined {
    return this.history.get(signature);
  }

  signaturesForAddress(address: string): string[] {
    return this.byAddress.get(address) ?? [];
  }

  /** Checks that would make a cluster drop the transaction before execution. */
  private precheck(parsed: ParsedTx, alsoSeen?: Set<string>): TxErrorJson | undefined {
    if (this.history.has(parsed.signature) || alsoSeen?.has(parsed.signature)) return 'AlreadyProcessed';
    const blockhash = parsed.tx.message.recentBlockhash;
    if (!this.isBlockhashValid(blockhash) && !this.isDurableNonce(parsed)) return 'BlockhashNotFound';
    return undefined;
  }

  /** A durable-nonce transaction: first instruction advances a nonce account holding `recentBlockhash`. */
  private isDurableNonce(parsed: ParsedTx): boolean {
    const first = parsed.tx.message.compiledInstructions[0];
    if (!first || parsed.accountKeys[first.programIdIndex] !== SYSTEM_PROGRAM) return false;
    const data = Buffer.from(first.data);
    if (data.length < 4 || data.readUInt32LE(0) !== 4) return false;
    const nonceKey = parsed.accountKeys[first.accountKeyIndexes[0] ?? -1];
    const nonce = nonceKey ? this.getAccount(nonceKey) : null;
    if (!nonce || nonce.owner !== SYSTEM_PROGRAM || nonce.data.length < 72) return false;
    return bs58.encode(nonce.data.subarray(40, 72)) === parsed.tx.message.recentBlockhash;
  }

  private snapshot(keys: string[]): Map<string, AccountState | null> {
    const out = new Map<string, AccountState | null>();
    for (const k of keys) if (!out.has(k)) out.set(k, this.getAccount(k));
    return out;
  }

  private tokenBalances(parsed: ParsedTx, state: Map<string, AccountState | null>): TokenBalance[] {
    const out: TokenBalance[] = [];
    parsed.accountKeys.forEach((k, accountIndex) => {
      const acct = state.get(k);
      if (!acct || !isTokenProgram(acct.owner)) return;
      const token = decodeTokenAccount(acct.owner, acct.data);
      if (!token) return;
      const mintAcct = state.get(token.mint) ?? this.getAccount(token.mint);
      const mint = mintAcct ? decodeMint(mintAcct.owner, mintAcct.data) : undefined;
      if (!mint) return;
      out.push({ accountIndex, mint: token.mint, owner: token.owner, programId: acct.owner, amount: token.amount, decimals: mint.decimals });
    });
    return out;
  }

  /** Runs one transaction in LiteSVM and measures what it did. Does not record it. */
  private run(parsed: ParsedTx, pre: Map<string, AccountState | null>): RunResult {
    // `pre` keeps each account's state from before the first transaction (for a bundle's rollback);
    // this transaction's own meta starts from the state it ran on (after earlier bundle transactions).
    const before = this.snapshot(parsed.accountKeys);
    for (const [address, account] of before) if (!pre.has(address)) pre.set(address, account);
    const preList = parsed.accountKeys.map((k) => before.get(k) ?? null);
    const result = this.inner.sendVersionedTransaction(parsed.bytes);
    const meta: LiteMeta = isFailed(result) ? result.meta() : (result as LiteMeta);
    const post = this.snapshot(parsed.accountKeys);
    const postList = parsed.accountKeys.map((k) => post.get(k) ?? null);
    const sum = (xs: (AccountState | null)[]) => xs.reduce((a, x) => a + (x?.lamports ?? 0n), 0n);
    // Instructions conserve lamports; the only sink is the fee, so the difference is the fee LiteSVM charged.
    const fee = sum(preList) - sum(postList);
    const err = isFailed(result) ? txErrorJson(result.err()) : null;
    const landed = err === null || fee > 0n;
    const logs = meta.logs();
    const unitsConsumed = meta.computeUnitsConsumed();
    const innerInstructions = innerInstructionsOf(meta);
    const returnData = returnDataOf(meta);
    const base: RunResult = { parsed, landed, err, logs, postAccounts: post, unitsConsumed, returnData, innerInstructions };
    if (!landed) return base;
    base.record = {
      signature: parsed.signature,
      bytes: parsed.bytes,
      tx: parsed.tx,
      accountKeys: parsed.accountKeys,
      loadedAddresses: parsed.loadedAddresses,
      err,
      fee,
      preBalances: preList.map((a) => a?.lamports ?? 0n),
      postBalances: postList.map((a) => a?.lamports ?? 0n),
      preTokenBalances: this.tokenBalances(parsed, before),
      postTokenBalances: this.tokenBalances(parsed, post),
      logs,
      innerInstructions,
      computeUnitsConsumed: unitsConsumed,
      returnData,
      computeUnitPrice: computeBudgetOf(parsed.tx.message).unitPrice,
    };
    return base;
  }

  private restore(pre: Map<string, AccountState | null>): void {
    for (const [address, account] of pre) {
      const acct = account ?? { lamports: 0n, data: new Uint8Array(), owner: SYSTEM_PROGRAM, executable: false, rentEpoch: 0n };
      this.inner.setAccount(bs58.decode(address), toNative(acct));
    }
  }

  private commit(runs: RunResult[], pre: Map<string, AccountState | null>, bundleId?: string): TxRecord[] {
    const records: TxRecord[] = [];
    for (const run of runs) {
      const record: TxRecord = { ...run.record!, slot: this.slotNow, blockTime: this.blockTime(this.slotNow) };
      if (bundleId) record.bundleId = bundleId;
      this.history.set(record.signature, record);
      this.transactionCount += 1;
      record.accountKeys.forEach((k, i) => {
        this.known.add(k);
        const list = this.byAddress.get(k) ?? [];
        list.push(record.signature);
        this.byAddress.set(k, list);
        if (run.parsed.writable[i]) this.noteFee(k, record.computeUnitPrice);
      });
      this.noteFee(undefined, record.computeUnitPrice);
      records.push(record);
    }
    const changes: AccountChange[] = [];
    for (const [address, before] of pre) {
      const after = this.getAccount(address);
      if (!sameAccount(before, after)) changes.push({ address, account: after, slot: this.slotNow });
    }
    if (changes.length) this.emit('accounts', changes);
    for (const record of records) this.emit('transaction', record);
    return records;
  }

  private noteFee(address: string | undefined, price: bigint): void {
    const entry = this.fees.get(this.slotNow) ?? { blockMin: null, perAccount: new Map<string, bigint>() };
    this.fees.set(this.slotNow, entry);
    if (address === undefined) entry.blockMin = entry.blockMin === null || price < entry.blockMin ? price : entry.blockMin;
    else {
      const cur = entry.perAccount.get(address);
      entry.perAccount.set(address, cur === undefined || price < cur ? price : cur);
    }
  }

  /** agave's getRecentPrioritizationFees: per recent slot, the block minimum raised to the accounts' minimums. */
  recentPrioritizationFees(addresses: string[]): { slot: number; prioritizationFee: bigint }[] {
    const out: { slot: number; prioritizationFee: bigint }[] = [];
    for (let slot = Math.max(this.startSlot, this.slotNow - MAX_PROCESSING_AGE + 1); slot <= this.slotNow; slot++) {
      const entry = this.fees.get(slot);
      let fee = entry?.blockMin ?? 0n;
      for (const a of addresses) {
        const v = entry?.perAccount.get(a);
        if (v !== undefined && v > fee) fee = v;
      }
      out.push({ slot, prioritizationFee: fee });
    }
    return out;
  }

  /**
   * Executes one transaction as the leader would: dropped (not landed) when its blockhash is
   * unknown or expired, its signature was already processed, or the fee cannot be charged;
   * landed — success or failure, fee charged — otherwise.
   */
  submit(parsed: ParsedTx): SubmitOutcome {
    const pre = precheckError(this.precheck(parsed));
    if (pre) return pre;
    const snapshot = new Map<string, AccountState | null>();
    const run = this.run(parsed, snapshot);
    if (!run.landed || !run.record) return { kind: 'rejected', err: run.err ?? 'SanitizeFailure', logs: run.logs, unitsConsumed: run.unitsConsumed };
    const [record] = this.commit([run], snapshot);
    return { kind: 'landed', record: record! };
  }

  /**
   * Executes transactions in order, all in the current slot, or none: if one fails (or
   * `accept` refuses the result) every account they touched is restored and nothing is recorded.
   */
  executeAtomically(
    txs: ParsedTx[],
    opts: { bundleId?: string; accept?: (pre: Map<string, AccountState | null>, read: (a: string) => AccountState | null) => string | undefined } = {},
  ): AtomicOutcome {
    const pre = new Map<string, AccountState | null>();
    const runs: RunResult[] = [];
    const seen = new Set<string>();
    for (const [index, parsed] of txs.entries()) {
      const refused = this.precheck(parsed, seen);
      if (refused) {
        this.restore(pre);
        return { kind: 'failed', index, signature: parsed.signature, err: refused, logs: [] };
      }
      seen.add(parsed.signature);
      // Lookup tables may be changed by an earlier transaction of the bundle: resolve late.
      const fresh = index === 0 ? parsed : this.parse(parsed.bytes);
      const run = this.run(fresh, pre);
      if (run.err !== null || !run.record) {
        this.restore(pre);
        return { kind: 'failed', index, signature: parsed.signature, err: run.err ?? 'SanitizeFailure', logs: run.logs };
      }
      runs.push(run);
    }
    const reason = opts.accept?.(pre, (a) => this.getAccount(a));
    if (reason) {
      this.restore(pre);
      return { kind: 'refused', reason };
    }
    return { kind: 'landed', records: this.commit(runs, pre, opts.bundleId) };
  }

  /** Runs a transaction against current state without keeping any effect. */
  simulate(parsed: ParsedTx, opts: SimulateOptions = {}): SimulateResult {
    let bytes = parsed.bytes;
    let replacementBlockhash: SimulateResult['replacementBlockhash'];
    if (opts.replaceRecentBlockhash) {
      replacementBlockhash = this.latestBlockhash();
      bytes = withRecentBlockhash(parsed.bytes, bs58.decode(replacementBlockhash.blockhash));
    } else if (!this.isBlockhashValid(parsed.tx.message.recentBlockhash) && !this.isDurableNonce(parsed)) {
      return { err: 'BlockhashNotFound', logs: [], unitsConsumed: 0n, returnData: null, innerInstructions: [], postAccounts: new Map(), accountKeys: parsed.accountKeys };
    }
    const sigVerify = opts.sigVerify ?? false;
    this.inner.setSigverify(sigVerify);
    let result: ReturnType<LiteInner['simulateVersionedTransaction']>;
    try {
      result = this.inner.simulateVersionedTransaction(bytes);
    } finally {
      this.inner.setSigverify(true);
    }
    const postAccounts = new Map<string, AccountState | null>();
    let meta: LiteMeta;
    let err: TxErrorJson | null = null;
    if (isFailed(result)) {
      meta = result.meta();
      err = txErrorJson(result.err());
    } else {
      const info = result as unknown as { meta(): LiteMeta; postAccounts(): { address: Uint8Array; account(): Parameters<typeof fromNative>[0] }[] };
      meta = info.meta();
      const wanted = opts.postAccountsOf && new Set(opts.postAccountsOf);
      for (const entry of info.postAccounts()) {
        const address = addressOfBytes(entry.address);
        if (!wanted || wanted.has(address)) postAccounts.set(address, fromNative(entry.account()));
      }
    }
    const out: SimulateResult = {
      err,
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
      returnData: returnDataOf(meta),
      innerInstructions: innerInstructionsOf(meta),
      postAccounts,
      accountKeys: parsed.accountKeys,
    };
    if (replacementBlockhash) out.replacementBlockhash = replacementBlockhash;
    return out;
  }

  /** Sends lamports from the sandbox faucet in a real, recorded transfer. Returns the outcome. */
  airdrop(address: string | PublicKey, lamports: bigint): SubmitOutcome {
    const to = toPublicKey(address);
    if (lamports <= 0n) throw new SolrulesError('SANDBOX_BAD_ARGUMENT', `airdrop needs a positive lamport amount, got ${lamports}`, { field: 'lamports', value: lamports });
    const faucetKey = this.faucet.publicKey.toBase58();
    if ((this.getAccount(faucetKey)?.lamports ?? 0n) < lamports + 1_000_000_000n) {
      this.writeAccount(faucetKey, { lamports: FAUCET_LAMPORTS + lamports }, false);
    }
    this.airdropCount += 1;
    const message = new TransactionMessage({
      payerKey: this.faucet.publicKey,
      recentBlockhash: this.latestBlockhash().blockhash,
      instructions: [
        SystemProgram.transfer({ fromPubkey: this.faucet.publicKey, toPubkey: to, lamports }),
        // The memo makes each airdrop a distinct transaction, so two equal airdrops in one slot both land.
        new TransactionInstruction({ programId: new PublicKey(MEMO_PROGRAM), keys: [], data: Buffer.from(`solrules sandbox airdrop ${this.airdropCount}`) }),
      ],
    }).compileToLegacyMessage();
    const tx = new VersionedTransaction(message);
    tx.sign([this.faucet]);
    return this.submit(this.parse(tx.serialize()));
  }
}

function precheckError(err: TxErrorJson | undefined): SubmitOutcome | undefined {
  return err === undefined ? undefined : { kind: 'rejected', err, logs: [], unitsConsumed: 0n };
}

/** Reads a compact-u16 (the wire format's short vector length) at `at`: its value and byte length. */
function compactU16(bytes: Uint8Array, at: number): { value: number; size: number } {
  let value = 0;
  for (let size = 1; size <= 3; size++) {
    const b = bytes[at + size - 1]!;
    value |= (b & 0x7f) << (7 * (size - 1));
    if ((b & 0x80) === 0) return { value, size };
  }
  throw new SolrulesError('SANDBOX_BAD_TRANSACTION', 'transaction has a malformed compact-u16 length', { field: 'transaction' });
}

/**
 * A copy of a wire transaction (legacy or v0) with its message's recent blockhash replaced, the
 * rest byte for byte (what simulateTransaction's replaceRecentBlockhash does; signatures are not
 * checked then). In place of a deserialize / serialize round trip through web3.js.
 */
export function withRecentBlockhash(bytes: Uint8Array, blockhash: Uint8Array): Uint8Array {
  const sigs = compactU16(bytes, 0);
  let at = sigs.size + 64 * sigs.value;
  if (bytes[at]! & 0x80) at += 1; // versioned message prefix
  at += 3; // header: required signatures, readonly signed, readonly unsigned
  const keys = compactU16(bytes, at);
  at += keys.size + 32 * keys.value;
  const out = Uint8Array.from(bytes);
  out.set(blockhash, at);
  return out;
}

/**
 * The one module that loads `litesvm`: importing LiteSVM from here guarantees the V8 flag below is
 * set before any instance runs a program.
 *
 * The slice of LiteSVM's native binding the ledger uses. The public wrapper turns lamports into
 * JS numbers and re-serializes transactions; the binding (`svm.inner`) keeps u64s exact and takes
 * the wire bytes as they arrived.
 */
import { setFlagsFromString } from 'node:v8';
import { Account, Clock, LiteSVM } from 'litesvm';
import bs58 from 'bs58';
import { SolrulesError } from '../engine/errors/index.ts';
import type { AccountState, InnerInstructionSet } from './types.ts';

// LiteSVM 0.8 runs programs with the solana-sbpf 0.13 JIT, whose `callx` trampoline moves through
// MMX register MM0 without EMMS (anza-xyz/sbpf#197, fixed in sbpf 0.23 by #200). That leaves the
// x87 stack marked full on the calling thread; V8's allocation-site pretenuring then does x87 math,
// gets NaN and aborts the process with std::bad_alloc at the next GC (LiteSVM/litesvm#171). Any
// program that logs with formatting (memo, associated token account) triggers it. Pretenuring is
// the only x87 user on V8's hot paths in Node 20, so turning it off keeps the process alive.
setFlagsFromString('--no-allocation-site-pretenuring');

export interface LiteInner {
  getAccount(key: Uint8Array): InstanceType<typeof Account> | null;
  setAccount(key: Uint8Array, account: InstanceType<typeof Account>): void;
  sendVersionedTransaction(bytes: Uint8Array): LiteResult;
  simulateVersionedTransaction(bytes: Uint8Array): LiteResult & { postAccounts?: () => { address: Uint8Array; account(): InstanceType<typeof Account> }[] };
  setSigverify(on: boolean): void;
  latestBlockhash(): string;
  expireBlockhash(): void;
  setClock(clock: InstanceType<typeof Clock>): void;
  minimumBalanceForRentExemption(len: bigint): bigint;
}
export interface LiteMeta {
  logs(): string[];
  computeUnitsConsumed(): bigint;
  innerInstructions(): { instruction(): { programIdIndex(): number; accounts(): Uint8Array; data(): Uint8Array }; stackHeight(): number }[][];
  returnData(): { programId(): Uint8Array; data(): Uint8Array };
}
export type LiteResult = Partial<LiteMeta> & { err?: () => unknown; meta?: () => LiteMeta };

export function isFailed(r: LiteResult): r is LiteResult & { err: () => unknown; meta: () => LiteMeta } {
  return typeof r.err === 'function';
}

/** The native binding behind a LiteSVM instance. Throws SANDBOX_LITESVM when its shape changed. */
export function nativeOf(svm: LiteSVM): LiteInner {
  const inner = (svm as unknown as { inner: LiteInner }).inner;
  if (!inner || typeof inner.sendVersionedTransaction !== 'function') {
    throw new SolrulesError('SANDBOX_LITESVM', 'litesvm changed its internals: this sandbox needs litesvm 0.8.x', {});
  }
  return inner;
}

// Owners and a chain's busy addresses are few; base58-encoding one costs tens of µs and every
// transaction and snapshot needs them.
const addressOfBytess = new Map<string, string>();

/** The base58 address of 32 key bytes (memoized). */
export function addressOfBytes(bytes: Uint8Array): string {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  let name = addressOfBytess.get(key);
  if (name === undefined) {
    name = bs58.encode(bytes);
    if (addressOfBytess.size > 100_000) addressOfBytess.clear();
    addressOfBytess.set(key, name);
  }
  return name;
}

/** A native account as an AccountState (null for zero lamports: such accounts do not exist). */
export function fromNative(acct: InstanceType<typeof Account> | null): AccountState | null {
  if (!acct || acct.lamports() === 0n) return null;
  return { lamports: acct.lamports(), data: acct.data(), owner: addressOfBytes(acct.owner()), executable: acct.executable(), rentEpoch: acct.rentEpoch() };
}

export function toNative(a: AccountState): InstanceType<typeof Account> {
  return new Account(a.lamports, a.data, bs58.decode(a.owner), a.executable, a.rentEpoch);
}

/** Inner instructions per top-level instruction, skipping instructions that made none. */
export function innerInstructionsOf(meta: LiteMeta): InnerInstructionSet[] {
  const out: InnerInstructionSet[] = [];
  meta.innerInstructions().forEach((list, index) => {
    if (list.length === 0) return;
    out.push({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction();
        return { programIdIndex: ix.programIdIndex(), accounts: [...ix.accounts()], data: ix.data(), stackHeight: inner.stackHeight() };
      }),
    });
  });
  return out;
}

export function returnDataOf(meta: LiteMeta): { programId: string; data: Uint8Array } | null {
  const rd = meta.returnData();
  const data = rd.data();
  return data.length === 0 ? null : { programId: bs58.encode(rd.programId()), data };
}

export { Clock, LiteSVM };

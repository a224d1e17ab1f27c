/**
 * Address lookup tables: a manager that counts how often accounts appear in our transactions,
 * creates a table owned by a controller wallet, and extends it with accounts used at least
 * `minUses` times, so later transactions reference them by a one-byte index instead of 32 bytes.
 * Addresses added in slot S become usable in S+1: `ensure` waits for that before returning.
 */
import { AddressLookupTableProgram, PublicKey, TransactionMessage, VersionedTransaction, type AddressLookupTableAccount, type TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import type { TxSigner } from './builder.ts';

/** Addresses one extend instruction carries (keeps the transaction under 1232 bytes). */
export const EXTEND_BATCH = 30;
/** Addresses one table holds. */
export const TABLE_CAPACITY = 256;

export interface LookupTableChain {
  getSlot(): Promise<number>;
  getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: number }>;
  sendAndConfirm(tx: VersionedTransaction, lastValidBlockHeight: number): Promise<string>;
  getAddressLookupTable(address: string): Promise<AddressLookupTableAccount | null>;
}

export interface LookupTableManagerOptions {
  /** Uses before an account is worth a table slot (default 2). */
  minUses?: number;
  /** Accounts never put in a table (signers must be static keys anyway). */
  exclude?: Iterable<string>;
  /** How long to wait for a new slot after extending (default 10 s). */
  activationTimeoutMs?: number;
}

export class LookupTableManager {
  private readonly uses = new Map<string, number>();
  private readonly tables = new Map<string, AddressLookupTableAccount>();
  private readonly exclude: Set<string>;
  private readonly minUses: number;
  /** Transactions sent to create / extend tables (for reports). */
  readonly sent: { kind: 'create' | 'extend'; table: string; signature: string; addresses: number }[] = [];

  constructor(
    private readonly chain: LookupTableChain,
    private readonly authority: TxSigner,
    private readonly opts: LookupTableManagerOptions = {},
  ) {
    this.minUses = opts.minUses ?? 2;
    this.exclude = new Set([...(opts.exclude ?? []), authority.publicKey.toBase58()]);
  }

  /** Tables known now (pass them to the builder). */
  current(): AddressLookupTableAccount[] {
    return [...this.tables.values()];
  }

  /** Adopts an existing table (e.g. one created in an earlier run). */
  async adopt(address: string): Promise<AddressLookupTableAccount> {
    const t = await this.chain.getAddressLookupTable(address);
    if (!t) throw new SolrulesError('EXEC_LOOKUP_TABLE_MISSING', `lookup table ${address} does not exist`, { account: address });
    this.tables.set(address, t);
    return t;
  }

  /** Counts the accounts of a transaction we are about to build. */
  note(accounts: Iterable<string>): void {
    for (const a of new Set(accounts)) this.uses.set(a, (this.uses.get(a) ?? 0) + 1);
  }

  private inTables(): Set<string> {
    const s = new Set<string>();
    for (const t of this.tables.values()) for (const a of t.state.addresses) s.add(a.toBase58());
    return s;
  }

  /** Accounts used often enough and not yet in a table. */
  candidates(): string[] {
    const have = this.inTables();
    return [...this.uses].filter(([a, n]) => n >= this.minUses && !have.has(a) && !this.exclude.has(a)).map(([a]) => a).sort();
  }

  private async send(ixs: TransactionInstruction[]): Promise<string> {
    const { blockhash, lastValidBlockHeight } = await this.chain.getLatestBlockhash();
    const msg = new TransactionMessage({ payerKey: this.authority.publicKey, recentBlockhash: blockhash, instructions: ixs }).compileToV0Message();
    const tx = new VersionedTransaction(msg);
    this.authority.sign(tx);
    return this.chain.sendAndConfirm(tx, lastValidBlockHeight);
  }

  private async createTable(): Promise<string> {
    // The derivation slot must be in SlotHashes: a recent slot, not the one being produced.
    const recentSlot = Math.max(0, (await this.chain.getSlot()) - 1);
    const [ix, address] = AddressLookupTableProgram.createLookupTable({ authority: this.authority.publicKey, payer: this.authority.publicKey, recentSlot });
    const signature = await this.send([ix]);
    this.sent.push({ kind: 'create', table: address.toBase58(), signature, addresses: 0 });
    await this.refresh(address.toBase58());
    return address.toBase58();
  }

  private async refresh(address: string): Promise<AddressLookupTableAccount> {
    const t = await this.chain.getAddressLookupTable(address);
    if (!t) throw new SolrulesError('EXEC_LOOKUP_TABLE_MISSING', `lookup table ${address} is not on chain after creating it`, { account: address });
    this.tables.set(address, t);
    return t;
  }

  /** Creates / extends tables so that `candidates()` (plus `extra`) are in one; waits until they are usable. Returns addresses added. */
  async ensure(extra: Iterable<string> = []): Promise<string[]> {
    const have = this.inTables();
    const want = [...new Set([...this.candidates(), ...extra])].filter((a) => !have.has(a) && !this.exclude.has(a));
    if (want.length === 0) return [];
    let lastSlot = 0;
    let i = 0;
    while (i < want.length) {
      let table = [...this.tables.values()].find((t) => t.state.addresses.length < TABLE_CAPACITY && t.state.authority?.equals(this.authority.publicKey));
      if (!table) table = this.tables.get(await this.createTable())!;
      const room = TABLE_CAPACITY - table.state.addresses.length;
      const batch = want.slice(i, i + Math.min(EXTEND_BATCH, room));
      const ix = AddressLookupTableProgram.extendLookupTable({ lookupTable: table.key, authority: this.authority.publicKey, payer: this.authority.publicKey, addresses: batch.map((a) => new PublicKey(a)) });
      const signature = await this.send([ix]);
      this.sent.push({ kind: 'extend', table: table.key.toBase58(), signature, addresses: batch.length });
      const fresh = await this.refresh(table.key.toBase58());
      lastSlot = Math.max(lastSlot, Number(fresh.state.lastExtendedSlot));
      i += batch.length;
    }
    const deadline = Date.now() + (this.opts.activationTimeoutMs ?? 10_000);
    while ((await this.chain.getSlot()) <= lastSlot) {
      if (Date.now() > deadline) throw new SolrulesError('EXEC_LOOKUP_TABLE_INACTIVE', `lookup table entries added in slot ${lastSlot} are not active yet (no new slot)`, { slot: lastSlot });
      await new Promise((r) => setTimeout(r, 50));
    }
    return want;
  }
}

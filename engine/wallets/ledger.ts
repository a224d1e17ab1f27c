/**
 * The wallet ledger: what every managed wallet should hold, kept from our own confirmed
 * transfers. Every step is appended to a journal (JSON lines under .solrules/, fsynced) before
 * and after it happens — a transfer is recorded as `sent` with its signature before it is
 * broadcast, then `confirmed` with the exact balance changes its meta reports, or `failed` — so
 * a crash leaves nothing unrecorded, and a re-run resolves what was left in flight. Expected
 * balances and holds are the journal replayed; they are mirrored into the cache (Redis when
 * configured) so other processes (the balance scanner, the engine) read the same values.
 *
 * The journal holds addresses, amounts and signatures only — never key material.
 */
import { appendFileSync, closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Cache } from '../infra/cache/index.ts';
import { SolrulesError } from '../errors/index.ts';

/** `SOL` or a mint address. */
export type Asset = string;
export const SOL: Asset = 'SOL';

export interface BalanceLine {
  address: string;
  asset: Asset;
  atoms: string;
}

export interface TransferLine {
  from: string;
  to: string;
  asset: Asset;
  atoms: string;
  /** Token accounts created for it (rent paid by the fee payer). */
  createsAccount?: boolean;
}

export type JournalEntry =
  | { kind: 'baseline'; at: string; balances: BalanceLine[] }
  | { kind: 'sent'; at: string; op: 'fund' | 'sweep' | 'execution'; planId: string; signature: string; lastValidBlockHeight: number; transfers: TransferLine[]; touches?: string[] }
  | { kind: 'confirmed'; at: string; signature: string; fee: string; deltas: BalanceLine[] }
  | { kind: 'failed'; at: string; signature: string; error: string }
  | { kind: 'hold'; at: string; wallet: string; address: string; asset: Asset; expected: string; actual: string; difference: string }
  | { kind: 'explained'; at: string; wallet: string; address: string; asset: Asset; expected: string; actual: string; reason: string };

export interface Hold {
  wallet: string;
  address: string;
  asset: Asset;
  expected: string;
  actual: string;
  difference: string;
  since: string;
}

const key = (address: string, asset: Asset) => `${address}|${asset}`;

/** Expected balances and holds from the journal, mirrored to the cache. */
export class WalletLedger {
  private readonly expectedMap = new Map<string, bigint>();
  private readonly holdMap = new Map<string, Hold>();
  private readonly pendingMap = new Map<string, Extract<JournalEntry, { kind: 'sent' }>>();
  private readonly entries: JournalEntry[] = [];
  private offset = 0;

  constructor(
    readonly journalPath: string,
    private readonly cache?: Cache,
    /** Cache key namespace (the treasure address: the same wallet set shares one). */
    private readonly namespace = 'default',
  ) {}

  /** Reads what other processes appended to the journal since the last sync and mirrors it. */
  async sync(): Promise<void> {
    if (!existsSync(this.journalPath)) return;
    // Only what was appended since the last sync is read (the scanner syncs on every scan).
    const fd = openSync(this.journalPath, 'r');
    let buf: Buffer;
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return;
    const changed = new Set<string>();
    let line = 0;
    for (const raw of text.slice(0, end).split('\n')) {
      line += 1;
      if (raw.trim() === '') continue;
      let e: JournalEntry;
      try {
        e = JSON.parse(raw) as JournalEntry;
      } catch {
        throw new SolrulesError('WALLET_JOURNAL_CORRUPT', `wallet journal ${this.journalPath}: an entry after byte ${this.offset} (line ${line} of the new part) is not JSON`, { file: this.journalPath, offset: this.offset });
      }
      this.apply(e, changed);
    }
    this.offset += Buffer.byteLength(text.slice(0, end + 1));
    await this.mirror(changed);
  }

  /** Appends an entry (fsynced) and applies it. */
  async record(entry: JournalEntry): Promise<void> {
    await this.sync();
    mkdirSync(dirname(this.journalPath), { recursive: true, mode: 0o700 });
    const line = `${JSON.stringify(entry)}\n`;
    const fd = openSync(this.journalPath, 'a', 0o600);
    try {
      appendFileSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.offset += Buffer.byteLength(line);
    const changed = new Set<string>();
    this.apply(entry, changed);
    await this.mirror(changed);
  }

  private apply(e: JournalEntry, changed: Set<string>): void {
    this.entries.push(e);
    const add = (b: BalanceLine, set: boolean) => {
      const k = key(b.address, b.asset);
      this.expectedMap.set(k, (set ? 0n : (this.expectedMap.get(k) ?? 0n)) + BigInt(b.atoms));
      changed.add(k);
    };
    switch (e.kind) {
      case 'baseline':
        for (const b of e.balances) if (!this.expectedMap.has(key(b.address, b.asset))) add(b, true);
        break;
      case 'sent':
        this.pendingMap.set(e.signature, e);
        break;
      case 'confirmed':
        // Settled once: a second settlement of the same signature (the executor and a rebalancer's
        // resolvePending racing for an in-flight execution) must not count its deltas twice.
        if (!this.pendingMap.delete(e.signature)) break;
        for (const d of e.deltas) add(d, false);
        break;
      case 'failed':
        this.pendingMap.delete(e.signature);
        break;
      case 'hold':
        this.holdMap.set(e.address, { wallet: e.wallet, address: e.address, asset: e.asset, expected: e.expected, actual: e.actual, difference: e.difference, since: e.at });
        changed.add(`hold|${e.address}`);
        break;
      case 'explained':
        add({ address: e.address, asset: e.asset, atoms: e.actual }, true);
        this.holdMap.delete(e.address);
        changed.add(`hold|${e.address}`);
        break;
    }
  }

  private async mirror(changed: Set<string>): Promise<void> {
    if (!this.cache) return;
    for (const k of changed) {
      if (k.startsWith('hold|')) {
        const address = k.slice(5);
        const h = this.holdMap.get(address);
        if (h) await this.cache.set(`wallets:${this.namespace}:hold:${address}`, h);
        else await this.cache.delete(`wallets:${this.namespace}:hold:${address}`);
      } else await this.cache.set(`wallets:${this.namespace}:expected:${k}`, this.expectedMap.get(k)!.toString());
    }
  }

  /** What `address` should hold of `asset`, or undefined when we have never recorded it. */
  expected(address: string, asset: Asset): bigint | undefined {
    return this.expectedMap.get(key(address, asset));
  }

  /** The expected balance as another process sees it (the cache mirror). */
  async expectedShared(address: string, asset: Asset): Promise<bigint | undefined> {
    const v = await this.cache?.get<string>(`wallets:${this.namespace}:expected:${key(address, asset)}`);
    return v === undefined ? this.expected(address, asset) : BigInt(v);
  }

  /** The hold on a wallet, if any. */
  hold(address: string): Hold | undefined {
    return this.holdMap.get(address);
  }

  holds(): Hold[] {
    return [...this.holdMap.values()];
  }

  /** Transfers sent but neither confirmed nor failed yet (in flight, or left by a crash). */
  pending(): Extract<JournalEntry, { kind: 'sent' }>[] {
    return [...this.pendingMap.values()];
  }

  /** Whether an in-flight transfer touches `address` (its balance may move before the ledger knows by how much). */
  isPending(address: string): boolean {
    for (const p of this.pendingMap.values()) if (p.transfers.some((t) => t.from === address || t.to === address) || p.touches?.includes(address)) return true;
    return false;
  }

  /** Every entry read or written, in order. */
  journal(): readonly JournalEntry[] {
    return this.entries;
  }
}

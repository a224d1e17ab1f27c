/**
 * The wallet ledger: what every managed wallet should hold, kept from our own confirmed
 * transfers. Every step is appended to a journal (JSON lines under .solrules/, fsynced) before
 * and after it happens — a transfer is recorded as `sent` with its signature before it is
 * broadcast, then `confirmed` with the exact balance changes its meta reports, or `failed` — so
 * a crash leaves nothing unrecorded, and a re-run resolves what was left in flight. Expected
 * balances, transfers in flight and holds live in the cache (the in-memory one by default, Redis
 * when configured): each journal line is applied there once, atomically (exact atoms as decimal
 * strings; a settlement counts once even when two processes settle the same signature), so every
 * process sharing the cache — the engine, the balance scanner, `wallets` commands on another host —
 * judges balances against the same expectations and sees the same sends in flight.
 *
 * The journal holds addresses, amounts and signatures only — never key material.
 */
import { appendFileSync, closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { MemoryCache, type Cache, type HashOp, type HashUpdate } from '../infra/cache/index.ts';
import { SolrulesError } from '../errors/index.ts';
import type { WalletSettlements } from '../infra/store/index.ts';

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

/** How long a settlement's marker stays in the cache: a second settlement of the same signature (another process racing) within it counts nothing. */
const SETTLED_MARKER_TTL_MS = 7 * 24 * 3_600_000;

type SentEntry = Extract<JournalEntry, { kind: 'sent' }>;

/**
 * Expected balances, sends in flight and holds, kept in the cache; the journal is this process's
 * durable record of what it did, applied to the cache line by line.
 */
export class WalletLedger {
  private expectedMap = new Map<string, bigint>();
  private holdMap = new Map<string, Hold>();
  private pendingMap = new Map<string, SentEntry>();
  private readonly entries: JournalEntry[] = [];
  private offset = 0;
  private readonly cache: Cache;
  private journalId: string | undefined;

  constructor(
    readonly journalPath: string,
    /** Where expected balances are kept (default: an in-memory cache of this process alone). */
    cache?: Cache,
    /** Cache key namespace (the treasure address: the same wallet set shares one). */
    private readonly namespace = 'default',
    /**
     * The durable record of which journal line settled each send (the run's store): with it a
     * settlement counts once even after the cache lost its marker (Redis data loss); without it the
     * cache's marker alone decides.
     */
    private readonly settlements?: WalletSettlements,
  ) {
    this.cache = cache ?? new MemoryCache();
  }

  private k(what: 'expected' | 'pending' | 'holds'): string {
    return `wallets:${this.namespace}:${what}`;
  }

  /**
   * The journal's identity in the cache (host, path, inode and creation time): how far it has
   * been applied is kept per journal, so a restart replaying it, or another process sharing the
   * file, applies no line twice, and a journal recreated from scratch is a new one.
   */
  private identity(fd: number): string {
    if (!this.journalId) {
      const st = fstatSync(fd);
      this.journalId = createHash('sha256').update(`${hostname()}|${resolve(this.journalPath)}|${st.ino}|${st.birthtimeMs}`).digest('hex').slice(0, 16);
    }
    return `wallets:${this.namespace}:journal:${this.journalId}`;
  }

  /**
   * Applies what was appended to the journal since the last sync (ours or another process's) to
   * the cache, then reads the shared state back: what every other process sharing the cache did counts.
   */
  async sync(): Promise<void> {
    if (existsSync(this.journalPath)) await this.applyJournal();
    const [expected, pending, holds] = await Promise.all([this.cache.readHash(this.k('expected')), this.cache.readHash(this.k('pending')), this.cache.readHash(this.k('holds'))]);
    this.expectedMap = new Map(Object.entries(expected).map(([f, v]) => [f, BigInt(v)]));
    this.pendingMap = new Map(Object.entries(pending).map(([sig, v]) => [sig, JSON.parse(v) as SentEntry]));
    this.holdMap = new Map(Object.entries(holds).map(([address, v]) => [address, JSON.parse(v) as Hold]));
  }

  private async applyJournal(): Promise<void> {
    // Only what was appended since the last sync is read (the scanner syncs on every scan).
    const fd = openSync(this.journalPath, 'r');
    let buf: Buffer;
    let sequenceKey: string;
    try {
      sequenceKey = this.identity(fd);
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    let at = 0;
    let line = 0;
    for (;;) {
      const end = buf.indexOf(0x0a, at);
      if (end < 0) return; // a line still being written: the next sync takes it
      line += 1;
      const raw = buf.subarray(at, end).toString('utf8');
      const start = this.offset;
      const next = start + (end + 1 - at);
      if (raw.trim() !== '') {
        let e: JournalEntry;
        try {
          e = JSON.parse(raw) as JournalEntry;
        } catch {
          throw new SolrulesError('WALLET_JOURNAL_CORRUPT', `wallet journal ${this.journalPath}: an entry after byte ${start} (line ${line} of the new part) is not JSON`, { file: this.journalPath, offset: start });
        }
        // A settlement another journal line claimed in the durable store only clears the send from
        // the sends in flight: its deltas were counted there, whatever the cache still remembers.
        const update = (e.kind === 'confirmed' || e.kind === 'failed') && this.settlements && !(await this.settlements.claimWalletSettlement(this.namespace, e.signature, `${sequenceKey}@${start}`)) ? this.settledElsewhere(e.signature) : this.updateFor(e);
        // 'stale': this line was applied already (by us before a restart, or by a process sharing the file).
        await this.cache.updateHashes({ ...update, sequence: { key: sequenceKey, expect: String(start), next: String(next) } });
        this.entries.push(e);
      }
      this.offset = next;
      at = end + 1;
    }
  }

  /** A settlement already counted by another journal line: the send is no longer in flight, nothing else changes. */
  private settledElsewhere(signature: string): Omit<HashUpdate, 'sequence'> {
    return { once: { key: `wallets:${this.namespace}:settled:${signature}`, ttlMs: SETTLED_MARKER_TTL_MS }, ops: [{ op: 'delete', key: this.k('pending'), field: signature }] };
  }

  /** What a journal entry changes in the shared state. */
  private updateFor(e: JournalEntry): Omit<HashUpdate, 'sequence'> {
    const expected = this.k('expected');
    const settled = (signature: string) => `wallets:${this.namespace}:settled:${signature}`;
    switch (e.kind) {
      case 'baseline':
        return { ops: e.balances.map((b): HashOp => ({ op: 'init', key: expected, field: key(b.address, b.asset), atoms: BigInt(b.atoms) })) };
      case 'sent':
        // A send whose settlement is already in (another process settled it first) is not in flight again.
        return { unless: settled(e.signature), ops: [{ op: 'set', key: this.k('pending'), field: e.signature, value: JSON.stringify(e) }] };
      case 'confirmed':
        // Settled once: the executor and a rebalancer's resolvePending (any process) may both settle it.
        return { once: { key: settled(e.signature), ttlMs: SETTLED_MARKER_TTL_MS }, ops: [...e.deltas.map((d): HashOp => ({ op: 'add', key: expected, field: key(d.address, d.asset), atoms: BigInt(d.atoms) })), { op: 'delete', key: this.k('pending'), field: e.signature }] };
      case 'failed':
        return { once: { key: settled(e.signature), ttlMs: SETTLED_MARKER_TTL_MS }, ops: [{ op: 'delete', key: this.k('pending'), field: e.signature }] };
      case 'hold': {
        const h: Hold = { wallet: e.wallet, address: e.address, asset: e.asset, expected: e.expected, actual: e.actual, difference: e.difference, since: e.at };
        return { ops: [{ op: 'set', key: this.k('holds'), field: e.address, value: JSON.stringify(h) }] };
      }
      case 'explained':
        return { ops: [{ op: 'set', key: expected, field: key(e.address, e.asset), value: BigInt(e.actual).toString() }, { op: 'delete', key: this.k('holds'), field: e.address }] };
    }
  }

  /** Appends an entry (fsynced), then applies it — and whatever else was appended — to the shared state. */
  async record(entry: JournalEntry): Promise<void> {
    mkdirSync(dirname(this.journalPath), { recursive: true, mode: 0o700 });
    const line = `${JSON.stringify(entry)}\n`;
    const fd = openSync(this.journalPath, 'a', 0o600);
    try {
      appendFileSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await this.sync();
  }

  /** What `address` should hold of `asset` as of the last sync, or undefined when nobody has recorded it. */
  expected(address: string, asset: Asset): bigint | undefined {
    return this.expectedMap.get(key(address, asset));
  }

  /** The hold on a wallet, if any (as of the last sync). */
  hold(address: string): Hold | undefined {
    return this.holdMap.get(address);
  }

  holds(): Hold[] {
    return [...this.holdMap.values()];
  }

  /** Transfers and executions sent but neither confirmed nor failed yet, by any process sharing the cache (in flight, or left by a crash). */
  pending(): SentEntry[] {
    return [...this.pendingMap.values()];
  }

  /** Whether an in-flight transfer touches `address` (its balance may move before the ledger knows by how much). */
  isPending(address: string): boolean {
    for (const p of this.pendingMap.values()) if (p.transfers.some((t) => t.from === address || t.to === address) || p.touches?.includes(address)) return true;
    return false;
  }

  /** Every entry of this process's journal read or written, in order. */
  journal(): readonly JournalEntry[] {
    return this.entries;
  }
}

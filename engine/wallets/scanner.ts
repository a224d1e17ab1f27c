/**
 * The balance scanner: reads every managed wallet and token account in batched
 * getMultipleAccounts calls (≤100 accounts each) on an interval, and again as soon as an
 * account subscription reports a change. Actual balances are compared with the ledger's
 * expected ones; a difference beyond the tolerance puts the wallet on hold (journalled, so
 * every process and `wallets status` see it), publishes `wallets.discrepancy.<wallet>` on the
 * bus and sets the solrules_wallet_* metrics. A wallet with a transfer of ours in flight is not
 * judged until it settles. The hold stays until an operator explains it (`wallets explain`).
 */
import { Connection, PublicKey } from '@solana/web3.js';
import type { Bus } from '../infra/bus/index.ts';
import type { Store } from '../infra/store/index.ts';
import { metrics } from '../infra/telemetry/index.ts';
import { ataOf, type MintInfo, type JsonRpc } from './chain.ts';
import { SOL, type WalletLedger } from './ledger.ts';
import { readHoldings, type ManagedWallet } from './plan.ts';
import type { HoldSource } from './workers.ts';

export interface ScannerOptions {
  /** How often every balance is read (default 5000 ms). */
  intervalMs?: number;
  /** SOL difference tolerated (default 0: to the lamport). */
  toleranceLamports?: bigint;
  /** Token difference tolerated, in atoms (default 0). */
  toleranceAtoms?: bigint;
  bus?: Bus;
  /** WebSocket endpoint for account subscriptions; none: the interval alone. */
  wsUrl?: string;
  /** Where balance history goes (the store): one row per (wallet address, asset) each time its balance changes. */
  history?: Pick<Store, 'recordWalletBalance'>;
  /** Called for each new discrepancy (after it is journalled and published). */
  onDiscrepancy?: (d: Discrepancy) => void;
}

export interface Discrepancy {
  wallet: string;
  tier: string;
  address: string;
  asset: string;
  mint: string;
  expected: string;
  actual: string;
  difference: string;
  detectedAt: string;
  /** What triggered the read: the interval or an account subscription. */
  trigger: 'interval' | 'subscription';
}

export interface ScanReport {
  accounts: number;
  calls: number;
  ms: number;
  discrepancies: Discrepancy[];
}

/** Reads balances, compares them with the ledger, holds wallets that differ. */
export class BalanceScanner implements HoldSource {
  private timer: NodeJS.Timeout | undefined;
  private conn: Connection | undefined;
  private subs: number[] = [];
  private running: Promise<ScanReport> | undefined;
  private again: 'interval' | 'subscription' | undefined;
  private stopped = false;
  private readonly lastRecorded = new Map<string, bigint>();
  readonly scans: ScanReport[] = [];

  constructor(
    private readonly rpc: JsonRpc,
    private readonly ledger: WalletLedger,
    private readonly managed: readonly ManagedWallet[],
    private readonly mints: readonly MintInfo[],
    private readonly opts: ScannerOptions = {},
  ) {}

  /** Whether a wallet is on hold (the worker pool skips it). */
  isOnHold(address: string): boolean {
    return this.ledger.hold(address) !== undefined;
  }

  /** Starts the interval and the subscriptions; the first scan runs now. */
  async start(): Promise<ScanReport> {
    this.stopped = false;
    const first = await this.scan('interval');
    this.timer = setInterval(() => void this.trigger('interval'), this.opts.intervalMs ?? 5_000);
    if (this.opts.wsUrl) {
      this.conn = new Connection(this.opts.wsUrl.replace(/^ws/, 'http'), { commitment: 'confirmed', wsEndpoint: this.opts.wsUrl });
      for (const w of this.managed) {
        const addrs = [w.address, ...this.mints.map((m) => ataOf(w.address, m))];
        for (const a of addrs) this.subs.push(this.conn.onAccountChange(new PublicKey(a), () => void this.trigger('subscription'), { commitment: 'confirmed' }));
      }
    }
    return first;
  }

  private async trigger(why: 'interval' | 'subscription'): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = this.again ?? why;
      return;
    }
    try {
      await this.scan(why);
    } catch {
      // A failed read is retried on the next tick; the RPC pool reports its errors itself.
    }
    if (this.again && !this.stopped) {
      const next = this.again;
      this.again = undefined;
      await this.trigger(next);
    }
  }

  /** One full read and comparison. */
  async scan(trigger: 'interval' | 'subscription' = 'interval'): Promise<ScanReport> {
    const run = (async () => {
      const started = performance.now();
      await this.ledger.sync();
      const { holdings, calls, accounts, slot } = await readHoldings(this.rpc, this.managed, this.mints);
      await this.recordHistory(holdings, slot);
      const found: Discrepancy[] = [];
      await this.ledger.sync(); // a transfer journalled while we read is pending now, not a discrepancy
      for (const w of this.managed) {
        const h = holdings.get(w.address)!;
        const labels = { wallet: w.name, tier: w.tier };
        metrics.wallets.balance.set(labels, Number(h.lamports) / 1e9);
        metrics.wallets.floor.set(labels, Number(w.minLamports) / 1e9);
        const expectedSol = this.ledger.expected(w.address, SOL);
        // In flight, the balance has moved and the expectation not yet: the last settled difference stands.
        if (expectedSol !== undefined && !this.ledger.isPending(w.address)) metrics.wallets.difference.set(labels, Number(h.lamports - expectedSol));
        if (!this.ledger.isPending(w.address) && !this.ledger.hold(w.address)) {
          const checks: { asset: string; mint: string; actual: bigint; tolerance: bigint }[] = [{ asset: 'SOL', mint: SOL, actual: h.lamports, tolerance: this.opts.toleranceLamports ?? 0n }];
          for (const m of this.mints) checks.push({ asset: m.name, mint: m.address, actual: h.tokens.get(m.address)!.atoms, tolerance: this.opts.toleranceAtoms ?? 0n });
          for (const c of checks) {
            const expected = this.ledger.expected(w.address, c.mint);
            if (expected === undefined) continue;
            const diff = c.actual - expected;
            if ((diff < 0n ? -diff : diff) <= c.tolerance) continue;
            if (w.tier === 'treasure' && diff > 0n) {
              // Operators top the treasure up: a deposit is journalled, not held.
              await this.ledger.record({ kind: 'explained', at: new Date().toISOString(), wallet: w.name, address: w.address, asset: c.mint, expected: expected.toString(), actual: c.actual.toString(), reason: 'deposit to the treasure (accepted automatically)' });
              continue;
            }
            const d: Discrepancy = { wallet: w.name, tier: w.tier, address: w.address, asset: c.asset, mint: c.mint, expected: expected.toString(), actual: c.actual.toString(), difference: diff.toString(), detectedAt: new Date().toISOString(), trigger };
            await this.ledger.record({ kind: 'hold', at: d.detectedAt, wallet: w.name, address: w.address, asset: c.mint, expected: d.expected, actual: d.actual, difference: d.difference });
            metrics.wallets.discrepancies.inc({ tier: w.tier });
            await this.opts.bus?.publish(`wallets.discrepancy.${w.name}`, d, { msgId: `wallet-discrepancy:${w.address}:${c.mint}:${d.detectedAt}` });
            found.push(d);
            this.opts.onDiscrepancy?.(d);
            break; // one hold per wallet; status shows every asset
          }
        }
        metrics.wallets.onHold.set(labels, this.ledger.hold(w.address) ? 1 : 0);
      }
      const report = { accounts, calls, ms: performance.now() - started, discrepancies: found };
      this.scans.push(report);
      if (this.scans.length > 1000) this.scans.shift();
      return report;
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  private async recordHistory(holdings: Map<string, { lamports: bigint; tokens: Map<string, { atoms: bigint; exists: boolean }> }>, slot: number): Promise<void> {
    if (!this.opts.history) return;
    const at = new Date().toISOString();
    for (const w of this.managed) {
      const h = holdings.get(w.address)!;
      const rows: [string, bigint][] = [[SOL, h.lamports], ...this.mints.filter((m) => h.tokens.get(m.address)!.exists).map((m) => [m.address, h.tokens.get(m.address)!.atoms] as [string, bigint])];
      for (const [mint, atoms] of rows) {
        const k = `${w.address}|${mint}`;
        if (this.lastRecorded.get(k) === atoms) continue;
        await this.opts.history.recordWalletBalance({ wallet: w.address, mint, atoms, slot, at });
        this.lastRecorded.set(k, atoms);
      }
    }
  }

  /** Stops the interval and removes every subscription (web3.js closes its socket once none is left). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const subs = this.subs;
    this.subs = [];
    await Promise.all(subs.map((id) => this.conn!.removeAccountChangeListener(id).catch(() => undefined)));
    // web3.js closes its socket 500 ms after the last listener goes; a node shut down sooner makes
    // it reconnect in a loop. Wait (at most 2 s) for that close.
    const conn = this.conn as unknown as { _rpcWebSocketIdleTimeout?: unknown } | undefined;
    for (let i = 0; subs.length && i < 40 && conn?._rpcWebSocketIdleTimeout; i++) await new Promise((r) => setTimeout(r, 50));
    // A socket still connecting when the last listener went (a stop right after start) never gets
    // that idle close (web3.js arms it only on a connected socket) and reconnects forever once the
    // node is gone, keeping the process alive: close it ourselves, with reconnection off.
    const socket = (this.conn as unknown as { _rpcWebSocket?: { setAutoReconnect(on: boolean): void; close(): void } } | undefined)?._rpcWebSocket;
    if (subs.length && socket) {
      socket.setAutoReconnect(false);
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    await this.running?.catch(() => undefined);
  }
}

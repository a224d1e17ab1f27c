/**
 * Worker selection: an order gets a worker wallet that is free (no other order holds it) and
 * funded (balance at least its minimum plus what the order needs). The wallet is held until
 * the order's transaction settles (landed, failed, or its blockhash expired), then released.
 */
import { SolrulesError } from '../errors/index.ts';
import { metrics } from '../infra/telemetry/index.ts';
import type { WalletSigner } from './keystore.ts';

export interface BalanceSource {
  /** Lamports of an address now. */
  getBalance(address: string): Promise<bigint>;
}

/** Wallets put on hold (a balance discrepancy not yet explained): never handed to an order. */
export interface HoldSource {
  isOnHold(address: string): boolean;
}

export interface WorkerLease {
  readonly wallet: WalletSigner;
  readonly orderId: string;
  readonly since: number;
}

/** Picks and holds worker wallets. */
export class WorkerPool {
  private readonly held = new Map<string, WorkerLease>();
  private next = 0;

  constructor(
    private readonly workers: readonly WalletSigner[],
    private readonly balances: BalanceSource,
    private readonly holds?: HoldSource,
  ) {
    if (workers.length === 0) throw new SolrulesError('WALLET_NO_WORKERS', 'no worker wallets are configured (wallets.yaml: tier worker)', { tier: 'worker' });
  }

  /** solrules_wallets_busy: workers held by an order in flight. */
  private reportBusy(): void {
    metrics.wallets.busy.set({ tier: 'worker' }, this.held.size);
  }

  /** Addresses held, by order id. */
  holders(): Map<string, string> {
    return new Map([...this.held.values()].map((l) => [l.orderId, l.wallet.address]));
  }

  /** Whether a wallet is held. */
  isHeld(address: string): boolean {
    return this.held.has(address);
  }

  /** The wallet an order holds, if any. */
  leaseOf(orderId: string): WorkerLease | undefined {
    return [...this.held.values()].find((l) => l.orderId === orderId);
  }

  /**
   * Holds a free worker with at least `minBalance + needLamports` for `orderId` (round-robin
   * from the last pick, so load spreads). The same order asking again gets the same wallet.
   */
  async acquire(orderId: string, needLamports: bigint): Promise<WorkerLease> {
    const existing = this.leaseOf(orderId);
    if (existing) return existing;
    const underfunded: { wallet: string; lamports: string; needed: string }[] = [];
    const onHold: string[] = [];
    for (let i = 0; i < this.workers.length; i++) {
      const w = this.workers[(this.next + i) % this.workers.length]!;
      if (this.held.has(w.address)) continue;
      if (this.holds?.isOnHold(w.address)) {
        onHold.push(w.name);
        continue;
      }
      // Held synchronously before the await, so two orders cannot take the same wallet.
      const lease: WorkerLease = { wallet: w, orderId, since: Date.now() };
      this.held.set(w.address, lease);
      let balance: bigint;
      try {
        balance = await this.balances.getBalance(w.address);
      } catch (err) {
        this.held.delete(w.address);
        throw err;
      }
      const needed = w.minBalanceLamports + needLamports;
      if (balance >= needed) {
        this.next = (this.next + i + 1) % this.workers.length;
        this.reportBusy();
        return lease;
      }
      this.held.delete(w.address);
      underfunded.push({ wallet: w.name, lamports: balance.toString(), needed: needed.toString() });
    }
    const busy = this.workers.length - underfunded.length - onHold.length;
    throw new SolrulesError(
      'WALLET_NO_FREE_WORKER',
      `no worker wallet is free and funded for order ${orderId}: ${busy} held by other orders, ${underfunded.length} below their minimum plus ${needLamports} lamports, ${onHold.length} on hold for an unexplained balance difference`,
      { orderId, busy, underfunded, onHold },
    );
  }

  /** Holds a specific wallet for an order (recovery after a restart: the order keeps the wallet it was sent from). */
  hold(orderId: string, address: string): WorkerLease {
    const w = this.workers.find((x) => x.address === address);
    if (!w) throw new SolrulesError('WALLET_UNKNOWN', `no worker wallet has address ${address}`, { orderId, wallet: address });
    const cur = this.held.get(address);
    if (cur && cur.orderId !== orderId) throw new SolrulesError('WALLET_HELD', `worker ${w.name} is held by order ${cur.orderId}`, { orderId, wallet: w.name, heldBy: cur.orderId });
    const lease = cur ?? { wallet: w, orderId, since: Date.now() };
    this.held.set(address, lease);
    this.reportBusy();
    return lease;
  }

  /** Releases whatever `orderId` holds (no-op when nothing). */
  release(orderId: string): void {
    for (const [addr, l] of this.held) if (l.orderId === orderId) this.held.delete(addr);
    this.reportBusy();
  }
}

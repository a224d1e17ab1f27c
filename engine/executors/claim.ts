/**
 * Claiming an order among several executor processes of one queue group: a lock per order (per
 * wallet, when the order names one) in the shared cache, whose fencing token every store write
 * made for the order carries, so a worker whose lease ran out cannot record anything more.
 * While the cache does not answer no order is claimed: the message is held (its redelivery
 * deadline pushed back) and the claim retried until the cache answers, so nothing is lost and
 * nothing runs on state that cannot be checked.
 */
import type { BusMessage } from '../infra/bus/index.ts';
import type { Cache, LockLease } from '../infra/cache/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import type { Order } from '../orders/index.ts';
import type { Fence } from '../infra/store/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';

export interface Claim {
  fence: Fence;
  /** Set once a renewal found the lease gone: every fenced write of this holder is refused from then on. */
  readonly lost: boolean;
  /** Stops renewing and releases the lock (it expires by itself if the cache cannot be reached). */
  release(): Promise<void>;
}

export interface ClaimCounts {
  /** Times an order was held because the cache did not answer. */
  cacheWaits: number;
  /** Times it waited for another worker's claim on the order. */
  lockWaits: number;
  /** Lease renewals made while an execution outlived a third of the lock's TTL. */
  leaseRenewals: number;
  /** Claims found lost at renewal (the holder paused longer than the TTL). */
  leasesLost: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The lock an order is claimed by: its wallet's when the order names one, else the order's own. */
export function claimName(order: Order): string {
  return typeof order.params.wallet === 'string' ? `wallet:${order.params.wallet}` : `order:${order.id}`;
}

export class OrderClaims {
  /** Set when the worker stops: a cache outage then ends the wait with its error. */
  stopping = false;

  constructor(
    private readonly cache: Cache,
    private readonly opts: { lockTtlMs: number; retryMs: number; maxHoldMs: number },
    private readonly counts: ClaimCounts,
    private readonly log: Logger,
  ) {}

  /** Runs `op` against the cache, holding the message while the cache does not answer. */
  private async withCache<T>(msg: BusMessage | undefined, op: () => Promise<T>): Promise<T> {
    for (let warned = false; ; ) {
      try {
        return await op();
      } catch (err) {
        if (!isSolrulesError(err, 'CACHE_UNAVAILABLE') || this.stopping) throw err;
        this.counts.cacheWaits++;
        if (!warned) this.log.warn({ err: err.message }, 'cache unreachable: holding orders until it answers (no new orders while state is unsure)');
        warned = true;
        msg?.inProgress();
        await sleep(this.opts.retryMs);
      }
    }
  }

  /**
   * Claims `order`, waiting while another worker holds it (a holder that died lets its lease
   * expire); undefined when `settled()` says the holder finished it meanwhile.
   */
  async claim(order: Order, msg: BusMessage | undefined, settled: () => Promise<boolean>): Promise<Claim | undefined> {
    const resource = claimName(order);
    for (;;) {
      const lease = await this.withCache(msg, () => this.cache.acquireLock(resource, this.opts.lockTtlMs));
      if (lease) return this.renewing(resource, lease);
      if (await settled()) return undefined;
      this.counts.lockWaits++;
      msg?.inProgress();
      await sleep(this.opts.retryMs);
    }
  }

  /**
   * Keeps `lease` alive every third of its TTL while the order executes — an execution longer
   * than the TTL (a slow confirmation) no longer lets another worker take the order mid-send.
   * A renewal the cache cannot answer is retried at the next tick (the lease may still hold);
   * one that finds the lease gone marks the claim lost: the store's fence refuses the rest.
   * Renewals stop after `maxHoldMs`, so a worker that hangs (alive but stuck) gives the order up
   * to the next holder instead of keeping it forever.
   */
  private renewing(resource: string, lease: LockLease): Claim {
    const ttlMs = this.opts.lockTtlMs;
    const holdUntil = Date.now() + this.opts.maxHoldMs;
    let lost = false;
    const timer = setInterval(() => {
      const renewTtlMs = Math.min(ttlMs, holdUntil - Date.now());
      if (renewTtlMs <= 0) return clearInterval(timer);
      lease.renew(renewTtlMs).then(
        (held) => {
          if (held) this.counts.leaseRenewals++;
          else if (!lost) {
            lost = true;
            this.counts.leasesLost++;
            clearInterval(timer);
            this.log.warn({ resource, fencingToken: lease.fencingToken }, 'claim lease lost before the execution finished; its writes are fenced off and the next holder resumes the order');
          }
        },
        () => undefined,
      );
    }, Math.max(10, Math.floor(ttlMs / 3)));
    timer.unref();
    return {
      fence: { resource, token: lease.fencingToken },
      get lost() {
        return lost;
      },
      release: async () => {
        clearInterval(timer);
        await lease.release().catch(() => undefined);
      },
    };
  }
}

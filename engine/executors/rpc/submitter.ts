/**
 * The RPC executor's sending ("TPU direct" in the plan, for trades that are not MEV-sensitive):
 * `sendTransaction` with preflight off and `maxRetries: 0`, to every endpoint of the pool in
 * turn on failure, and our own rebroadcast of the same signed bytes every `rebroadcastMs` and at
 * each leader change, until the confirmation monitor says it landed, failed, or its blockhash
 * passed `lastValidBlockHeight`. The same bytes can land at most once: the signature is the id.
 */
import bs58 from 'bs58';
import { SolrulesError } from '../../errors/index.ts';
import { logger, metrics, type Logger } from '../../infra/telemetry/index.ts';
import type { ConfirmationMonitor } from '../confirm/monitor.ts';
import type { AttemptOutcome, Prepared, Submitter } from '../live/executor.ts';
import type { SwapPlan } from '../live/plan.ts';
import type { TransactionBuilder } from '../tx/builder.ts';
import type { LookupTableManager } from '../tx/lookup-tables.ts';
import type { WalletSigner } from '../../wallets/index.ts';
import type { RpcPool } from './pool.ts';

export interface RpcSubmitterOptions {
  /** Rebroadcast interval (default 1000 ms). */
  rebroadcastMs?: number;
  /** Slots per leader (4 on Solana): the leader changes on multiples of this. */
  slotsPerLeader?: number;
  /** Slot length used to time the next leader change (default 400 ms). */
  slotMs?: number;
  log?: Logger;
  /** Told the block height at which an attempt's blockhash expired (the blockhash cache then never serves one that old). */
  onExpired?: (blockHeight: number) => void;
}


/** Milliseconds until the leader next changes, from the slot and (when the node serves it) the leader schedule. */
export function msUntilLeaderChange(slot: number, leaders: readonly string[] | undefined, slotsPerLeader: number, slotMs: number): number {
  if (leaders && leaders.length > 1) {
    const i = leaders.findIndex((l) => l !== leaders[0]);
    if (i > 0) return i * slotMs;
  }
  return (slotsPerLeader - (slot % slotsPerLeader)) * slotMs;
}

export class RpcSubmitter implements Submitter {
  readonly kind = 'rpc' as const;
  private readonly rebroadcastMs: number;
  private readonly slotsPerLeader: number;
  private readonly slotMs: number;
  private readonly log: Logger;
  /** Sends by signature (first + rebroadcasts), for tests and reports. */
  readonly sendCounts = new Map<string, number>();
  /** The signed bytes sent, by signature (public once sent; tests resend them to show they cannot land twice). */
  readonly sentWire = new Map<string, Uint8Array>();

  private readonly onExpired: ((blockHeight: number) => void) | undefined;

  constructor(
    private readonly rpc: RpcPool,
    private readonly builder: TransactionBuilder,
    private readonly monitor: ConfirmationMonitor,
    private readonly lookupTables?: LookupTableManager,
    opts: RpcSubmitterOptions = {},
  ) {
    this.rebroadcastMs = opts.rebroadcastMs ?? 1000;
    this.onExpired = opts.onExpired;
    this.slotsPerLeader = opts.slotsPerLeader ?? 4;
    this.slotMs = opts.slotMs ?? 400;
    this.log = opts.log ?? logger().child({ component: 'rpc-submitter' });
  }

  async prepare(ctx: { plan: SwapPlan; wallet: WalletSigner }): Promise<Prepared> {
    const { plan, wallet } = ctx;
    const built = await this.builder.build({
      payer: wallet,
      ...(plan.signers ? { signers: plan.signers } : {}),
      instructions: plan.instructions,
      ...(plan.flashLoan ? { flashLoan: plan.flashLoan } : {}),
      lookupTables: [...(plan.lookupTables ?? []), ...(this.lookupTables?.current() ?? [])],
      ...(plan.simulation ? { simulatedUnits: plan.simulation.unitsConsumed } : {}),
    });
    return { txs: [built], tipLamports: 0n, blockhash: built.blockhash, lastValidBlockHeight: built.lastValidBlockHeight };
  }

  private async broadcast(wire: Uint8Array, signature: string, kind: 'first' | 'rebroadcast'): Promise<void> {
    this.sendCounts.set(signature, (this.sendCounts.get(signature) ?? 0) + 1);
    this.sentWire.set(signature, wire);
    if (kind === 'rebroadcast') metrics.execution.retries.inc({ executor: 'rpc', reason: 'dropped' });
    const returned = await this.rpc.sendRaw(wire);
    if (returned !== signature) throw new SolrulesError('EXEC_SIGNATURE_MISMATCH', `sendTransaction returned ${returned}, expected ${signature}`, { signature, returned });
  }

  /** When to send next: the sooner of the rebroadcast interval and the next leader change. */
  private async nextDelay(): Promise<number> {
    try {
      const slot = await this.rpc.getSlot();
      const leaders = await this.rpc.getSlotLeaders(slot, this.slotsPerLeader + 1);
      return Math.max(20, Math.min(this.rebroadcastMs, msUntilLeaderChange(slot, leaders, this.slotsPerLeader, this.slotMs) + 10));
    } catch {
      return this.rebroadcastMs;
    }
  }

  async send(p: Prepared): Promise<AttemptOutcome> {
    const built = p.txs[0]!;
    const wire = built.tx.serialize();
    const signature = bs58.encode(built.tx.signatures[0]!);
    let done = false;
    const watch = this.monitor.wait(signature, p.lastValidBlockHeight).finally(() => (done = true));
    const loop = (async () => {
      let kind: 'first' | 'rebroadcast' = 'first';
      while (!done) {
        try {
          await this.broadcast(wire, signature, kind);
        } catch (err) {
          // Every endpoint failed this time; the monitor decides when to give up.
          this.log.warn({ signature, err: err instanceof SolrulesError ? err.message : String(err) }, 'send failed; will rebroadcast');
        }
        kind = 'rebroadcast';
        const delay = await this.nextDelay();
        const until = Date.now() + delay;
        while (!done && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(25, until - Date.now())));
      }
    })();
    const outcome = await watch;
    await loop;
    switch (outcome.kind) {
      case 'confirmed':
        return { kind: 'landed', signatures: [signature], slot: outcome.slot };
      case 'failed':
        return { kind: 'failed-on-chain', signature, slot: outcome.slot, reason: `transaction ${signature} failed on chain: ${JSON.stringify(outcome.err)}` };
      case 'expired':
        this.onExpired?.(outcome.blockHeight);
        return { kind: 'expired', reason: `blockhash expired at block height ${outcome.lastValidBlockHeight} (now ${outcome.blockHeight}) without ${signature} landing after ${this.sendCounts.get(signature) ?? 0} sends` };
      case 'timeout':
        return { kind: 'unknown', reason: `no confirmation within ${outcome.afterMs} ms for ${signature}; not resent (it may still land until block height ${p.lastValidBlockHeight})` };
    }
  }

  async close(): Promise<void> {}
}

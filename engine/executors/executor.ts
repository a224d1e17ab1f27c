/**
 * The Executor interface: turns a routed order into a fill (or a failure). Implementations:
 * paper (simulated fills, the default), rpc and jito (live; need --live and wallets).
 */
import type { Order, ExecutionReport, RoutedOrder } from '../orders/index.ts';
import type { SubmissionEntry } from './journal.ts';
import type { Fence } from '../infra/store/index.ts';

/** What the worker hands an executor with an order, for the submissions the executor records. */
export interface ExecutionContext {
  /** The fencing token of the worker's claim on the order (queue-group workers): a write carrying an older one is refused. */
  fence?: Fence;
  /** The engine process executing it (recorded with each submission). */
  workerId?: string;
}

/** What an executor declares it can do beyond `execute`; the worker relies only on what is declared. */
export interface ExecutorCapabilities {
  /** It journals its own attempts and can resume an order after a restart (live executors). */
  readonly resumable?: boolean;
}

export interface Executor {
  /** Registered name (strategies.yaml `executors:` key). */
  readonly name: string;
  /** Implementation: paper, rpc, jito, ... */
  readonly kind: string;
  /** Executes one order to a final outcome; never resolves 'filled' without the fill's amounts. */
  execute(routed: RoutedOrder, ctx?: ExecutionContext): Promise<ExecutionReport>;
  close(): Promise<void>;
  readonly capabilities?: ExecutorCapabilities;
}

/** Where a resumed order stands: settled with its report, or never landed (send it again as attempt `nextAttempt`). */
export type ResumeOutcome = { kind: 'settled'; report: ExecutionReport } | { kind: 'not-landed'; nextAttempt: number };

/** An executor that declares `capabilities.resumable`: recovery after a restart follows its journal on chain. */
export interface ResumableExecutor extends Executor {
  readonly capabilities: { readonly resumable: true };
  resume(routed: RoutedOrder, entries: readonly SubmissionEntry[]): Promise<ResumeOutcome>;
  run(routed: RoutedOrder, firstAttempt: number, rebuildsUsed: number, ctx?: ExecutionContext): Promise<ExecutionReport>;
}

/** True when the executor declares it can resume (no probing for methods). */
export function isResumable(e: Executor): e is ResumableExecutor {
  return e.capabilities?.resumable === true;
}

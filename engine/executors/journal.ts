/**
 * The submission journal: every send is recorded here *before* it leaves the process — order,
 * attempt, wallet, the signatures it carries, its blockhash and last valid block height, the
 * bundle id. After a restart an order in state `submitted` is looked up here and checked on
 * chain; nothing in it is ever resent blindly. (issue 6's Store.recordSubmission holds the same
 * facts in PostgreSQL; this interface is what execution needs of it.)
 */
import type { ExecutionContext } from './executor.ts';
import type { ExecutionLog, Fence, StrategyStateStore } from '../infra/store/index.ts';
export interface SubmissionEntry {
  orderId: string;
  /** 1 for the first send; a rebuilt transaction (new blockhash) is the next attempt. */
  attempt: number;
  executor: string;
  wallet: string;
  /** Signatures of every transaction sent (a bundle's, in order). A rebroadcast of the same bytes is not a new entry. */
  signatures: string[];
  blockhash: string;
  lastValidBlockHeight: number;
  bundleId?: string;
  at: string;
}

export interface SubmissionJournal {
  /**
   * Records an attempt; false when (orderId, attempt) is already recorded (nothing is replaced).
   * A fence in `ctx` guards the write (STORE_FENCED when a newer claim exists); its worker id is recorded.
   */
  record(entry: SubmissionEntry, ctx?: ExecutionContext): Promise<boolean>;
  /** An order's attempts, oldest first. */
  forOrder(orderId: string): Promise<SubmissionEntry[]>;
  /** Keeps the routed order (JSON) an executor took, so a restart can resume it with its route. */
  saveRouted(orderId: string, routed: unknown): Promise<void>;
  routedOf(orderId: string): Promise<unknown | undefined>;
  /** Attempts recorded as sent whose details are lost (recovery must not resend these); journals that cannot lose details omit it. */
  undocumented?(orderId: string): Promise<number>;
}

/** In-memory journal (tests, single-process runs: it lives as long as the object is kept). */
export class MemorySubmissionJournal implements SubmissionJournal {
  private readonly entries = new Map<string, SubmissionEntry[]>();
  private readonly routed = new Map<string, string>();

  async saveRouted(orderId: string, routed: unknown): Promise<void> {
    this.routed.set(orderId, JSON.stringify(routed));
  }

  async routedOf(orderId: string): Promise<unknown | undefined> {
    const j = this.routed.get(orderId);
    return j === undefined ? undefined : JSON.parse(j);
  }

  async record(entry: SubmissionEntry): Promise<boolean> {
    const list = this.entries.get(entry.orderId) ?? [];
    if (list.some((e) => e.attempt === entry.attempt)) return false;
    list.push(structuredClone(entry));
    this.entries.set(entry.orderId, list);
    return true;
  }

  async forOrder(orderId: string): Promise<SubmissionEntry[]> {
    return structuredClone(this.entries.get(orderId) ?? []);
  }

  /** Every entry (for reports and tests). */
  all(): SubmissionEntry[] {
    return [...this.entries.values()].flat().map((e) => structuredClone(e));
  }
}

/** What the store-backed journal needs of the store: submissions, and its own state row. */
export type JournalStore = Pick<ExecutionLog, 'recordSubmission' | 'listSubmissions'> & StrategyStateStore;

/**
 * A journal that survives the process: each attempt is the store's submission row (order,
 * attempt, wallet, the last signature, bundle id — what operators and other tools read) and its
 * full entry (every signature, blockhash, last valid block height, expected amounts) is kept
 * beside it as a JSON document under `execution.journal.<order id>`, written first. An order
 * with a submission row but no document is reported as unknown by `forOrder` callers' recovery,
 * never resent.
 */
export class StoreSubmissionJournal implements SubmissionJournal {
  constructor(private readonly store: JournalStore) {}

  private key(orderId: string): string {
    return `execution.journal.${orderId}`;
  }

  async record(entry: SubmissionEntry, ctx: ExecutionContext = {}): Promise<boolean> {
    const entries = await this.forOrder(entry.orderId);
    if (entries.some((e) => e.attempt === entry.attempt)) return false;
    await this.store.saveStrategyState(this.key(entry.orderId), [...entries, entry]);
    return this.store.recordSubmission(
      {
        orderId: entry.orderId,
        attempt: entry.attempt,
        executor: entry.executor,
        ...(ctx.workerId ? { workerId: ctx.workerId } : {}),
        wallet: entry.wallet,
        signature: entry.signatures[entry.signatures.length - 1]!,
        ...(entry.bundleId ? { bundleId: entry.bundleId } : {}),
        at: entry.at,
      },
      ctx.fence ? { fence: ctx.fence } : {},
    );
  }

  async forOrder(orderId: string): Promise<SubmissionEntry[]> {
    return (await this.store.loadStrategyState<SubmissionEntry[]>(this.key(orderId))) ?? [];
  }

  /** Submission rows with no journal document (sent, details lost): recovery must not resend these. */
  async undocumented(orderId: string): Promise<number> {
    const rows = await this.store.listSubmissions(orderId);
    const docs = new Set((await this.forOrder(orderId)).map((e) => e.attempt));
    return rows.filter((r) => !docs.has(r.attempt)).length;
  }

  async saveRouted(orderId: string, routed: unknown): Promise<void> {
    await this.store.saveStrategyState(`execution.routed.${orderId}`, routed);
  }

  async routedOf(orderId: string): Promise<unknown | undefined> {
    return this.store.loadStrategyState(`execution.routed.${orderId}`);
  }
}

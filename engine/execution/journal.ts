/**
 * The submission journal: every send is recorded here *before* it leaves the process — order,
 * attempt, wallet, the signatures it carries, its blockhash and last valid block height, the
 * bundle id. After a restart an order in state `submitted` is looked up here and checked on
 * chain; nothing in it is ever resent blindly. (issue 6's Store.recordSubmission holds the same
 * facts in PostgreSQL; this interface is what execution needs of it.)
 */
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
  /** Records an attempt; false when (orderId, attempt) is already recorded (nothing is replaced). */
  record(entry: SubmissionEntry): Promise<boolean>;
  /** An order's attempts, oldest first. */
  forOrder(orderId: string): Promise<SubmissionEntry[]>;
  /** Keeps the routed order (JSON) an executor took, so a restart can resume it with its route. */
  saveRouted(orderId: string, routed: unknown): Promise<void>;
  routedOf(orderId: string): Promise<unknown | undefined>;
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

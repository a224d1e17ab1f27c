/**
 * Batched account reads for the initializer: `getMultipleAccounts` with at most 100 keys a call,
 * at most `concurrency` calls in flight, each account read once however many pools need it, and
 * every call counted (the start-up report and the tests read the counts).
 */
import { PublicKey, type Connection } from '@solana/web3.js';
import type { AccountSnapshot } from '../../accounts/index.ts';
import { SolrulesError } from '../../errors/index.ts';
import type { Commitment } from '../config.ts';
import { MAX_KEYS_PER_CALL, rpcFailureContext, toSnapshot } from '../rpc.ts';

export interface BatchReaderOptions {
  commitment: Commitment;
  /** Keys per call, capped at 100 (the RPC's limit). */
  batchSize?: number;
  /** Calls in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per call before its accounts are reported unreadable (default 3). */
  attempts?: number;
  /** Delay before the first retry, doubled after each (default 100 ms). */
  retryMs?: number;
}

export interface ReadCounts {
  /** getMultipleAccounts calls made (retries included). */
  calls: number;
  /** Accounts asked for. */
  accounts: number;
  /** The largest call, in keys. */
  maxKeysPerCall: number;
  /** Calls that failed (each retried until `attempts`). */
  failures: number;
}

/** Reads accounts in batches and remembers them: an address is fetched at most once. */
export class BatchReader {
  readonly counts: ReadCounts = { calls: 0, accounts: 0, maxKeysPerCall: 0, failures: 0 };
  /** Every account read, as of the slot of the call that read it. */
  readonly accounts = new Map<string, AccountSnapshot>();
  /** Addresses whose call kept failing, with the error. */
  readonly unreadable = new Map<string, SolrulesError>();
  private readonly size: number;
  private readonly concurrency: number;

  constructor(
    private readonly connection: Connection,
    private readonly opts: BatchReaderOptions,
  ) {
    this.size = Math.max(1, Math.min(opts.batchSize ?? MAX_KEYS_PER_CALL, MAX_KEYS_PER_CALL));
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
  }

  /** Reads every address not read yet; resolves when all calls are done (failures land in `unreadable`). */
  async read(addresses: Iterable<string>): Promise<void> {
    const todo = [...new Set(addresses)].filter((a) => !this.accounts.has(a) && !this.unreadable.has(a));
    const batches: string[][] = [];
    for (let i = 0; i < todo.length; i += this.size) batches.push(todo.slice(i, i + this.size));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.readBatch(batches[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
  }

  private async readBatch(batch: string[]): Promise<void> {
    const attempts = Math.max(1, this.opts.attempts ?? 3);
    let delay = this.opts.retryMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      this.counts.calls += 1;
      this.counts.accounts += batch.length;
      this.counts.maxKeysPerCall = Math.max(this.counts.maxKeysPerCall, batch.length);
      try {
        const res = await this.connection.getMultipleAccountsInfoAndContext(batch.map((a) => new PublicKey(a)), { commitment: this.opts.commitment });
        const slot = res.context.slot;
        batch.forEach((address, i) => this.accounts.set(address, toSnapshot(address, res.value[i] ?? null, slot)));
        return;
      } catch (err) {
        this.counts.failures += 1;
        if (attempt >= attempts) {
          const e = new SolrulesError('SCAN_RPC_FAILED', `getMultipleAccounts of ${batch.length} account(s) failed ${attempts} time(s): ${(err as Error)?.message ?? err}`, { keys: batch.length, ...rpcFailureContext(err) }, { cause: err });
          for (const a of batch) this.unreadable.set(a, e);
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}

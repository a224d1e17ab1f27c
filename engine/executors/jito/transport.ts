/**
 * Jito block-engine transports, chosen in config: jito-ts's gRPC `searcherClient` (bundle results
 * streamed through `subscribeBundleResults`) or the block engine's JSON-RPC (`sendBundle`, bundle
 * state through `getInflightBundleStatuses` and `getBundleStatuses`). Both say the same things:
 * a bundle id, then pending / landed / failed / invalid.
 */
import type { VersionedTransaction, Keypair } from '@solana/web3.js';
import { createHash } from 'node:crypto';
import { SolrulesError } from '../../errors/index.ts';
import { keepAliveFetch } from '../http.ts';

export type BundleState = { state: 'pending' | 'landed' | 'failed' | 'invalid' | 'unknown'; slot?: number; reason?: string };

/** Jito's limit: a bundle holds at most 5 transactions. */
export const MAX_BUNDLE_TRANSACTIONS = 5;

export interface JitoTransport {
  readonly name: 'grpc' | 'json-rpc';
  getTipAccounts(): Promise<string[]>;
  /** Submits a bundle; resolves its id. Throws EXEC_BUNDLE_REFUSED when the block engine refuses it outright, EXEC_JITO_RATE_LIMITED on 429. */
  sendBundle(txs: readonly VersionedTransaction[]): Promise<string>;
  status(bundleId: string): Promise<BundleState>;
  close(): Promise<void>;
}

export class JitoError extends SolrulesError {
  constructor(code: 'EXEC_BUNDLE_REFUSED' | 'EXEC_BUNDLE_TOO_LARGE' | 'EXEC_JITO_RATE_LIMITED' | 'EXEC_JITO_UNAVAILABLE', message: string, readonly retryable: boolean, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** The block engine's JSON-RPC (`<url>/api/v1/bundles`). */
export class JsonRpcJitoTransport implements JitoTransport {
  readonly name = 'json-rpc' as const;
  private id = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly opts: { timeoutMs?: number; uuid?: string } = {},
  ) {}

  private async call<T>(method: string, params: unknown[]): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/api/v1/bundles`;
    let res: Response;
    try {
      res = await keepAliveFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.uuid ? { 'x-jito-auth': this.opts.uuid } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new JitoError('EXEC_JITO_UNAVAILABLE', `${method} to ${url}: ${(err as Error).message}`, true, { method, url });
    }
    if (res.status === 429) {
      await res.body?.cancel();
      throw new JitoError('EXEC_JITO_RATE_LIMITED', `${method} to ${url}: HTTP 429`, true, { method, url });
    }
    const json = (await res.json().catch(() => ({}))) as { result?: T; error?: { code: number; message: string } };
    if (json.error) {
      if (json.error.code === -32097 || json.error.code === 429) throw new JitoError('EXEC_JITO_RATE_LIMITED', `${method}: ${json.error.message}`, true, { method, rpcCode: json.error.code });
      throw new JitoError('EXEC_BUNDLE_REFUSED', `${method}: ${json.error.message}`, false, { method, rpcCode: json.error.code });
    }
    if (!res.ok) throw new JitoError('EXEC_JITO_UNAVAILABLE', `${method} to ${url}: HTTP ${res.status}`, true, { method, url, status: res.status });
    return json.result as T;
  }

  getTipAccounts(): Promise<string[]> {
    return this.call('getTipAccounts', []);
  }

  async sendBundle(txs: readonly VersionedTransaction[]): Promise<string> {
    checkBundleSize(txs);
    return this.call('sendBundle', [txs.map((t) => Buffer.from(t.serialize()).toString('base64')), { encoding: 'base64' }]);
  }

  async status(bundleId: string): Promise<BundleState> {
    const r = await this.call<{ value: { bundle_id: string; status: string; landed_slot: number | null }[] }>('getInflightBundleStatuses', [[bundleId]]);
    const v = r.value[0];
    if (!v) return { state: 'unknown' };
    switch (v.status) {
      case 'Landed':
        return { state: 'landed', ...(v.landed_slot !== null ? { slot: v.landed_slot } : {}) };
      case 'Failed':
        return { state: 'failed', reason: 'getInflightBundleStatuses: Failed' };
      case 'Pending':
        return { state: 'pending' };
      default: {
        // Invalid also means "older than 5 minutes": ask the landed-bundle index too.
        const landed = await this.call<{ value: { bundle_id: string; slot: number }[] | null }>('getBundleStatuses', [[bundleId]]);
        const hit = landed.value?.find((b) => b.bundle_id === bundleId);
        return hit ? { state: 'landed', slot: hit.slot } : { state: 'invalid', reason: 'getInflightBundleStatuses: Invalid' };
      }
    }
  }

  async close(): Promise<void> {}
}

type SearcherClient = import('jito-ts/dist/sdk/block-engine/searcher.js').SearcherClient;
type BundleResult = import('jito-ts/dist/gen/block-engine/bundle.js').BundleResult;

function describeRejection(r: NonNullable<BundleResult['rejected']>): string {
  if (r.simulationFailure) return `simulation failure: ${r.simulationFailure.msg ?? ''} (${r.simulationFailure.txSignature})`;
  if (r.stateAuctionBidRejected) return `auction bid rejected: ${r.stateAuctionBidRejected.msg ?? ''}`;
  if (r.winningBatchBidRejected) return `winning batch bid rejected: ${r.winningBatchBidRejected.msg ?? ''}`;
  if (r.internalError) return `internal error: ${r.internalError.msg}`;
  if (r.droppedBundle) return `dropped: ${r.droppedBundle.msg}`;
  return 'rejected';
}

/** jito-ts `searcherClient` over gRPC (TLS), results from the `subscribeBundleResults` stream. */
export class GrpcJitoTransport implements JitoTransport {
  readonly name = 'grpc' as const;
  private readonly results = new Map<string, BundleState>();
  private stop: (() => void) | undefined;
  private streamError: string | undefined;

  private constructor(private readonly client: SearcherClient) {}

  /** Connects (the auth keypair, when the block engine wants one, is the searcher identity — never a trading wallet). */
  static async connect(address: string, authKeypair?: Keypair): Promise<GrpcJitoTransport> {
    const { searcherClient } = await import('jito-ts/dist/sdk/block-engine/searcher.js');
    const t = new GrpcJitoTransport(searcherClient(address, authKeypair));
    t.stop = t.client.onBundleResult(
      (r) => t.onResult(r),
      (e) => void (t.streamError = e.message),
    );
    return t;
  }

  private onResult(r: BundleResult): void {
    const cur = this.results.get(r.bundleId);
    if (cur?.state === 'landed') return;
    if (r.processed) this.results.set(r.bundleId, { state: 'landed', slot: r.processed.slot });
    else if (r.accepted) this.results.set(r.bundleId, { state: 'pending', slot: r.accepted.slot });
    else if (r.finalized) this.results.set(r.bundleId, { state: 'landed', ...(cur?.slot !== undefined ? { slot: cur.slot } : {}) });
    else if (r.rejected) this.results.set(r.bundleId, { state: 'failed', reason: describeRejection(r.rejected) });
    else if (r.dropped) this.results.set(r.bundleId, { state: 'failed', reason: `dropped: ${String(r.dropped.reason)}` });
  }

  async getTipAccounts(): Promise<string[]> {
    const r = await this.client.getTipAccounts();
    if (!r.ok) throw new JitoError(r.error.code === 8 ? 'EXEC_JITO_RATE_LIMITED' : 'EXEC_JITO_UNAVAILABLE', `getTipAccounts: ${r.error.message}`, true, { code: r.error.code });
    return r.value;
  }

  async sendBundle(txs: readonly VersionedTransaction[]): Promise<string> {
    checkBundleSize(txs);
    const { Bundle } = await import('jito-ts/dist/sdk/block-engine/types.js');
    // Retrying the same bytes is the caller's: it is only safe while the blockhash is valid.
    this.results.delete(bundleKey(txs));
    const r = await this.client.sendBundle(new Bundle([...txs], MAX_BUNDLE_TRANSACTIONS));
    if (!r.ok) {
      const code = r.error.code; // grpc status: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED
      if (code === 8) throw new JitoError('EXEC_JITO_RATE_LIMITED', `sendBundle: ${r.error.details || r.error.message}`, true, { code });
      if (code === 3) throw new JitoError('EXEC_BUNDLE_REFUSED', `sendBundle: ${r.error.details || r.error.message}`, false, { code });
      throw new JitoError('EXEC_JITO_UNAVAILABLE', `sendBundle: ${r.error.details || r.error.message}`, true, { code });
    }
    return r.value;
  }

  async status(bundleId: string): Promise<BundleState> {
    return this.results.get(bundleId) ?? (this.streamError ? { state: 'unknown', reason: `result stream: ${this.streamError}` } : { state: 'pending' });
  }

  async close(): Promise<void> {
    this.stop?.();
  }
}

/** Refuses (not retryable) a bundle Jito would refuse for its size, before anything is sent. */
function checkBundleSize(txs: readonly VersionedTransaction[]): void {
  if (txs.length === 0 || txs.length > MAX_BUNDLE_TRANSACTIONS) {
    throw new JitoError('EXEC_BUNDLE_TOO_LARGE', `bundle has ${txs.length} transactions; Jito takes 1 to ${MAX_BUNDLE_TRANSACTIONS}`, false, { transactions: txs.length });
  }
}

/** The block engine's bundle id: SHA-256 over the transactions' first signatures, hex. */
export function bundleKey(txs: readonly VersionedTransaction[]): string {
  const h = createHash('sha256');
  for (const t of txs) h.update(t.signatures[0]!);
  return h.digest('hex');
}

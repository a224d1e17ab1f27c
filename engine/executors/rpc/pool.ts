/**
 * RpcPool: Solana JSON-RPC over several endpoints with failover. A call goes to the preferred
 * endpoint; on a transport error, an HTTP 429 / 5xx, a JSON-RPC rate-limit error or a timeout,
 * that endpoint is benched for a while and the call moves to the next one. JSON-RPC errors that
 * are answers (bad params, preflight failure) are not failed over: another node would say the same.
 */
import { AddressLookupTableAccount, PublicKey, type VersionedTransaction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { metrics } from '../../infra/telemetry/index.ts';
import type { SignatureStatus, TokenBalanceJson, TransactionWithMeta } from '../chain.ts';
import { keepAliveFetch } from '../http.ts';

export interface RpcEndpoint {
  url: string;
  /** Lower is preferred (default: order given). */
  weight?: number;
}

export interface RpcPoolOptions {
  /** Per-request timeout (default 5 s). */
  timeoutMs?: number;
  /** How long a failing endpoint is benched before it is tried first again (default 10 s). */
  benchMs?: number;
  fetch?: typeof fetch;
}

/** An endpoint as metrics, logs and errors show it: its host, never the URL (a path or query may carry an API key). */
export function endpointLabel(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

const RPC_CODE_LABEL: Record<string, 'timeout' | 'network' | 'http-429' | 'http-5xx' | 'http-4xx'> = { timeout: 'timeout', transport: 'network', '429': 'http-429', '5xx': 'http-5xx', http: 'http-4xx' };

export class RpcError extends SolrulesError {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data: unknown,
    readonly endpoint: string,
    readonly method: string,
  ) {
    super('EXEC_RPC_ERROR', `${method} on ${endpoint}: ${message}`, { rpcCode, method, endpoint });
  }
}

/** Rate-limit codes in JSON-RPC bodies: agave gateways (-32429), Jito (-32097), generic (429). */
const RATE_LIMIT_CODES = new Set([429, -32429, -32097, -32005]);

export type { SignatureStatus, TokenBalanceJson, TransactionWithMeta };

export interface SimulationResult {
  err: unknown;
  logs: string[] | null;
  unitsConsumed?: number;
}


interface EndpointState {
  url: string;
  benchedUntil: number;
  failures: number;
}

export class RpcPool {
  private readonly endpoints: EndpointState[];
  private readonly timeoutMs: number;
  private readonly benchMs: number;
  private readonly fetchFn: typeof fetch;
  private id = 0;
  /** Calls by endpoint and method (for tests and the summary). */
  readonly calls = new Map<string, number>();

  constructor(endpoints: readonly (string | RpcEndpoint)[], opts: RpcPoolOptions = {}) {
    if (endpoints.length === 0) throw new SolrulesError('EXEC_NO_RPC', 'no RPC endpoints configured', { field: 'endpoints' });
    const list = endpoints.map((e, i) => (typeof e === 'string' ? { url: e, weight: i } : { url: e.url, weight: e.weight ?? i }));
    this.endpoints = list.sort((a, b) => a.weight - b.weight).map((e) => ({ url: e.url, benchedUntil: 0, failures: 0 }));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.benchMs = opts.benchMs ?? 10_000;
    this.fetchFn = opts.fetch ?? keepAliveFetch;
  }

  get urls(): string[] {
    return this.endpoints.map((e) => e.url);
  }

  /** Endpoints in the order to try now: healthy first (by preference), benched last. */
  private order(): EndpointState[] {
    const now = Date.now();
    return [...this.endpoints].sort((a, b) => Number(a.benchedUntil > now) - Number(b.benchedUntil > now));
  }

  private bench(e: EndpointState): void {
    e.failures += 1;
    e.benchedUntil = Date.now() + this.benchMs;
    metrics.rpc.failovers.inc({ endpoint: endpointLabel(e.url) });
  }

  /** One JSON-RPC call with failover; `endpoints: 'all'` is for sends that go to every endpoint. */
  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const errors: string[] = [];
    for (const e of this.order()) {
      const key = `${e.url} ${method}`;
      this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
      const started = performance.now();
      const outcome = await this.once<T>(e.url, method, params);
      metrics.rpc.requests.inc({ endpoint: endpointLabel(e.url), method });
      metrics.rpc.duration.observe({ endpoint: endpointLabel(e.url), method }, (performance.now() - started) / 1000);
      if (outcome.kind === 'ok') {
        e.failures = 0;
        return outcome.value;
      }
      if (outcome.kind === 'answer') throw outcome.error;
      metrics.rpc.errors.inc({ endpoint: endpointLabel(e.url), method, code: RPC_CODE_LABEL[outcome.reason] ?? 'network' });
      this.bench(e);
      errors.push(`${endpointLabel(e.url)}: ${outcome.message}`);
    }
    throw new SolrulesError('EXEC_RPC_UNAVAILABLE', `${method} failed on every endpoint: ${errors.join('; ')}`, { method, endpoints: this.urls.map(endpointLabel), errors });
  }

  private async once<T>(url: string, method: string, params: unknown[]): Promise<{ kind: 'ok'; value: T } | { kind: 'answer'; error: RpcError } | { kind: 'failover'; reason: string; message: string }> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    let res: Response;
    try {
      res = await this.fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const name = (err as Error).name;
      const timeout = name === 'TimeoutError' || name === 'AbortError';
      return { kind: 'failover', reason: timeout ? 'timeout' : 'transport', message: timeout ? `no answer within ${this.timeoutMs} ms` : (err as Error).message };
    }
    if (res.status === 429) {
      await res.body?.cancel();
      return { kind: 'failover', reason: '429', message: 'HTTP 429 Too Many Requests' };
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      return { kind: 'failover', reason: '5xx', message: `HTTP ${res.status}` };
    }
    let json: { result?: T; error?: { code: number; message: string; data?: unknown } };
    try {
      json = (await res.json()) as typeof json;
    } catch (err) {
      return { kind: 'failover', reason: 'transport', message: `unreadable answer (HTTP ${res.status}): ${(err as Error).message}` };
    }
    if (json.error) {
      if (RATE_LIMIT_CODES.has(json.error.code)) return { kind: 'failover', reason: '429', message: `rate limited: ${json.error.message}` };
      return { kind: 'answer', error: new RpcError(json.error.code, json.error.message, json.error.data, endpointLabel(url), method) };
    }
    if (!res.ok) return { kind: 'failover', reason: 'http', message: `HTTP ${res.status}` };
    return { kind: 'ok', value: json.result as T };
  }

  // Typed helpers for the methods execution uses.

  async getBalance(address: string): Promise<bigint> {
    const r = await this.call<{ value: number }>('getBalance', [address, { commitment: 'confirmed' }]);
    return BigInt(r.value);
  }

  async getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: number }> {
    const r = await this.call<{ value: { blockhash: string; lastValidBlockHeight: number } }>('getLatestBlockhash', [{ commitment: 'confirmed' }]);
    return r.value;
  }

  async getBlockHeight(): Promise<number> {
    return this.call<number>('getBlockHeight', [{ commitment: 'confirmed' }]);
  }

  async getSlot(): Promise<number> {
    return this.call<number>('getSlot', [{ commitment: 'processed' }]);
  }

  async isBlockhashValid(blockhash: string): Promise<boolean> {
    const r = await this.call<{ value: boolean }>('isBlockhashValid', [blockhash, { commitment: 'processed' }]);
    return r.value;
  }

  /** sendTransaction with preflight off and no RPC-side retries: we rebroadcast ourselves. */
  async sendRaw(wire: Uint8Array, opts: { preflight?: boolean } = {}): Promise<string> {
    return this.call<string>('sendTransaction', [Buffer.from(wire).toString('base64'), { encoding: 'base64', skipPreflight: !opts.preflight, maxRetries: 0, ...(opts.preflight ? { preflightCommitment: 'processed' } : {}) }]);
  }

  async getSignatureStatuses(signatures: string[]): Promise<(SignatureStatus | null)[]> {
    const r = await this.call<{ value: (SignatureStatus | null)[] }>('getSignatureStatuses', [signatures, { searchTransactionHistory: false }]);
    return r.value;
  }

  async getTransaction(signature: string): Promise<TransactionWithMeta | null> {
    return this.call<TransactionWithMeta | null>('getTransaction', [signature, { encoding: 'json', commitment: 'confirmed', maxSupportedTransactionVersion: 0 }]);
  }

  async simulate(tx: VersionedTransaction, opts: { replaceRecentBlockhash?: boolean } = {}): Promise<SimulationResult> {
    const r = await this.call<{ value: SimulationResult }>('simulateTransaction', [
      Buffer.from(tx.serialize()).toString('base64'),
      { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: opts.replaceRecentBlockhash ?? true, commitment: 'processed' },
    ]);
    return r.value;
  }

  async getRecentPrioritizationFees(addresses: string[]): Promise<{ slot: number; prioritizationFee: number }[]> {
    return this.call('getRecentPrioritizationFees', [addresses.slice(0, 128)]);
  }

  async getAddressLookupTable(address: string): Promise<AddressLookupTableAccount | null> {
    const r = await this.call<{ value: { data: [string, string] } | null }>('getAccountInfo', [address, { encoding: 'base64', commitment: 'confirmed' }]);
    if (!r.value) return null;
    return new AddressLookupTableAccount({ key: new PublicKey(address), state: AddressLookupTableAccount.deserialize(Buffer.from(r.value.data[0], 'base64')) });
  }

  /** Leaders of `limit` slots from `startSlot`, or undefined when the node does not serve it. */
  async getSlotLeaders(startSlot: number, limit: number): Promise<string[] | undefined> {
    try {
      return await this.call<string[]>('getSlotLeaders', [startSlot, limit]);
    } catch (err) {
      if (err instanceof RpcError && err.rpcCode === -32601) return undefined;
      throw err;
    }
  }

  /** Sends with preflight and polls until confirmed (funding, table management); rejects on failure or expiry. */
  async sendAndConfirm(tx: VersionedTransaction, lastValidBlockHeight: number, pollMs = 100): Promise<string> {
    const wire = tx.serialize();
    const signature = await this.sendRaw(wire, { preflight: true });
    for (let i = 0; ; i++) {
      const [status] = await this.getSignatureStatuses([signature]);
      if (status) {
        if (status.err) throw new SolrulesError('EXEC_TX_FAILED', `transaction ${signature} failed: ${JSON.stringify(status.err)}`, { signature, err: status.err });
        if (status.confirmationStatus !== 'processed') return signature;
      } else if ((await this.getBlockHeight()) > lastValidBlockHeight) {
        throw new SolrulesError('EXEC_BLOCKHASH_EXPIRED', `transaction ${signature} did not land before block height ${lastValidBlockHeight}`, { signature, lastValidBlockHeight });
      } else if (i % 5 === 4) {
        await this.sendRaw(wire);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

/** getTransaction (json encoding) as execution reads it. */

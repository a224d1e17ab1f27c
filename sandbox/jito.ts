/**
 * A Jito block engine over the sandbox chain. Bundles (1–5 transactions) run atomically in the
 * slot they arrive in: all land or none do. As on mainnet, a bundle must write-lock one of the
 * tip accounts, and the sandbox also requires the tip accounts to gain at least the minimum tip
 * (1000 lamports) from the bundle, or it is refused and rolled back.
 *
 * The same engine serves the JSON-RPC API (`/api/v1/bundles`, `/api/v1/transactions`) here and
 * the gRPC SearcherService in grpc.ts.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import bs58 from 'bs58';
import type { AccountState, ParsedTx, SandboxChain } from './chain.ts';
import type { Faults } from './faults.ts';
import type { RpcHandler } from './http.ts';
import { RpcErrorReply, RPC_CODES, requireParam } from './json.ts';
import { decodeWireTransaction, parseForRpc } from './rpc.ts';
import { describeTxError, type TxErrorJson } from './txerror.ts';
import type { TipFloorSample } from './types.ts';

/** Mainnet tip accounts (../shared/fixtures/jito/tip-accounts-and-limits.json). */
export const JITO_TIP_ACCOUNTS: readonly string[] = Object.freeze([
  '96gYZGLnJYVFmbjzopPSU6QiEV5fGqZNyN9nmNhvrZU5',
  'HFqU5x63VTqvQss8hp11i4wVV8bD44PvwucfZ2bU7gRe',
  'Cw8CFyM9FkoMi7K7Crf6HNQqf4uEMzpKw6QNghXLvLkY',
  'ADaUMid9yfUytqMBgopwjb2DTLSokTSzL1zt6iGPaS49',
  'DfXygSm4jCyNCybVYYK6DwvWqjKee8pbDmJGcLWNDXjh',
  'ADuUkR4vqLUMWXxW9gh6D6L8pMSawimctcNZ5pGwDcEt',
  'DttWaMuVvTiduZRnguLF7jNxTgiMBZ1hyAumKUiL2KRL',
  '3AVi9Tg9Uo68tJfuvoKvqKNWKkC5wPdSSdeBnizKZ6jT',
]);
export const MIN_TIP_LAMPORTS = 1000n;
export const MAX_BUNDLE_TRANSACTIONS = 5;
const MAX_STATUS_IDS = 5;
const INFLIGHT_LOOKBACK_MS = 300_000;
export const TIP_LOCK_MESSAGE = 'Bundles must write lock at least one tip account to be eligible for the auction.';

export type BundleStatus = 'Landed' | 'Failed' | 'Pending' | 'Invalid';

export interface BundleRecord {
  bundleId: string;
  signatures: string[];
  status: BundleStatus;
  slot: number | null;
  receivedAt: number;
  /** Lamports the bundle paid the tip accounts (landed bundles). */
  tipLamports?: bigint;
  /** Why a Failed bundle failed: the offending transaction and its error, or the fault. */
  failure?: { signature?: string; err?: TxErrorJson; message: string; kind: 'simulation' | 'fault' | 'tip' };
}

/** Thrown for bundles refused at submission (the block engine answers with an error). */
export class BundleRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleRefused';
  }
}

/** Bundle id as the block engine derives it: SHA-256 over the transactions' first signatures, hex. */
export function bundleIdOf(signatures: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const s of signatures) h.update(s);
  return h.digest('hex');
}

export interface BlockEngineOptions {
  tipAccounts?: readonly string[];
  minTipLamports?: bigint;
}

/** Events: 'bundle' (BundleRecord after it landed, failed or was refused). */
export class BlockEngine extends EventEmitter {
  readonly tipAccounts: readonly string[];
  readonly minTipLamports: bigint;
  private readonly bundles = new Map<string, BundleRecord>();

  constructor(
    private readonly chain: SandboxChain,
    private readonly faults: Faults,
    opts: BlockEngineOptions = {},
  ) {
    super();
    this.tipAccounts = opts.tipAccounts ?? JITO_TIP_ACCOUNTS;
    this.minTipLamports = opts.minTipLamports ?? MIN_TIP_LAMPORTS;
  }

  /** Submits a bundle of wire transactions. Returns its record; throws BundleRefused when refused outright. */
  sendBundle(wire: Uint8Array[]): BundleRecord {
    if (wire.length === 0) throw new BundleRefused('bundle must contain at least one transaction');
    if (wire.length > MAX_BUNDLE_TRANSACTIONS) throw new BundleRefused(`bundle contains ${wire.length} transactions, exceeded maximum number of transactions (${MAX_BUNDLE_TRANSACTIONS})`);
    const parsed: ParsedTx[] = wire.map((bytes, i) => {
      try {
        return this.chain.parse(bytes);
      } catch (err) {
        throw new BundleRefused(`transaction ${i} of the bundle is invalid: ${(err as Error).message}`);
      }
    });
    const sigs = new Set(parsed.map((p) => p.signature));
    if (sigs.size !== parsed.length) throw new BundleRefused('bundle contains duplicate transactions');
    const tips = new Set(this.tipAccounts);
    const locksTip = parsed.some((p) => p.accountKeys.some((k, i) => p.writable[i] && tips.has(k)));
    if (!locksTip) throw new BundleRefused(TIP_LOCK_MESSAGE);

    const bundleId = bundleIdOf(parsed.map((p) => p.tx.signatures[0]!));
    const record: BundleRecord = { bundleId, signatures: parsed.map((p) => p.signature), status: 'Pending', slot: null, receivedAt: Date.now() };
    this.bundles.set(bundleId, record);

    if (this.faults.takeBundleFailure()) {
      record.status = 'Failed';
      record.failure = { kind: 'fault', message: 'bundle failed by the sandbox fault switch failNextBundles' };
      this.emit('bundle', record);
      return record;
    }
    let tipPaid = 0n;
    const outcome = this.chain.executeAtomically(parsed, {
      bundleId,
      accept: (pre: Map<string, AccountState | null>, read) => {
        tipPaid = 0n;
        for (const tip of this.tipAccounts) {
          if (!pre.has(tip)) continue;
          const gained = (read(tip)?.lamports ?? 0n) - (pre.get(tip)?.lamports ?? 0n);
          if (gained > 0n) tipPaid += gained;
        }
        return tipPaid < this.minTipLamports ? `bundle tips ${tipPaid} lamports to the tip accounts, below the minimum of ${this.minTipLamports} lamports` : undefined;
      },
    });
    if (outcome.kind === 'refused') {
      this.bundles.delete(bundleId);
      record.status = 'Invalid';
      record.failure = { kind: 'tip', message: outcome.reason };
      this.emit('bundle', record);
      throw new BundleRefused(outcome.reason);
    }
    if (outcome.kind === 'failed') {
      record.status = 'Failed';
      record.failure = { kind: 'simulation', signature: outcome.signature, err: outcome.err, message: `transaction ${outcome.index} (${outcome.signature}) failed: ${describeTxError(outcome.err)}` };
    } else {
      record.status = 'Landed';
      record.slot = outcome.records[0]!.slot;
      record.tipLamports = tipPaid;
    }
    this.emit('bundle', record);
    return record;
  }

  /** A tip floor set by the harness (a competition to bid against); undefined: computed from the bundles that landed here. */
  tipFloorOverride: TipFloorSample | undefined;

  /**
   * `GET /api/v1/bundles/tip_floor` as Jito serves it: percentiles (in SOL) of the tips of bundles
   * landed in the last 5 minutes — here, on this sandbox — unless the harness set one. Empty when
   * nothing landed.
   */
  tipFloor(): TipFloorSample[] {
    if (this.tipFloorOverride) return [this.tipFloorOverride];
    const since = Date.now() - INFLIGHT_LOOKBACK_MS;
    const tips = [...this.bundles.values()].filter((b) => b.status === 'Landed' && b.receivedAt >= since && b.tipLamports !== undefined).map((b) => Number(b.tipLamports) / 1e9);
    if (!tips.length) return [];
    tips.sort((a, b) => a - b);
    const pct = (p: number) => tips[Math.min(tips.length - 1, Math.ceil((p / 100) * tips.length) - 1)]!;
    return [{ time: new Date().toISOString(), landed_tips_25th_percentile: pct(25), landed_tips_50th_percentile: pct(50), landed_tips_75th_percentile: pct(75), landed_tips_95th_percentile: pct(95), landed_tips_99th_percentile: pct(99), ema_landed_tips_50th_percentile: pct(50) }];
  }

  getBundle(bundleId: string): BundleRecord | undefined {
    return this.bundles.get(bundleId);
  }

  /** JSON-RPC getInflightBundleStatuses status: unknown or older than 5 minutes is Invalid. */
  inflightStatus(bundleId: string): { bundle_id: string; status: BundleStatus; landed_slot: number | null } {
    const b = this.bundles.get(bundleId);
    if (!b || Date.now() - b.receivedAt > INFLIGHT_LOOKBACK_MS) return { bundle_id: bundleId, status: 'Invalid', landed_slot: null };
    return { bundle_id: bundleId, status: b.status, landed_slot: b.slot };
  }
}

function rpcParamsIds(params: unknown[]): string[] {
  const ids = params[0];
  requireParam(Array.isArray(ids) && ids.every((x) => typeof x === 'string'), 'Invalid params: expected an array of bundle ids');
  if (ids.length > MAX_STATUS_IDS) throw new RpcErrorReply(RPC_CODES.invalidParams, `Invalid params: too many bundle ids, max ${MAX_STATUS_IDS}`);
  return ids as string[];
}

/** The `/api/v1/bundles` JSON-RPC methods. */
export function createBundlesRpc(engine: BlockEngine, chain: SandboxChain): RpcHandler {
  return (method, params) => {
    switch (method) {
      case 'getTipAccounts':
        return [...engine.tipAccounts];
      case 'sendBundle': {
        const txs = params[0];
        requireParam(Array.isArray(txs), 'Invalid params: expected an array of encoded transactions');
        const cfg = (params[1] ?? {}) as { encoding?: unknown };
        const wire = txs.map((t) => decodeWireTransaction(t, cfg.encoding ?? 'base58'));
        try {
          return engine.sendBundle(wire).bundleId;
        } catch (err) {
          if (err instanceof BundleRefused) throw new RpcErrorReply(RPC_CODES.invalidParams, err.message);
          throw err;
        }
      }
      case 'getBundleStatuses': {
        const ids = rpcParamsIds(params);
        const value = ids
          .map((id) => engine.getBundle(id))
          .filter((b): b is BundleRecord => !!b && b.status === 'Landed')
          .map((b) => ({
            bundle_id: b.bundleId,
            transactions: b.signatures,
            slot: b.slot,
            confirmation_status: chain.commitmentOf(b.slot!).status,
            err: { Ok: null },
          }));
        return { context: { slot: chain.slot }, value };
      }
      case 'getInflightBundleStatuses':
        return { context: { slot: chain.slot }, value: rpcParamsIds(params).map((id) => engine.inflightStatus(id)) };
      default:
        throw new RpcErrorReply(RPC_CODES.methodNotFound, 'Method not found');
    }
  };
}

/**
 * The `/api/v1/transactions` JSON-RPC method: sendTransaction, forwarded without preflight (as
 * Jito does), or with `?bundleOnly=true` sent as a one-transaction bundle. The bundle id goes
 * back in the `x-bundle-id` header.
 */
export function createTransactionsRpc(engine: BlockEngine, chain: SandboxChain, faults: Faults): RpcHandler {
  return (method, params, ctx) => {
    if (method !== 'sendTransaction') throw new RpcErrorReply(RPC_CODES.methodNotFound, 'Method not found');
    const cfg = (params[1] ?? {}) as { encoding?: unknown };
    const bytes = decodeWireTransaction(params[0], cfg.encoding ?? 'base58');
    const parsed = parseForRpc(chain, bytes);
    ctx.setHeader('x-bundle-id', bundleIdOf([parsed.tx.signatures[0]!]));
    if (ctx.query.get('bundleOnly') === 'true') {
      try {
        engine.sendBundle([bytes]);
      } catch (err) {
        if (err instanceof BundleRefused) throw new RpcErrorReply(RPC_CODES.invalidParams, err.message);
        throw err;
      }
      return parsed.signature;
    }
    if (!faults.takeDrop()) chain.submit(parsed);
    return bs58.encode(parsed.tx.signatures[0]!);
  };
}

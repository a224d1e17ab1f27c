/**
 * Live executors from strategies.yaml `executors:` entries:
 *
 *   jito: { type: jito, transport: grpc | json-rpc, blockEngine: <url or host:port>, tipPlacement: inline | separate, maxBundleSends: 4 }
 *   rpc:  { type: rpc, endpoints: [<url>, ...], rebroadcastMs: 1000 }
 *
 * Common keys: maxRebuilds (expired blockhash → new transaction, default 1), concurrency.
 */
import { SolrulesError } from '../errors/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { WorkerPool } from '../wallets/index.ts';
import type { QuoteAccuracy } from './confirm/accuracy.ts';
import type { ConfirmationMonitor } from './confirm/monitor.ts';
import type { SubmissionJournal } from './journal.ts';
import { JitoSubmitter } from './jito/submitter.ts';
import { GrpcJitoTransport, JsonRpcJitoTransport } from './jito/transport.ts';
import { RpcPool } from './rpc/pool.ts';
import { RpcSubmitter } from './rpc/submitter.ts';
import { TransactionBuilder, type BuilderChain, type BuilderPolicy, DEFAULT_BUILDER_POLICY } from './tx/builder.ts';
import type { BlockhashCache } from './tx/blockhash.ts';
import type { LookupTableManager } from './tx/lookup-tables.ts';
import { LiveExecutor, type ExecutionWallets } from './live/executor.ts';
import type { RouteSource } from './live/plan.ts';
import type { TipAdvisor } from './tips/index.ts';

export interface LiveContext {
  rpc: RpcPool;
  workers: WorkerPool;
  source: RouteSource;
  journal: SubmissionJournal;
  monitor: ConfirmationMonitor;
  accuracy?: QuoteAccuracy;
  /** The dynamic tip (the `tip` fact routing rules read; jito executors report their bundles to it). */
  tips?: TipAdvisor;
  /** Expected wallet balances follow our executions (the wallet manager of wallets.yaml). */
  wallets?: ExecutionWallets;
  /** SOL in USD now (the engine clock's): the profit metrics. */
  solUsd?: () => number | undefined;
  lookupTables?: LookupTableManager;
  builderPolicy?: BuilderPolicy;
  /** A blockhash kept fresh in the background (the chain's; shared with the send guard): sends never wait on getLatestBlockhash. */
  blockhashes?: BlockhashCache;
  log?: Logger;
}

/** The builder's chain: the pool's fee market and simulation, the blockhash from the cache when there is one. */
function builderChain(rpc: RpcPool, blockhashes: BlockhashCache | undefined): BuilderChain {
  if (!blockhashes) return rpc;
  return { getLatestBlockhash: () => blockhashes.get(), getRecentPrioritizationFees: (a) => rpc.getRecentPrioritizationFees(a), simulate: (tx, o) => rpc.simulate(tx, o) };
}

import type { ExecutorConfig } from './kind.ts';

function str(cfg: ExecutorConfig, key: string, name: string): string | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.${key} must be a string; got ${JSON.stringify(v)}`, { field: `executors.${name}.${key}`, value: v });
  return v;
}

function int(cfg: ExecutorConfig, key: string, name: string): number | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.${key} must be a non-negative integer; got ${JSON.stringify(v)}`, { field: `executors.${name}.${key}`, value: v });
  return v;
}

/** Builds the rpc or jito executor an `executors:` entry describes. */
export async function createLiveExecutor(name: string, cfg: ExecutorConfig, ctx: LiveContext): Promise<LiveExecutor> {
  const builder = new TransactionBuilder(builderChain(ctx.rpc, ctx.blockhashes), ctx.builderPolicy ?? DEFAULT_BUILDER_POLICY);
  const maxRebuilds = int(cfg, 'maxRebuilds', name);
  const policy = maxRebuilds !== undefined ? { maxRebuilds } : {};
  const common = { name, rpc: ctx.rpc, workers: ctx.workers, source: ctx.source, monitor: ctx.monitor, journal: ctx.journal, policy, ...(ctx.accuracy ? { accuracy: ctx.accuracy } : {}), ...(ctx.tips ? { tips: ctx.tips } : {}), ...(ctx.wallets ? { wallets: ctx.wallets } : {}), ...(ctx.solUsd ? { solUsd: ctx.solUsd } : {}), ...(ctx.lookupTables ? { lookupTables: ctx.lookupTables } : {}), ...(ctx.log ? { log: ctx.log.child({ executor: name }) } : {}) };
  if (cfg.type === 'rpc') {
    const endpoints = cfg.endpoints;
    let rpc = ctx.rpc;
    if (endpoints !== undefined) {
      if (!Array.isArray(endpoints) || endpoints.length === 0 || !endpoints.every((e) => typeof e === 'string')) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.endpoints must be a non-empty list of URLs`, { field: `executors.${name}.endpoints`, value: endpoints });
      rpc = new RpcPool(endpoints as string[]);
    }
    const rebroadcastMs = int(cfg, 'rebroadcastMs', name);
    const submitter = new RpcSubmitter(rpc, new TransactionBuilder(builderChain(rpc, ctx.blockhashes), ctx.builderPolicy ?? DEFAULT_BUILDER_POLICY), ctx.monitor, ctx.lookupTables, { ...(rebroadcastMs !== undefined ? { rebroadcastMs } : {}), ...(ctx.blockhashes ? { onExpired: (h: number) => ctx.blockhashes!.noteBlockHeight(h) } : {}) });
    return new LiveExecutor({ ...common, rpc, submitter });
  }
  if (cfg.type === 'jito') {
    const transport = str(cfg, 'transport', name) ?? 'grpc';
    const endpoint = str(cfg, 'blockEngine', name);
    if (!endpoint) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.blockEngine is required (a URL for json-rpc, host:port for grpc)`, { field: `executors.${name}.blockEngine` });
    let t;
    if (transport === 'grpc') t = await GrpcJitoTransport.connect(endpoint);
    else if (transport === 'json-rpc') t = new JsonRpcJitoTransport(endpoint);
    else throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.transport must be grpc or json-rpc; got '${transport}'`, { field: `executors.${name}.transport`, value: transport });
    const tipPlacement = str(cfg, 'tipPlacement', name);
    if (tipPlacement !== undefined && tipPlacement !== 'inline' && tipPlacement !== 'separate') throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.tipPlacement must be inline or separate`, { field: `executors.${name}.tipPlacement`, value: tipPlacement });
    const maxBundleSends = int(cfg, 'maxBundleSends', name);
    const submitter = new JitoSubmitter(t, ctx.rpc, builder, ctx.monitor, ctx.lookupTables, { ...(tipPlacement ? { tipPlacement } : {}), ...(maxBundleSends !== undefined ? { maxBundleSends } : {}), ...(ctx.blockhashes ? { blockhashes: ctx.blockhashes } : {}) });
    return new LiveExecutor({ ...common, submitter });
  }
  throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}: type '${cfg.type}' is not a live executor`, { field: `executors.${name}.type`, value: cfg.type });
}

/** Per-executor concurrency limits from `executors.<name>.concurrency` (for the worker). */
export function concurrencyOf(executors: Record<string, ExecutorConfig>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, cfg] of Object.entries(executors)) {
    const n = int(cfg, 'concurrency', name);
    if (n !== undefined) {
      if (n < 1) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}.concurrency must be at least 1; got ${n}`, { field: `executors.${name}.concurrency`, value: n });
      out[name] = n;
    }
  }
  return out;
}

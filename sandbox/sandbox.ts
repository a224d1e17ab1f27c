/**
 * `startSandbox`: a simulated Solana cluster on loopback for tests and paper trading — HTTP
 * JSON-RPC, WebSocket PubSub, a Jito block engine (JSON-RPC and gRPC), a slot clock and fault
 * switches over one LiteSVM runtime. It is not a validator: no consensus, no gossip, one leader.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { LiteSVM } from './litesvm.ts';
import type { PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import { loadAccountDir, type AccountSnapshot } from '../engine/accounts/index.ts';
import { SolrulesError } from '../engine/errors/index.ts';
import { SandboxChain, type AccountState, type AccountWrite, type TxRecord } from './chain.ts';
import { Faults } from './faults.ts';
import { BlockEngineGrpc } from './grpc.ts';
import { closeServer, createRpcServer, listen, type RpcHandler } from './http.ts';
import { BlockEngine, createBundlesRpc, createTransactionsRpc, JITO_TIP_ACCOUNTS, MIN_TIP_LAMPORTS, type BundleRecord } from './jito.ts';
import { PubSubServer } from './pubsub.ts';
import { createSolanaRpc } from './rpc.ts';
import { ensureSandboxTls } from './tls.ts';
import type { TipFloorSample, WireTap } from './types.ts';
import { describeTxError } from './txerror.ts';

export interface SandboxOptions {
  /** Slot length in ms (default 400), or 'manual': slots advance only through `advanceSlots`. */
  slotMs?: number | 'manual';
  /** With `slotMs: 'manual'`: how far each slot moves the chain's block time (default 400 ms). */
  manualSlotMs?: number;
  /** Directories of account JSON files (both fixture formats) to load at start. */
  accountsDir?: string | string[];
  /** Account snapshots to load at start (after `accountsDir`). */
  accounts?: Iterable<AccountSnapshot>;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** HTTP JSON-RPC port; WebSocket PubSub listens on port + 1 as agave does. 0 (default) = ephemeral pair. */
  port?: number;
  /** Block engine JSON-RPC port (default 0 = ephemeral). */
  blockEnginePort?: number;
  /** Block engine gRPC (TLS) port (default 0 = ephemeral). */
  grpcPort?: number;
  /** Unix ms of the first slot's block time (default: now); pin it for a repeatable chain clock. */
  genesisUnixMs?: number;
  /** First slot (default 1000); block height starts 100 lower so code mixing the two up fails here too. */
  startSlot?: number;
  /** Slots until a landed transaction counts as confirmed / finalized (default 0 / 0). */
  commitmentLagSlots?: { confirmed?: number; finalized?: number };
  /** Seed for the drop-transactions fault (default 1). */
  faultSeed?: number;
  tipAccounts?: readonly string[];
  minTipLamports?: bigint;
  /** Refuse gRPC searcher calls without a token from the auth service. */
  requireAuth?: boolean;
  /** Timestamps of notifications sent and requests received (latency benchmarks). */
  wireTap?: WireTap;
  /** The tip floor the block engine serves (default: percentiles of the tips landed on this sandbox). */
  tipFloor?: TipFloorSample;
}

export interface AccountLoadReport {
  dir: string;
  /** Accounts placed on the chain. */
  placed: number;
  /** Files that hold no address (carbon dumps without one in the file name). */
  withoutAddress: string[];
  /** Addresses found in more than one file; the later file in sorted path order was kept. */
  duplicates: { address: string; kept: string; replaced: string }[];
}

export interface SandboxStats {
  rpcRequests: Record<string, number>;
  blockEngineRequests: Record<string, number>;
  webSocketConnections: number;
  subscriptions: number;
  faults: Faults['counters'];
}

/** A running sandbox. Close it when done. */
export interface Sandbox {
  /** HTTP JSON-RPC endpoint, e.g. http://127.0.0.1:41234 — give it to `new Connection(rpcUrl)`. */
  readonly rpcUrl: string;
  /** WebSocket PubSub endpoint (RPC port + 1, where web3.js looks by default). */
  readonly wsUrl: string;
  /** Jito block-engine JSON-RPC base URL; POST to `${blockEngineUrl}/api/v1/bundles` and `/api/v1/transactions`. */
  readonly blockEngineUrl: string;
  /** host:port of the gRPC SearcherService (TLS) — give it to jito-ts `searcherClient`. */
  readonly blockEngineGrpcAddress: string;
  /** The sandbox's self-signed TLS certificate (PEM file). */
  readonly tlsCertPath: string;
  /** The LiteSVM instance underneath. Writing through it bypasses subscriptions: prefer `setAccount`. */
  readonly svm: LiteSVM;
  /** The ledger (history, blockhashes, events) for harness code that needs more than the RPC. */
  readonly chain: SandboxChain;
  readonly tipAccounts: readonly string[];
  readonly faults: Faults;
  readonly slot: number;
  readonly blockHeight: number;
  latestBlockhash(): { blockhash: string; lastValidBlockHeight: number };
  getAccount(address: string | PublicKey): AccountState | null;
  /** Overwrites an account (as another trader's swap would) and fires matching subscriptions. */
  setAccount(address: string | PublicKey, account: AccountWrite): void;
  /** Loads account JSON files from a directory (both fixture formats) and says what it placed and skipped. */
  loadAccounts(dir: string): AccountLoadReport;
  /** Reports of the directories loaded so far (`accountsDir` and `loadAccounts`). */
  readonly accountLoads: readonly AccountLoadReport[];
  /** Sends lamports from the sandbox faucet in a recorded transfer; returns the signature. */
  airdrop(address: string | PublicKey, lamports: bigint): string;
  /** Advances the slot clock by `n` slots (each with a new blockhash). */
  advanceSlots(n?: number): void;
  getTransaction(signature: string): TxRecord | undefined;
  getBundle(bundleId: string): BundleRecord | undefined;
  /** Sets (or, with undefined, clears) the tip floor `GET <blockEngineUrl>/api/v1/bundles/tip_floor` serves. */
  setTipFloor(sample: TipFloorSample | undefined): void;
  /** True when grpc-js in this process trusts the sandbox certificate (see docs/sandbox.md). */
  grpcClientTrustsSandbox(): Promise<boolean>;
  stats(): SandboxStats;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

function counting(handler: RpcHandler, counts: Record<string, number>, endpoint: 'rpc' | 'bundles' | 'transactions', tap?: WireTap): RpcHandler {
  return (method, params, ctx) => {
    counts[method] = (counts[method] ?? 0) + 1;
    tap?.received?.({ endpoint, method, params, at: ctx.receivedAt });
    return handler(method, params, ctx);
  };
}

/** Binds the RPC server and a WebSocket server on the next port, retrying ephemeral pairs. */
async function bindRpcPair(rpc: Server, ws: Server, host: string, port: number): Promise<number> {
  if (port !== 0) {
    await listen(rpc, host, port);
    try {
      await listen(ws, host, port + 1);
    } catch (err) {
      await closeServer(rpc);
      throw err;
    }
    return port;
  }
  for (let attempt = 0; attempt < 25; attempt++) {
    const p = await listen(rpc, host, 0);
    if (p < 65535) {
      try {
        await listen(ws, host, p + 1);
        return p;
      } catch {
        // port + 1 is taken: try another pair
      }
    }
    await closeServer(rpc);
  }
  throw new SolrulesError('SANDBOX_PORT_IN_USE', `could not find a free pair of adjacent ports on ${host}`, { host });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a sandbox. Binds loopback and ephemeral ports unless told otherwise. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? LOOPBACK;
  const slotMs = opts.slotMs ?? 400;
  if (slotMs !== 'manual' && !(typeof slotMs === 'number' && slotMs >= 10)) {
    throw new SolrulesError('SANDBOX_BAD_OPTION', `slotMs must be 'manual' or at least 10 ms, got ${JSON.stringify(slotMs)}`, { field: 'slotMs', value: slotMs });
  }
  const chainOpts: ConstructorParameters<typeof SandboxChain>[0] = { slotMs: slotMs === 'manual' ? (opts.manualSlotMs ?? 400) : slotMs };
  if (opts.startSlot !== undefined) chainOpts.startSlot = opts.startSlot;
  if (opts.genesisUnixMs !== undefined) chainOpts.genesisUnixMs = opts.genesisUnixMs;
  if (opts.commitmentLagSlots) chainOpts.commitmentLagSlots = opts.commitmentLagSlots;
  const chain = new SandboxChain(chainOpts);
  const faults = new Faults(opts.faultSeed ?? 1);
  const engineOpts: { tipAccounts?: readonly string[]; minTipLamports?: bigint } = {};
  if (opts.tipAccounts) engineOpts.tipAccounts = opts.tipAccounts;
  if (opts.minTipLamports !== undefined) engineOpts.minTipLamports = opts.minTipLamports;
  const engine = new BlockEngine(chain, faults, engineOpts);
  // Tip accounts exist on mainnet; without them a first small tip would fail the rent check.
  for (const tip of engine.tipAccounts) if (!chain.getAccount(tip)) chain.setAccount(tip, {});

  const accountLoads: AccountLoadReport[] = [];
  const loadDir = (dir: string): AccountLoadReport => {
    const report: AccountLoadReport = { dir, placed: 0, withoutAddress: [], duplicates: [] };
    const snapshots = loadAccountDir(dir, {
      onDuplicate: (address, kept, replaced) => report.duplicates.push({ address, kept, replaced }),
      onNoAddress: (file) => report.withoutAddress.push(file),
    });
    for (const [address, snapshot] of snapshots) {
      chain.setAccount(address, snapshot);
      report.placed += 1;
    }
    accountLoads.push(report);
    return report;
  };
  const dirs = opts.accountsDir === undefined ? [] : Array.isArray(opts.accountsDir) ? opts.accountsDir : [opts.accountsDir];
  for (const dir of dirs) loadDir(dir);
  for (const snapshot of opts.accounts ?? []) {
    if (!snapshot.address) throw new SolrulesError('SANDBOX_BAD_ACCOUNT', `account snapshot from ${snapshot.source ?? '<input>'} has no address`, { field: 'address', file: snapshot.source });
    chain.setAccount(snapshot.address, snapshot);
  }

  const rpcCounts: Record<string, number> = {};
  const engineCounts: Record<string, number> = {};
  const genesisHash = bs58.encode(randomBytes(32));
  const solanaRpc = counting(createSolanaRpc(chain, faults, { genesisHash }), rpcCounts, 'rpc', opts.wireTap);
  const rpcServer = createRpcServer({ '/': { handler: solanaRpc, rateLimitError: { code: 429, message: 'Too many requests (solrules sandbox rate-limit fault)' } } }, faults);
  const jitoRateLimit = { code: -32097, message: 'Rate limit exceeded (solrules sandbox rate-limit fault)' };
  const engineServer = createRpcServer(
    {
      '/api/v1/bundles': { handler: counting(createBundlesRpc(engine, chain), engineCounts, 'bundles', opts.wireTap), rateLimitError: jitoRateLimit },
      '/api/v1/transactions': { handler: counting(createTransactionsRpc(engine, chain, faults), engineCounts, 'transactions', opts.wireTap), rateLimitError: jitoRateLimit },
    },
    faults,
    { '/api/v1/bundles/tip_floor': () => engine.tipFloor() },
  );
  if (opts.tipFloor) engine.tipFloorOverride = opts.tipFloor;
  const wsServer = createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket PubSub only'));
  const pubsub = new PubSubServer(chain, faults, opts.wireTap);
  pubsub.attach(wsServer);
  pubsub.attach(rpcServer);
  const grpcServer = new BlockEngineGrpc(engine, chain, faults, { requireAuth: opts.requireAuth ?? false });
  const tls = ensureSandboxTls();

  let clock: NodeJS.Timeout | undefined;
  const servers: Server[] = [];
  const shutdown = async () => {
    if (clock) clearInterval(clock);
    faults.releaseHeld();
    pubsub.close();
    await Promise.all([...servers.map(closeServer), grpcServer.close()]);
  };
  let rpcPort: number;
  let enginePort: number;
  let grpcPort: number;
  let grpcHost = host;
  try {
    rpcPort = await bindRpcPair(rpcServer, wsServer, host, opts.port ?? 0);
    servers.push(rpcServer, wsServer);
    enginePort = await listen(engineServer, host, opts.blockEnginePort ?? 0);
    servers.push(engineServer);
    // Named 'localhost' on loopback: clients then send an SNI name (an IP there draws a Node deprecation warning).
    grpcHost = host === LOOPBACK ? 'localhost' : host;
    grpcPort = await grpcServer.bind(grpcHost, opts.grpcPort ?? 0, tls);
  } catch (err) {
    await shutdown();
    throw err;
  }
  if (slotMs !== 'manual') {
    clock = setInterval(() => chain.advanceSlots(1), slotMs);
    clock.unref();
  }

  const h = hostForUrl(host);
  let closed = false;
  const sandbox: Sandbox = {
    rpcUrl: `http://${h}:${rpcPort}`,
    wsUrl: `ws://${h}:${rpcPort + 1}`,
    blockEngineUrl: `http://${h}:${enginePort}`,
    blockEngineGrpcAddress: `${hostForUrl(grpcHost)}:${grpcPort}`,
    tlsCertPath: tls.certPath,
    svm: chain.svm,
    chain,
    tipAccounts: engine.tipAccounts,
    faults,
    get slot() {
      return chain.slot;
    },
    get blockHeight() {
      return chain.blockHeight;
    },
    latestBlockhash: () => chain.latestBlockhash(),
    getAccount: (address) => chain.getAccount(typeof address === 'string' ? address : address.toBase58()),
    setAccount: (address, account) => void chain.setAccount(address, account),
    loadAccounts: loadDir,
    accountLoads,
    airdrop: (address, lamports) => {
      const outcome = chain.airdrop(address, lamports);
      if (outcome.kind === 'landed' && outcome.record.err === null) return outcome.record.signature;
      const err = outcome.kind === 'landed' ? outcome.record.err! : outcome.err;
      throw new SolrulesError('SANDBOX_AIRDROP_FAILED', `airdrop of ${lamports} lamports failed: ${describeTxError(err)}`, { field: 'lamports', value: lamports, err });
    },
    advanceSlots: (n = 1) => chain.advanceSlots(n),
    getTransaction: (signature) => chain.getTransaction(signature),
    getBundle: (bundleId) => engine.getBundle(bundleId),
    setTipFloor: (sample) => void (engine.tipFloorOverride = sample),
    grpcClientTrustsSandbox: async () => {
      const helpers = (await import('@grpc/grpc-js/build/src/tls-helpers.js')) as { getDefaultRootsData?: () => Buffer | null };
      const roots = helpers.getDefaultRootsData?.();
      return !!roots && roots.toString('utf8').includes(tls.certPem.trim());
    },
    stats: () => ({
      rpcRequests: { ...rpcCounts },
      blockEngineRequests: { ...engineCounts },
      webSocketConnections: pubsub.connectionCount,
      subscriptions: pubsub.subscriptionCount,
      faults: { ...faults.counters },
    }),
    close: async () => {
      if (closed) return;
      closed = true;
      await shutdown();
    },
  };
  return sandbox;
}

export { JITO_TIP_ACCOUNTS, MIN_TIP_LAMPORTS };

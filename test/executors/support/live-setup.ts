/**
 * A live execution stack on the local sandbox for tests and the e2e run: wallets written as
 * Solana CLI key files (mode 0600) and an env key, loaded through the keystore; the treasure
 * funded by the sandbox faucet and funding the others; a token mint ("sandbox USDC") created by
 * real SPL Token instructions; a counterparty for the sandbox exchange; RPC pool, monitor,
 * journal, lookup tables and worker pool.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../sandbox/index.ts';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair, PublicKey, SystemProgram, TransactionMessage, VersionedTransaction, type TransactionInstruction } from '@solana/web3.js';
import {
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  createMintToCheckedInstruction,
  getAssociatedTokenAddressSync,
} from '@solana/spl-token';
import { ConfirmationMonitor, LookupTableManager, MemorySubmissionJournal, QuoteAccuracy, RpcPool, SandboxExchange } from '../../../engine/executors/index.ts';
import { Keystore, WorkerPool, fundFromTreasure, type WalletSigner, type Funding } from '../../../engine/wallets/index.ts';
import type { WalletsConfig } from '../../../engine/config/index.ts';
import { buildOrders } from '../../../engine/orders/index.ts';
import type { MonitorOptions } from '../../../engine/executors/confirm/monitor.ts';

export const SANDBOX_USDC_DECIMALS = 6;
/** 150 USDC per SOL: lamports per whole token. */
export const LAMPORTS_PER_USDC = 6_666_666n;

export interface LiveSetup {
  sb: Sandbox;
  rpc: RpcPool;
  keystore: Keystore;
  treasure: WalletSigner;
  controller: WalletSigner;
  workers: WalletSigner[];
  counterparty: WalletSigner;
  usdcMint: PublicKey;
  exchange: SandboxExchange;
  pool: WorkerPool;
  monitor: ConfirmationMonitor;
  journal: MemorySubmissionJournal;
  accuracy: QuoteAccuracy;
  lookupTables: LookupTableManager;
  keysDir: string;
  fundings: Funding[];
  close(): Promise<void>;
}

function writeKeyFile(dir: string, name: string, kp: Keypair): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(Array.from(kp.secretKey)), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

async function sendIxs(rpc: RpcPool, payer: WalletSigner, ixs: TransactionInstruction[], extra: Keypair[] = []): Promise<string> {
  const { blockhash, lastValidBlockHeight } = await rpc.getLatestBlockhash();
  const tx = new VersionedTransaction(new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions: ixs }).compileToV0Message());
  payer.sign(tx);
  if (extra.length) tx.sign(extra);
  return rpc.sendAndConfirm(tx, lastValidBlockHeight, 20);
}

export async function liveSetup(opts: { workers?: number; sandbox?: SandboxOptions; keysDir?: string; monitor?: MonitorOptions; workerUsdc?: bigint } = {}): Promise<LiveSetup> {
  const sb = await startSandbox({ slotMs: 50, ...opts.sandbox });
  const keysDir = opts.keysDir ?? mkdtempSync(join(tmpdir(), 'solrules-keys-'));
  const nWorkers = opts.workers ?? 2;
  const treasureKp = Keypair.generate();
  const env = { SOLRULES_E2E_TREASURE_KEY: JSON.stringify(Array.from(treasureKp.secretKey)) };
  const files: Record<string, string> = {};
  for (const name of ['controller', 'counterparty', ...Array.from({ length: nWorkers }, (_, i) => `worker-${i + 1}`)]) files[name] = writeKeyFile(keysDir, name, Keypair.generate());
  writeFileSync(join(keysDir, 'treasure.env.json'), env.SOLRULES_E2E_TREASURE_KEY, { mode: 0o600 });
  const cfg: WalletsConfig = {
    version: 1,
    wallets: [
      { name: 'treasure', tier: 'treasure', key: { env: 'SOLRULES_E2E_TREASURE_KEY' } },
      { name: 'controller', tier: 'controller', key: { file: files.controller! }, targetBalanceSol: 2 },
      // The sandbox exchange's counterparty is a proxy-tier wallet here: it only exists on the sandbox.
      { name: 'counterparty', tier: 'proxy', key: { file: files.counterparty! }, targetBalanceSol: 50 },
      ...Array.from({ length: nWorkers }, (_, i) => ({ name: `worker-${i + 1}`, tier: 'worker' as const, key: { file: files[`worker-${i + 1}`]! }, minBalanceSol: 0.05, targetBalanceSol: 1 })),
    ],
  };
  const keystore = Keystore.load(cfg, { baseDir: keysDir, env });
  const treasure = keystore.get('treasure');
  const controller = keystore.get('controller');
  const counterparty = keystore.get('counterparty');
  const workers = keystore.byTier('worker');
  const rpc = new RpcPool([sb.rpcUrl]);
  sb.airdrop(treasure.publicKey, 1_000_000_000_000n);
  const fundings = await fundFromTreasure(rpc, treasure, [controller, counterparty, ...workers]);

  // Sandbox USDC: a real mint made by SPL Token instructions, authority the treasure.
  const mintKp = Keypair.generate();
  const usdcMint = mintKp.publicKey;
  await sendIxs(rpc, treasure, [
    SystemProgram.createAccount({ fromPubkey: treasure.publicKey, newAccountPubkey: usdcMint, lamports: Number(sb.chain.minimumBalanceForRentExemption(MINT_SIZE)), space: MINT_SIZE, programId: TOKEN_PROGRAM_ID }),
    createInitializeMint2Instruction(usdcMint, SANDBOX_USDC_DECIMALS, treasure.publicKey, null),
  ], [mintKp]);
  const holders = [counterparty, ...workers];
  await sendIxs(rpc, treasure, holders.map((h) => createAssociatedTokenAccountIdempotentInstruction(treasure.publicKey, getAssociatedTokenAddressSync(usdcMint, h.publicKey), h.publicKey, usdcMint)));
  const workerUsdc = opts.workerUsdc ?? 10_000_000_000n;
  await sendIxs(rpc, treasure, [
    createMintToCheckedInstruction(usdcMint, getAssociatedTokenAddressSync(usdcMint, counterparty.publicKey), treasure.publicKey, 1_000_000_000_000n, SANDBOX_USDC_DECIMALS),
    ...workers.map((w) => createMintToCheckedInstruction(usdcMint, getAssociatedTokenAddressSync(usdcMint, w.publicKey), treasure.publicKey, workerUsdc, SANDBOX_USDC_DECIMALS)),
  ]);

  const exchange = new SandboxExchange(counterparty, { mint: usdcMint, decimals: SANDBOX_USDC_DECIMALS, lamportsPerToken: LAMPORTS_PER_USDC });
  const monitor = new ConfirmationMonitor(rpc, { initialIntervalMs: 50, maxIntervalMs: 400, ...opts.monitor });
  const journal = new MemorySubmissionJournal();
  const accuracy = new QuoteAccuracy();
  const lookupTables = new LookupTableManager(rpc, controller, { minUses: 1, exclude: workers.map((w) => w.address) });
  const pool = new WorkerPool(workers, rpc);
  return {
    sb, rpc, keystore, treasure, controller, workers, counterparty, usdcMint, exchange, pool, monitor, journal, accuracy, lookupTables, keysDir, fundings,
    close: async () => {
      monitor.close();
      await sb.close();
    },
  };
}

/** Lamports and sandbox-USDC atoms of an owner, read from the sandbox's accounts. */
export function balances(s: LiveSetup, owner: PublicKey): { lamports: bigint; usdc: bigint } {
  const lamports = s.sb.getAccount(owner)?.lamports ?? 0n;
  const ata = s.sb.getAccount(getAssociatedTokenAddressSync(s.usdcMint, owner));
  const usdc = ata ? Buffer.from(ata.data).readBigUInt64LE(64) : 0n;
  return { lamports, usdc };
}

const SOL_TOKEN = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };

/** A buy-SOL-with-sandbox-USDC order as the grid rule would decide it (deterministic id from `tag`). */
export function sandboxOrder(s: LiveSetup, tag: string, amountIn: bigint, opts: { urgency?: 'low' | 'normal' | 'high'; expectedProfitLamports?: bigint; now?: Date } = {}): import('../../../engine/orders/index.ts').Order {
  const usdc = { symbol: 'USDC', mint: s.usdcMint.toBase58(), decimals: SANDBOX_USDC_DECIMALS };
  const now = opts.now ?? new Date();
  return buildOrders(
    {
      ruleId: 'test-buy', fileId: 'grid', priority: 1, type: 'order',
      params: { side: 'buy', amountIn: amountIn.toString(), urgency: opts.urgency ?? 'normal', maxSlippageBps: 100, ...(opts.expectedProfitLamports !== undefined ? { expectedProfitLamports: opts.expectedProfitLamports.toString() } : {}) },
    },
    {
      strategy: 'grid', ruleFile: 'grid', ruleSetHash: 'test', base: SOL_TOKEN, quote: usdc,
      priceUsd: (m) => (m === SOL_TOKEN.mint ? 150 : 1), now, facts: { tag },
      explanation: { ruleId: 'test-buy', ruleSetHash: 'test', conditions: { kind: 'all', result: true } },
    },
  )[0]!;
}

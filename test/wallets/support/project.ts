/**
 * A wallets project on the sandbox for tests: wallets.yaml with a treasure, controllers and
 * workers (key files under keys/), a real SPL mint ("sandbox USDC"), and a runner that calls the
 * `wallets` CLI command in this process and captures what it prints.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair, PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { MINT_SIZE, TOKEN_PROGRAM_ID, createAssociatedTokenAccountIdempotentInstruction, createInitializeMint2Instruction, createMintToCheckedInstruction, createTransferCheckedInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import bs58 from 'bs58';
import type { MintInfo, WalletManager } from '../../../engine/wallets/index.ts';
import type { Sandbox } from '../../../sandbox/index.ts';
import { run as walletsCommand } from '../../../engine/cli/wallets.ts';

export const USDC_DECIMALS = 6;

export interface WalletsProject {
  dir: string;
  config: string;
  mint: PublicKey;
  mintAuthority: Keypair;
}

/** Writes wallets.yaml (3 controllers, `workers` workers, one mint) and creates the mint on the sandbox. */
export async function walletsProject(sb: Sandbox, opts: { workers?: number; controllers?: number; extraWallets?: string } = {}): Promise<WalletsProject> {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-wallets-'));
  const mintAuthority = Keypair.generate();
  const mintKp = Keypair.generate();
  sb.airdrop(mintAuthority.publicKey, 10_000_000_000n);
  const tx = new VersionedTransaction(
    new TransactionMessage({
      payerKey: mintAuthority.publicKey,
      recentBlockhash: sb.latestBlockhash().blockhash,
      instructions: [
        SystemProgram.createAccount({ fromPubkey: mintAuthority.publicKey, newAccountPubkey: mintKp.publicKey, lamports: Number(sb.chain.minimumBalanceForRentExemption(MINT_SIZE)), space: MINT_SIZE, programId: TOKEN_PROGRAM_ID }),
        createInitializeMint2Instruction(mintKp.publicKey, USDC_DECIMALS, mintAuthority.publicKey, null),
      ],
    }).compileToV0Message(),
  );
  tx.sign([mintAuthority, mintKp]);
  await sendRaw(sb, tx);
  const n = opts.workers ?? 10;
  const c = opts.controllers ?? 3;
  const yaml = [
    '# yaml-language-server: $schema=../schemas/wallets.schema.json',
    'version: 1',
    'mints:',
    `  usdc: ${mintKp.publicKey.toBase58()}`,
    'targets:',
    '  controller: { lamports: "2000000000", tokens: { usdc: "100000000" } }',
    '  worker: { lamports: "500000000", tokens: { usdc: "25000000" } }',
    'scanner: { intervalMs: 400 }',
    'wallets:',
    '  - { name: treasure, tier: treasure, key: { file: keys/treasure.json }, minBalanceSol: 1 }',
    ...Array.from({ length: c }, (_, i) => `  - { name: controller-${i + 1}, tier: controller, key: { file: keys/controller-${i + 1}.json }, minBalanceSol: 0.5, reservedFor: "lookup tables, grid ${i + 1}" }`),
    ...Array.from({ length: n }, (_, i) => `  - { name: worker-${i + 1}, tier: worker, key: { file: keys/worker-${i + 1}.json }, minBalanceSol: 0.05 }`),
    ...(opts.extraWallets ? [opts.extraWallets] : []),
    '',
  ].join('\n');
  const config = join(dir, 'wallets.yaml');
  writeFileSync(config, yaml);
  return { dir, config, mint: mintKp.publicKey, mintAuthority };
}

/** Sends a signed transaction through the sandbox's RPC and waits for it. */
export async function sendRaw(sb: Sandbox, tx: VersionedTransaction): Promise<string> {
  const res = await fetch(sb.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [Buffer.from(tx.serialize()).toString('base64'), { encoding: 'base64' }] }) });
  const body = (await res.json()) as { result?: string; error?: { message: string } };
  if (!body.result) throw new Error(`sendTransaction: ${body.error?.message}`);
  return body.result;
}

/** Mints sandbox USDC to `owner`'s associated token account (created when missing). */
export async function mintTo(sb: Sandbox, p: WalletsProject, owner: PublicKey, atoms: bigint): Promise<void> {
  const ata = getAssociatedTokenAddressSync(p.mint, owner, true);
  const tx = new VersionedTransaction(
    new TransactionMessage({
      payerKey: p.mintAuthority.publicKey,
      recentBlockhash: sb.latestBlockhash().blockhash,
      instructions: [createAssociatedTokenAccountIdempotentInstruction(p.mintAuthority.publicKey, ata, owner, p.mint), createMintToCheckedInstruction(p.mint, ata, p.mintAuthority.publicKey, atoms, USDC_DECIMALS)],
    }).compileToV0Message(),
  );
  tx.sign([p.mintAuthority]);
  await sendRaw(sb, tx);
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `solrules wallets …` in this process, capturing console output. */
export async function wallets(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  try {
    const code = await walletsCommand(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/**
 * A stand-in for a trade of `worker` (what matters is that it is ours): it pays 0.01 SOL and
 * 1 token (1,000,000 atoms of `mint`) to a fresh owner, creating that owner's token account.
 * Signed, not sent; the signature and last valid block height are what an executor journals.
 */
export function tradeAway(sb: Sandbox, m: WalletManager, worker: string, mint: MintInfo): { tx: VersionedTransaction; signature: string; lastValidBlockHeight: number } {
  const w = m.keystore.get(worker);
  const other = Keypair.generate();
  const bh = sb.latestBlockhash();
  const mintPk = new PublicKey(mint.address);
  const tx = new VersionedTransaction(new TransactionMessage({
    payerKey: w.publicKey,
    recentBlockhash: bh.blockhash,
    instructions: [
      SystemProgram.transfer({ fromPubkey: w.publicKey, toPubkey: other.publicKey, lamports: 10_000_000 }),
      createAssociatedTokenAccountIdempotentInstruction(w.publicKey, getAssociatedTokenAddressSync(mintPk, other.publicKey), other.publicKey, mintPk),
      createTransferCheckedInstruction(getAssociatedTokenAddressSync(mintPk, w.publicKey), mintPk, getAssociatedTokenAddressSync(mintPk, other.publicKey), w.publicKey, 1_000_000n, mint.decimals),
    ],
  }).compileToV0Message());
  w.sign(tx);
  return { tx, signature: bs58.encode(tx.signatures[0]!), lastValidBlockHeight: bh.lastValidBlockHeight };
}

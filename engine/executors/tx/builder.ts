/**
 * The transaction builder, in the plan's order: flash borrow (if any) → compute-unit price
 * (priority-fee policy) → compute-unit limit (simulation plus a margin) → swaps → flash repay
 * → v0 message over address lookup tables → sign. A transaction over 1232 bytes or whose
 * simulated use exceeds the compute limit is refused with a clear error before anything is sent.
 */
import {
  ComputeBudgetProgram,
  PublicKey,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type TransactionInstruction,
} from '@solana/web3.js';
import bs58 from 'bs58';
import { SolrulesError } from '../../errors/index.ts';
import type { FlashLoanProvider, FlashLoanRequest } from '../flash/provider.ts';
import { computeUnitPrice, DEFAULT_PRIORITY_FEE_POLICY, priorityFeeLamports, type PriorityFeePolicy } from './fees.ts';
import { PACKET_DATA_SIZE, transactionSize } from './size.ts';

/** Anything that can sign a versioned transaction without handing its key out (WalletSigner, a test counterparty). */
export interface TxSigner {
  readonly publicKey: PublicKey;
  sign(tx: VersionedTransaction): void;
}

/** What the builder needs from a chain connection (RpcPool provides it). */
export interface BuilderChain {
  getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: number }>;
  getRecentPrioritizationFees(addresses: string[]): Promise<{ slot: number; prioritizationFee: number }[]>;
  simulate(tx: VersionedTransaction, opts?: { replaceRecentBlockhash?: boolean }): Promise<{ err: unknown; logs: string[] | null; unitsConsumed?: number }>;
}

export interface BuilderPolicy {
  priorityFee: PriorityFeePolicy;
  /** Limit = simulated units × (1 + marginPct/100) + marginUnits. */
  computeMarginPct: number;
  computeMarginUnits: number;
  /** Most compute a transaction may ask for (the protocol's is 1,400,000). */
  maxComputeUnits: number;
}

export const MAX_COMPUTE_UNITS = 1_400_000;

export const DEFAULT_BUILDER_POLICY: BuilderPolicy = {
  priorityFee: DEFAULT_PRIORITY_FEE_POLICY,
  computeMarginPct: 10,
  computeMarginUnits: 1_000,
  maxComputeUnits: MAX_COMPUTE_UNITS,
};

export interface BuildRequest {
  payer: TxSigner;
  /** Further signers (e.g. a counterparty in a sandbox exchange). */
  signers?: readonly TxSigner[];
  /** The swap instructions, in order. */
  instructions: readonly TransactionInstruction[];
  flashLoan?: { provider: FlashLoanProvider; request: FlashLoanRequest };
  /** A Jito tip appended as the last instruction (single-transaction bundles). */
  tip?: TransactionInstruction;
  lookupTables?: readonly AddressLookupTableAccount[];
  /** Use this blockhash instead of fetching one (bundles share one). */
  blockhash?: { blockhash: string; lastValidBlockHeight: number };
  /** Skip the priority fee (a bundle pays by tip) — the CU price instruction is still placed, at 0. */
  noPriorityFee?: boolean;
  /**
   * Units the send guard's simulation of these instructions consumed (with its own compute-limit
   * instruction, flash loan included): the builder then sizes the limit from it instead of
   * simulating again, adding what it places besides (the CU price instruction, the tip).
   */
  simulatedUnits?: number;
}

/** Compute a builtin instruction the builder adds costs (ComputeBudget, System transfer: 150 each in Agave). */
export const BUILTIN_INSTRUCTION_UNITS = 150;

export interface BuiltTransaction {
  tx: VersionedTransaction;
  /** First signature, base58: the transaction's id. */
  signature: string;
  blockhash: string;
  lastValidBlockHeight: number;
  computeUnitLimit: number;
  computeUnitPriceMicroLamports: bigint;
  /** Units the simulation used. */
  unitsSimulated: number;
  /** Signature fee + priority fee, lamports (what the fee payer pays besides the tip). */
  feeLamports: bigint;
  sizeBytes: number;
  /** Writable accounts (the fee markets the price was taken from). */
  writableAccounts: string[];
  /** Which part each instruction is, in order (borrow, cu-price, cu-limit, swap, repay, tip). */
  layout: string[];
}

const LAMPORTS_PER_SIGNATURE = 5000n;

function writableAccounts(payer: PublicKey, ixs: readonly TransactionInstruction[]): string[] {
  const set = new Set<string>([payer.toBase58()]);
  for (const ix of ixs) for (const k of ix.keys) if (k.isWritable) set.add(k.pubkey.toBase58());
  return [...set];
}

export class TransactionBuilder {
  constructor(
    private readonly chain: BuilderChain,
    readonly policy: BuilderPolicy = DEFAULT_BUILDER_POLICY,
  ) {
    if (policy.maxComputeUnits > MAX_COMPUTE_UNITS || policy.maxComputeUnits <= 0) {
      throw new SolrulesError('EXEC_BAD_POLICY', `maxComputeUnits must be 1..${MAX_COMPUTE_UNITS}; got ${policy.maxComputeUnits}`, { field: 'maxComputeUnits', value: policy.maxComputeUnits });
    }
  }

  /** Assembles the instructions in the plan's order for a given CU limit and price. */
  private assemble(req: BuildRequest, limit: number, microLamports: bigint): { ixs: TransactionInstruction[]; layout: string[] } {
    const ixs: TransactionInstruction[] = [];
    const layout: string[] = [];
    const push = (part: string, list: readonly TransactionInstruction[]) => {
      for (const ix of list) {
        ixs.push(ix);
        layout.push(part);
      }
    };
    const borrow = req.flashLoan ? req.flashLoan.provider.borrow(req.flashLoan.request) : [];
    push('flash-borrow', borrow);
    push('cu-price', [ComputeBudgetProgram.setComputeUnitPrice({ microLamports })]);
    push('cu-limit', [ComputeBudgetProgram.setComputeUnitLimit({ units: limit })]);
    push('swap', req.instructions);
    if (req.flashLoan) push('flash-repay', req.flashLoan.provider.repay(req.flashLoan.request, borrow.length - 1));
    if (req.tip) push('tip', [req.tip]);
    return { ixs, layout };
  }

  private compile(req: BuildRequest, ixs: TransactionInstruction[], blockhash: string): VersionedTransaction {
    const message = new TransactionMessage({ payerKey: req.payer.publicKey, recentBlockhash: blockhash, instructions: ixs }).compileToV0Message(req.lookupTables ? [...req.lookupTables] : []);
    return new VersionedTransaction(message);
  }

  /** Builds, simulates for compute (unless the guard's simulation is given), checks size and compute, and signs. */
  async build(req: BuildRequest): Promise<BuiltTransaction> {
    if (req.instructions.length === 0 && !req.tip) throw new SolrulesError('EXEC_EMPTY_TRANSACTION', 'nothing to build: no swap instructions', {});
    const swapsAndTip = [...req.instructions, ...(req.tip ? [req.tip] : [])];
    const writable = writableAccounts(req.payer.publicKey, swapsAndTip);
    let price = { microLamports: 0n, observed: 0n, capped: false };
    if (!req.noPriorityFee) price = computeUnitPrice(await this.chain.getRecentPrioritizationFees(writable), this.policy.priorityFee);
    // Live executors pass a BlockhashCache here (live-factory.ts): no round trip on the send path.
    const bh = req.blockhash ?? (await this.chain.getLatestBlockhash());

    let used: number;
    if (req.simulatedUnits !== undefined) {
      // One simulation per send: the guard's, plus the instructions it did not run (CU price, tip).
      used = req.simulatedUnits + BUILTIN_INSTRUCTION_UNITS * (1 + (req.tip ? 1 : 0));
    } else {
      // Simulate at the maximum limit to learn what the transaction uses.
      const probe = this.assemble(req, this.policy.maxComputeUnits, price.microLamports);
      const probeTx = this.compile(req, probe.ixs, bh.blockhash);
      this.checkSize(probeTx, probe.layout);
      const sim = await this.chain.simulate(probeTx, { replaceRecentBlockhash: true });
      if (sim.err !== null && sim.err !== undefined) {
        const logs = (sim.logs ?? []).slice(-8);
        throw new SolrulesError('EXEC_SIMULATION_FAILED', `simulation failed: ${JSON.stringify(sim.err)}${logs.length ? `; last logs: ${logs.join(' | ')}` : ''}`, { err: sim.err, logs });
      }
      used = sim.unitsConsumed ?? 0;
    }
    if (used > this.policy.maxComputeUnits) {
      throw new SolrulesError('EXEC_COMPUTE_LIMIT', `transaction uses ${used} compute units, over the limit of ${this.policy.maxComputeUnits}`, { unitsConsumed: used, limit: this.policy.maxComputeUnits });
    }
    const limit = Math.min(this.policy.maxComputeUnits, Math.ceil(used * (1 + this.policy.computeMarginPct / 100)) + this.policy.computeMarginUnits);

    const final = this.assemble(req, limit, price.microLamports);
    const tx = this.compile(req, final.ixs, bh.blockhash);
    const sizeBytes = this.checkSize(tx, final.layout);
    req.payer.sign(tx);
    for (const s of req.signers ?? []) s.sign(tx);
    const signature = bs58.encode(tx.signatures[0]!);
    const feeLamports = LAMPORTS_PER_SIGNATURE * BigInt(tx.message.header.numRequiredSignatures) + priorityFeeLamports(price.microLamports, limit);
    return {
      tx,
      signature,
      blockhash: bh.blockhash,
      lastValidBlockHeight: bh.lastValidBlockHeight,
      computeUnitLimit: limit,
      computeUnitPriceMicroLamports: price.microLamports,
      unitsSimulated: used,
      feeLamports,
      sizeBytes,
      writableAccounts: writable,
      layout: final.layout,
    };
  }

  /** Refuses a transaction over the packet limit, saying by how much and what is in it. */
  checkSize(tx: VersionedTransaction, layout: string[]): number {
    const size = transactionSize(tx.message as import('@solana/web3.js').MessageV0);
    if (size > PACKET_DATA_SIZE) {
      const m = tx.message;
      throw new SolrulesError(
        'EXEC_TX_TOO_LARGE',
        `transaction is ${size} bytes, over the ${PACKET_DATA_SIZE}-byte limit by ${size - PACKET_DATA_SIZE} (${m.staticAccountKeys.length} static accounts, ${m.addressTableLookups.length} lookup tables, ${layout.length} instructions); add its accounts to a lookup table or split the route`,
        { sizeBytes: size, limit: PACKET_DATA_SIZE, staticAccounts: m.staticAccountKeys.length, lookupTables: m.addressTableLookups.length, instructions: layout },
      );
    }
    return size;
  }
}

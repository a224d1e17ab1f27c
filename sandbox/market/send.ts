/** Signs and runs instructions as one transaction on the sandbox chain (no RPC hop), returning the landed record or a typed error. */
import { ComputeBudgetProgram, type AddressLookupTableAccount, Keypair, TransactionMessage, VersionedTransaction, type TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../engine/errors/index.ts';
import type { SandboxChain, TxRecord } from '../chain.ts';
import { describeTxError } from '../txerror.ts';

export interface SendOptions {
  /** Compute-unit limit (default 1,400,000: setup instructions such as DLMM's initialize_bin_array need far more than the default); 0: no compute-budget instruction (the caller places its own, e.g. where instruction indexes matter). */
  computeUnits?: number;
  /** Address lookup tables the message may use. */
  lookupTables?: AddressLookupTableAccount[];
  /** Extra signers beyond the payer. */
  signers?: Keypair[];
}

/** Builds a v0 transaction with the current blockhash, signs it and executes it; MARKET_TX_FAILED (with the program logs) unless it succeeded. */
export function sendInstructions(chain: SandboxChain, payer: Keypair, instructions: TransactionInstruction[], opts: SendOptions = {}): TxRecord {
  const tx = buildTransaction(chain, payer, instructions, opts);
  const outcome = chain.submit(chain.parse(tx.serialize()));
  if (outcome.kind === 'landed' && outcome.record.err === null) return outcome.record;
  const err = outcome.kind === 'landed' ? outcome.record.err! : outcome.err;
  const logs = outcome.kind === 'landed' ? outcome.record.logs : outcome.logs;
  throw new SolrulesError('MARKET_TX_FAILED', `transaction failed: ${describeTxError(err)}\n${logs.slice(-12).join('\n')}`, { err, logs });
}

/** A signed v0 transaction on the chain's current blockhash, with a compute-unit limit first. */
export function buildTransaction(chain: SandboxChain, payer: Keypair, instructions: TransactionInstruction[], opts: SendOptions = {}): VersionedTransaction {
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: chain.latestBlockhash().blockhash,
    instructions: opts.computeUnits === 0 ? instructions : [ComputeBudgetProgram.setComputeUnitLimit({ units: opts.computeUnits ?? 1_400_000 }), ...instructions],
  }).compileToV0Message(opts.lookupTables ?? []);
  const tx = new VersionedTransaction(message);
  tx.sign([payer, ...(opts.signers ?? [])]);
  return tx;
}

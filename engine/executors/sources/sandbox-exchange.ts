/**
 * A route source for the local sandbox, which has no DEX programs: an order is filled by an
 * atomic exchange with a counterparty wallet made of instructions the sandbox can run — an SPL
 * token transfer one way and a System (lamports) transfer the other, both in the order's one
 * transaction, the counterparty co-signing. The rate is the counterparty's fixed quote. It is a
 * stand-in for a venue, and says so in every plan's description; it is never used on mainnet.
 */
import { PublicKey, SystemProgram, type TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import type { Order } from '../../orders/index.ts';
import { NATIVE_MINT } from '../../venues/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';
import type { TxSigner } from '../tx/builder.ts';

export interface SandboxExchangeOptions {
  /** The token traded against SOL. */
  mint: PublicKey;
  decimals: number;
  /** Lamports paid per whole token (integer), e.g. 6_666_666 for 150 USDC/SOL. */
  lamportsPerToken: bigint;
  /** Counterparty's spread against the trader, bps (default 0). */
  spreadBps?: number;
}

export class SandboxExchange implements RouteSource {
  readonly name = 'sandbox-exchange';

  constructor(
    private readonly counterparty: TxSigner,
    private readonly opts: SandboxExchangeOptions,
  ) {}

  /** Exact atoms out for atoms in, rounded down (the counterparty keeps the remainder). */
  quote(inputMint: string, amountIn: bigint): bigint {
    const unit = 10n ** BigInt(this.opts.decimals);
    const spread = BigInt(10_000 - (this.opts.spreadBps ?? 0));
    const mint = this.opts.mint.toBase58();
    if (inputMint === mint) return (amountIn * this.opts.lamportsPerToken * spread) / (unit * 10_000n);
    if (inputMint === NATIVE_MINT) return (amountIn * unit * spread) / (this.opts.lamportsPerToken * 10_000n);
    throw new SolrulesError('EXEC_NO_ROUTE', `the sandbox exchange trades ${mint} against SOL only; got input ${inputMint}`, { field: 'inputMint', value: inputMint });
  }

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const mint = this.opts.mint;
    const cp = this.counterparty.publicKey;
    const amountOut = this.quote(order.inputMint, order.amountIn);
    if (amountOut < order.minAmountOut) {
      throw new SolrulesError('EXEC_SLIPPAGE', `the sandbox exchange quotes ${amountOut} atoms, below the order's minAmountOut ${order.minAmountOut}`, { orderId: order.id, amountOut: amountOut.toString(), minAmountOut: order.minAmountOut.toString() });
    }
    // spl-token loads with the first plan, not with every run importing the executors (~10 MB resident).
    const { createTransferCheckedInstruction, getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } = await import('@solana/spl-token');
    const walletAta = getAssociatedTokenAddressSync(mint, wallet);
    const cpAta = getAssociatedTokenAddressSync(mint, cp);
    let instructions: TransactionInstruction[];
    if (order.inputMint === mint.toBase58() && order.outputMint === NATIVE_MINT) {
      instructions = [
        createTransferCheckedInstruction(walletAta, mint, cpAta, wallet, order.amountIn, this.opts.decimals, [], TOKEN_PROGRAM_ID),
        SystemProgram.transfer({ fromPubkey: cp, toPubkey: wallet, lamports: amountOut }),
      ];
    } else if (order.inputMint === NATIVE_MINT && order.outputMint === mint.toBase58()) {
      instructions = [
        SystemProgram.transfer({ fromPubkey: wallet, toPubkey: cp, lamports: order.amountIn }),
        createTransferCheckedInstruction(cpAta, mint, walletAta, cp, amountOut, this.opts.decimals, [], TOKEN_PROGRAM_ID),
      ];
    } else {
      throw new SolrulesError('EXEC_NO_ROUTE', `the sandbox exchange trades ${mint.toBase58()} against SOL; got ${order.inputMint} -> ${order.outputMint}`, { orderId: order.id });
    }
    return {
      venue: this.name,
      description: `sandbox exchange (SPL token + System transfers with a counterparty; not a DEX): ${order.amountIn} ${order.inputMint} -> ${amountOut} ${order.outputMint}`,
      instructions,
      signers: [this.counterparty],
      expected: { inputMint: order.inputMint, outputMint: order.outputMint, amountIn: order.amountIn, amountOut },
    };
  }
}

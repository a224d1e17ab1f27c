/**
 * One swap through the real program: the quote is ours (the venue's exact math on the pool state
 * read back from the chain), the instruction is ours (`Venue.swapInstruction`), the program runs
 * it, and the trader's realized token deltas are reported beside the quote.
 */
import { PublicKey, TransactionInstruction, type Keypair } from '@solana/web3.js';
import type { Quote, VenueId } from '../../engine/venues/index.ts';
import type { SandboxChain, TxRecord } from '../chain.ts';
import { sendInstructions } from './send.ts';
import { readPoolState } from './state.ts';
import { associatedTokenAddress, tokenBalance } from './tokens.ts';

const MEMO_PROGRAM = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

export interface SwapOutcome {
  quote: Quote;
  record: TxRecord;
  /** Tokens that left the trader's input account and arrived in its output account, atoms. */
  realizedIn: bigint;
  realizedOut: bigint;
}

/** Quotes `amountIn` of `inputMint` on the pool as the chain holds it now, sends our swap instruction (min out = `minOut`, default the quote; an optional memo labels the transaction), and measures what moved. */
export function swapExactIn(chain: SandboxChain, trader: Keypair, venueId: VenueId, pool: string, inputMint: string, amountIn: bigint, minOut?: bigint, memo?: string): SwapOutcome {
  const { venue, state } = readPoolState(chain, venueId, pool);
  const quote = venue.quoteExactIn(state, inputMint, amountIn);
  const ix = venue.swapInstruction(state, quote, { owner: trader.publicKey, inputMint, amount: amountIn, otherAmountThreshold: minOut ?? quote.amountOut });
  const userIn = associatedTokenAddress(inputMint, trader.publicKey);
  const userOut = associatedTokenAddress(quote.outputMint, trader.publicKey);
  const [in0, out0] = [tokenBalance(chain, userIn), tokenBalance(chain, userOut)];
  const ixs = memo ? [ix, new TransactionInstruction({ programId: MEMO_PROGRAM, keys: [], data: Buffer.from(memo) })] : [ix];
  const record = sendInstructions(chain, trader, ixs);
  return { quote, record, realizedIn: in0 - tokenBalance(chain, userIn), realizedOut: tokenBalance(chain, userOut) - out0 };
}

/**
 * Jupiter as a route source: a `/quote` answer and its `/swap-instructions` answer (as parsed by
 * engine/quotes/jupiter, the one model of Jupiter's API) become a
 * swap plan — setup, swap and cleanup instructions (Jupiter's compute-budget instructions are
 * dropped: our builder sets price and limit; its `otherInstructions`, e.g. a Jito tip, are
 * dropped too unless kept: our Jito executor adds its own), the route's lookup tables, and the
 * expected amounts from the quote. Tests feed recorded answers through the parsers; nothing
 * here calls Jupiter in a test.
 */
import { PublicKey, TransactionInstruction, type AddressLookupTableAccount } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import type { Order } from '../../orders/index.ts';
import type { JupiterClient, JupiterInstruction, JupiterQuote, JupiterSwapInstructions } from '../../quotes/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';

/** What the source needs of Jupiter: engine/quotes' client (parsed, checked answers), or recorded answers in tests. */
export type JupiterRouteClient = Pick<JupiterClient, 'getQuote' | 'swapInstructions'>;

/** One instruction of a parsed Jupiter answer. */
export function instructionFromJupiter(ix: JupiterInstruction): TransactionInstruction {
  return new TransactionInstruction({
    programId: new PublicKey(ix.programId),
    keys: ix.accounts.map((a) => ({ pubkey: new PublicKey(a.pubkey), isSigner: a.isSigner, isWritable: a.isWritable })),
    data: Buffer.from(ix.data),
  });
}

export interface JupiterPlanParts {
  instructions: TransactionInstruction[];
  dropped: { computeBudget: number; other: number };
  lookupTableAddresses: string[];
  expected: { inputMint: string; outputMint: string; amountIn: bigint; amountOut: bigint; minAmountOut: bigint };
  venue: string;
}

/** Turns a quote and its swap-instructions response into plan parts. */
export function planFromJupiter(quote: JupiterQuote, resp: JupiterSwapInstructions, opts: { keepOtherInstructions?: boolean } = {}): JupiterPlanParts {
  if (resp.simulationError) throw new SolrulesError('EXEC_JUPITER_SIMULATION', `Jupiter reports a simulation error for this route: ${JSON.stringify(resp.simulationError)}`, { field: 'simulationError' });
  const other = resp.otherInstructions;
  const instructions = [
    ...(resp.tokenLedgerInstruction ? [instructionFromJupiter(resp.tokenLedgerInstruction)] : []),
    ...resp.setupInstructions.map(instructionFromJupiter),
    instructionFromJupiter(resp.swapInstruction),
    ...(resp.cleanupInstruction ? [instructionFromJupiter(resp.cleanupInstruction)] : []),
    ...(opts.keepOtherInstructions ? other.map(instructionFromJupiter) : []),
  ];
  const labels = quote.routePlan.map((r) => r.swapInfo.label).filter(Boolean);
  return {
    instructions,
    dropped: { computeBudget: resp.computeBudgetInstructions.length, other: opts.keepOtherInstructions ? 0 : other.length },
    lookupTableAddresses: resp.addressLookupTableAddresses,
    expected: { inputMint: quote.inputMint, outputMint: quote.outputMint, amountIn: quote.inAmount, amountOut: quote.outAmount, minAmountOut: quote.otherAmountThreshold },
    venue: labels.length ? `jupiter:${labels.join('+')}` : 'jupiter',
  };
}

export class JupiterSource implements RouteSource {
  readonly name = 'jupiter';

  constructor(
    private readonly client: JupiterRouteClient,
    private readonly tables: { getAddressLookupTable(address: string): Promise<AddressLookupTableAccount | null> },
    private readonly opts: { slippageBps?: number } = {},
  ) {}

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const quote = await this.client.getQuote({ inputMint: order.inputMint, outputMint: order.outputMint, amount: order.amountIn, mode: 'exact-in', slippageBps: this.opts.slippageBps ?? 50 });
    const parts = planFromJupiter(quote, await this.client.swapInstructions(quote, { userPublicKey: wallet.toBase58() }));
    if (parts.expected.minAmountOut < order.minAmountOut) {
      throw new SolrulesError('EXEC_SLIPPAGE', `Jupiter's route guarantees ${parts.expected.minAmountOut} atoms, below the order's minAmountOut ${order.minAmountOut}`, { orderId: order.id });
    }
    const lookupTables: AddressLookupTableAccount[] = [];
    for (const a of parts.lookupTableAddresses) {
      const t = await this.tables.getAddressLookupTable(a);
      if (!t) throw new SolrulesError('EXEC_LOOKUP_TABLE_MISSING', `Jupiter route uses lookup table ${a}, which does not exist`, { account: a });
      lookupTables.push(t);
    }
    return {
      venue: parts.venue,
      description: `Jupiter route ${parts.venue}: ${parts.expected.amountIn} ${parts.expected.inputMint} -> ${parts.expected.amountOut} ${parts.expected.outputMint} (min ${parts.expected.minAmountOut})`,
      instructions: parts.instructions,
      lookupTables,
      expected: { inputMint: parts.expected.inputMint, outputMint: parts.expected.outputMint, amountIn: parts.expected.amountIn, amountOut: parts.expected.amountOut },
    };
  }
}

/**
 * Jupiter as a route source: a `/quote` response and its `/swap-instructions` response become a
 * swap plan — setup, swap and cleanup instructions (Jupiter's compute-budget instructions are
 * dropped: our builder sets price and limit; its `otherInstructions`, e.g. a Jito tip, are
 * dropped too unless kept: our Jito executor adds its own), the route's lookup tables, and the
 * expected amounts from the quote. The HTTP client is a small interface so tests feed recorded
 * responses; nothing here calls Jupiter in a test.
 */
import { PublicKey, TransactionInstruction, type AddressLookupTableAccount } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import type { Order } from '../../orders/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';

export interface JupiterInstructionJson {
  programId: string;
  accounts: { pubkey: string; isSigner: boolean; isWritable: boolean }[];
  data: string;
}

export interface JupiterSwapInstructions {
  computeBudgetInstructions?: JupiterInstructionJson[] | null;
  setupInstructions?: JupiterInstructionJson[] | null;
  swapInstruction: JupiterInstructionJson;
  cleanupInstruction?: JupiterInstructionJson | null;
  otherInstructions?: JupiterInstructionJson[] | null;
  tokenLedgerInstruction?: JupiterInstructionJson | null;
  addressLookupTableAddresses?: string[] | null;
  computeUnitLimit?: number;
  simulationError?: unknown;
}

export interface JupiterQuote {
  inputMint: string;
  outputMint: string;
  inAmount: string;
  outAmount: string;
  otherAmountThreshold: string;
  swapMode: 'ExactIn' | 'ExactOut';
  slippageBps: number;
  routePlan?: { swapInfo: { label?: string; ammKey?: string } }[];
}

/** How the source gets a quote and its swap instructions (an HTTP client in production). */
export interface JupiterClient {
  quote(params: { inputMint: string; outputMint: string; amount: bigint; slippageBps: number }): Promise<JupiterQuote>;
  swapInstructions(quote: JupiterQuote, userPublicKey: string): Promise<JupiterSwapInstructions>;
}

function atoms(v: unknown, field: string): bigint {
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  throw new SolrulesError('EXEC_BAD_JUPITER', `Jupiter field '${field}' must be atoms as a decimal string; got ${JSON.stringify(v)}`, { field, value: v });
}

/** One instruction from Jupiter's JSON (base64 data). */
export function instructionFromJupiter(ix: JupiterInstructionJson, where: string): TransactionInstruction {
  if (!ix || typeof ix.programId !== 'string' || !Array.isArray(ix.accounts) || typeof ix.data !== 'string') {
    throw new SolrulesError('EXEC_BAD_JUPITER', `Jupiter ${where} is not an instruction {programId, accounts, data}`, { field: where });
  }
  return new TransactionInstruction({
    programId: new PublicKey(ix.programId),
    keys: ix.accounts.map((a) => ({ pubkey: new PublicKey(a.pubkey), isSigner: a.isSigner, isWritable: a.isWritable })),
    data: Buffer.from(ix.data, 'base64'),
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
  const other = resp.otherInstructions ?? [];
  const instructions = [
    ...(resp.tokenLedgerInstruction ? [instructionFromJupiter(resp.tokenLedgerInstruction, 'tokenLedgerInstruction')] : []),
    ...(resp.setupInstructions ?? []).map((ix, i) => instructionFromJupiter(ix, `setupInstructions[${i}]`)),
    instructionFromJupiter(resp.swapInstruction, 'swapInstruction'),
    ...(resp.cleanupInstruction ? [instructionFromJupiter(resp.cleanupInstruction, 'cleanupInstruction')] : []),
    ...(opts.keepOtherInstructions ? other.map((ix, i) => instructionFromJupiter(ix, `otherInstructions[${i}]`)) : []),
  ];
  const labels = (quote.routePlan ?? []).map((r) => r.swapInfo.label).filter(Boolean);
  return {
    instructions,
    dropped: { computeBudget: (resp.computeBudgetInstructions ?? []).length, other: opts.keepOtherInstructions ? 0 : other.length },
    lookupTableAddresses: resp.addressLookupTableAddresses ?? [],
    expected: { inputMint: quote.inputMint, outputMint: quote.outputMint, amountIn: atoms(quote.inAmount, 'inAmount'), amountOut: atoms(quote.outAmount, 'outAmount'), minAmountOut: atoms(quote.otherAmountThreshold, 'otherAmountThreshold') },
    venue: labels.length ? `jupiter:${labels.join('+')}` : 'jupiter',
  };
}

export class JupiterSource implements RouteSource {
  readonly name = 'jupiter';

  constructor(
    private readonly client: JupiterClient,
    private readonly tables: { getAddressLookupTable(address: string): Promise<AddressLookupTableAccount | null> },
    private readonly opts: { slippageBps?: number } = {},
  ) {}

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const quote = await this.client.quote({ inputMint: order.inputMint, outputMint: order.outputMint, amount: order.amountIn, slippageBps: this.opts.slippageBps ?? 50 });
    const parts = planFromJupiter(quote, await this.client.swapInstructions(quote, wallet.toBase58()));
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

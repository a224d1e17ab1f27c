/**
 * The send guard: before a live executor signs and sends a plan, its swap instructions are
 * simulated against the chain's current state (simulateTransaction, the output token account
 * read back; a flash-loan-wrapped plan with its borrow and repay, as the builder places them). A plan that would fail, or whose simulated output falls short of the quote by more
 * than the tolerance the rules set (`maxQuoteShortfallBps`), is refused with a typed error: the
 * live executor reports it rejected and not sent, and the worker dead-letters it with the reason.
 */
import { ComputeBudgetProgram, PublicKey, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import type { Order } from '../../orders/index.ts';
import { associatedTokenAddress, TOKEN_PROGRAM } from '../../venues/index.ts';
import { metrics } from '../../infra/telemetry/index.ts';
import type { RouteSource, SwapPlan } from './plan.ts';
import { flashWrapped } from '../flash/provider.ts';
import { MAX_COMPUTE_UNITS } from '../tx/builder.ts';
import { keepAliveFetch } from '../http.ts';

export interface GuardStats {
  checked: number;
  passed: number;
  refused: { wouldFail: number; shortfall: number };
}

export interface SendGuardOptions {
  inner: RouteSource;
  /** JSON-RPC endpoint that simulates against the current state. */
  rpcUrl: string;
  /** Largest shortfall of the simulated output below the quote, bps (the rules' param). */
  maxShortfallBps: (order: Order) => number;
  /**
   * Where the simulated transaction's blockhash comes from (a `BlockhashCache`; default: fetched
   * per check). The node replaces it (`replaceRecentBlockhash`), so any recent one will do.
   */
  blockhashes?: { get(): Promise<{ blockhash: string }> };
}

interface SimValue {
  err: unknown;
  unitsConsumed?: number;
  logs: string[] | null;
  accounts: ({ data: [string, string] } | null)[] | null;
}

async function rpcCall<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await keepAliveFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error || body.result === undefined) throw new SolrulesError('EXEC_RPC_UNAVAILABLE', `guard: ${method} failed: ${body.error?.message ?? res.status}`, { method });
  return body.result;
}

function tokenAmount(data: Buffer | undefined): bigint {
  return data && data.length >= 72 ? data.readBigUInt64LE(64) : 0n;
}

export class SendGuard implements RouteSource {
  readonly name: string;
  readonly stats: GuardStats = { checked: 0, passed: 0, refused: { wouldFail: 0, shortfall: 0 } };

  constructor(private readonly opts: SendGuardOptions) {
    this.name = `guarded ${opts.inner.name}`;
  }

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const plan = await this.opts.inner.plan(order, wallet);
    this.stats.checked += 1;
    // Memoized derivation (no spl-token): the same wallet and mint on every send (getAssociatedTokenAddressSync re-derives, ~0.3 ms).
    const out = associatedTokenAddress(plan.expected.outputMint, wallet, TOKEN_PROGRAM).toBase58();
    const { blockhash } = this.opts.blockhashes ? await this.opts.blockhashes.get() : (await rpcCall<{ value: { blockhash: string } }>(this.opts.rpcUrl, 'getLatestBlockhash', [{ commitment: 'processed' }])).value;
    // At the protocol's compute maximum, like the builder's own probe: the units it reports size
    // the sent transaction's limit (SwapPlan.simulation) — one simulation per send, not two.
    const limit = ComputeBudgetProgram.setComputeUnitLimit({ units: MAX_COMPUTE_UNITS });
    const instructions = plan.flashLoan ? flashWrapped(plan.flashLoan, plan.instructions, [limit]) : [limit, ...plan.instructions];
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: wallet, recentBlockhash: blockhash, instructions }).compileToV0Message(plan.lookupTables));
    // The output account before and after, side by side: the wallet is leased to this order, so
    // nothing of ours moves it between the two reads.
    const [before, simulated] = await Promise.all([
      rpcCall<{ value: { data: [string, string] } | null }>(this.opts.rpcUrl, 'getAccountInfo', [out, { encoding: 'base64', commitment: 'processed' }]),
      rpcCall<{ value: SimValue }>(this.opts.rpcUrl, 'simulateTransaction', [Buffer.from(tx.serialize()).toString('base64'), { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: true, commitment: 'processed', accounts: { addresses: [out], encoding: 'base64' } }]),
    ]);
    const sim = simulated.value;
    if (sim.err) {
      this.stats.refused.wouldFail += 1;
      metrics.execution.guardRefusals.inc({ reason: 'would-fail' });
      const logs = (sim.logs ?? []).slice(-3);
      throw new SolrulesError('EXEC_GUARD_WOULD_FAIL', `guard: the transaction would fail on the current state: ${JSON.stringify(sim.err)}${logs.length ? `; last logs: ${logs.join(' | ')}` : ''}`, { orderId: order.id, err: sim.err });
    }
    const pre = tokenAmount(before.value ? Buffer.from(before.value.data[0], 'base64') : undefined);
    const postData = sim.accounts?.[0];
    const post = tokenAmount(postData ? Buffer.from(postData.data[0], 'base64') : undefined);
    // A round trip pays its input out of the same account it is paid back into.
    const simulatedOut = post - pre + (plan.expected.inputMint === plan.expected.outputMint ? plan.expected.amountIn : 0n);
    const quoted = plan.expected.amountOut;
    const tolerance = this.opts.maxShortfallBps(order);
    // shortfall > tolerance  ⇔  (quoted - simulated) * 10_000 > tolerance * quoted, in exact atoms
    if (simulatedOut < quoted && (quoted - simulatedOut) * 10_000n > BigInt(Math.floor(tolerance)) * quoted) {
      this.stats.refused.shortfall += 1;
      metrics.execution.guardRefusals.inc({ reason: 'shortfall' });
      throw new SolrulesError('EXEC_GUARD_SHORTFALL', `guard: simulated output ${simulatedOut} atoms falls short of the quote ${quoted} by more than maxQuoteShortfallBps ${tolerance}`, { orderId: order.id, simulatedOut: simulatedOut.toString(), quoted: quoted.toString(), toleranceBps: tolerance });
    }
    this.stats.passed += 1;
    return sim.unitsConsumed !== undefined ? { ...plan, simulation: { unitsConsumed: sim.unitsConsumed } } : plan;
  }
}

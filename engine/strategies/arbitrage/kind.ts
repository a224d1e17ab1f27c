/** The arbitrage strategy kind: the best two-leg round trip across venues on live pool state. */
import { SolrulesError } from '../../errors/index.ts';
import { field as f, type FactCatalog } from '../../facts/index.ts';
import type { StrategyKind } from '../kind.ts';
import { ArbitragePlanner } from './arbitrage.ts';

const facts: FactCatalog = {
  arbitrage: {
    description: 'Best two-leg round trip for a pair across two venues, net of every cost.',
    fields: {
      pair: f('string', 'Pair, e.g. SOL/USDC.'),
      buyVenue: f('string', 'Venue of the first leg.'),
      sellVenue: f('string', 'Venue of the second leg.'),
      inputMint: f('string', 'Mint spent and received back.'),
      amountIn: f('atoms', 'Optimal input size.', 'atoms'),
      expectedOut: f('atoms', 'Expected amount back after both legs.', 'atoms'),
      grossProfitBps: f('number', 'Profit before costs.', 'bps'),
      netProfitBps: f('number', 'Profit after swap fees, flash-loan fee, tip and priority fee.', 'bps'),
      netProfitUsd: f('number', 'Net profit.', 'USD'),
      netProfitLamports: f('atoms', 'Net profit in lamports (for tips).', 'lamports'),
      tipLamports: f('atoms', 'Jito tip assumed.', 'lamports'),
      priorityFeeLamports: f('atoms', 'Priority fee assumed.', 'lamports'),
      flashLoan: f('boolean', 'Whether the trade needs a flash loan.'),
      hops: f('integer', 'Number of swaps.'),
      minProfitUsd: f('number', 'Dynamic profit threshold: params minProfitUsd × thresholdMultiplier.', 'USD'),
      minProfitBps: f('number', 'Dynamic profit threshold: params minProfitBps × thresholdMultiplier.', 'bps'),
      thresholdMultiplier: f('number', '1 / (realizedOverExpected × landingRate) over recent round trips, within [1, maxThresholdMultiplier]; 1 below 5 of them.', 'ratio'),
      landingRate: f('number', 'Share of recent round trips that landed.', 'ratio'),
      realizedOverExpected: f('number', 'Realized over expected profit of the recent landed round trips (at most 1).', 'ratio'),
      recentAttempts: f('integer', 'Recent round trips measured (the window).'),
    },
  },
};

const lamports = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+$' }] };

/** JSON Schema of an arbitrage strategy's params (defaults in arbitrage.ts). */
const paramsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    minProfitBps: { type: 'number', minimum: 0, description: 'Smallest net profit traded, in bps of the input.' },
    minProfitUsd: { type: 'number', minimum: 0, description: 'Smallest net profit traded, in USD.' },
    maxInputUsd: { type: 'number', exclusiveMinimum: 0, default: 1000, description: 'Largest round trip searched, in USD.' },
    inputs: { type: 'array', items: { enum: ['quote', 'base'] }, minItems: 1, uniqueItems: true, default: ['quote'], description: 'Start mints.' },
    flashLoan: { type: 'boolean', default: true, description: 'Borrow the input with a flash loan.' },
    flashLoanFeeBps: { type: 'number', minimum: 0, default: 0, description: 'Flash-loan fee on the borrowed input, in bps.' },
    tipLamports: { ...lamports, default: 10000, description: 'Jito tip assumed per round trip.' },
    priorityFeeLamports: { ...lamports, default: 5000, description: 'Priority fee assumed per round trip.' },
    maxStateAgeSlots: { type: 'integer', minimum: 0, default: 150, description: 'Pools older than this are not traded on.' },
    thresholdWindow: { type: 'integer', minimum: 1, default: 20, description: 'Recent round trips the dynamic profit threshold looks at.' },
    maxThresholdMultiplier: { type: 'number', minimum: 1, default: 4, description: 'Largest factor the dynamic threshold raises minProfitUsd / minProfitBps by.' },
    routeTemplates: { type: 'boolean', default: true, description: 'Re-fill a known profitable route with its last size (one quote) before searching every pool pair.' },
  },
};

export const arbitrageKind: StrategyKind = {
  kind: 'arbitrage',
  description: 'Cross-venue arbitrage: for each venue pair, the two-leg round trip at the size that maximizes net profit, from live pool state.',
  paramsSchema,
  facts,
  modes: ['chain'],
  createPlanner: (ctx) => {
    if (!ctx.pools) throw new SolrulesError('STRATEGIES_NEEDS_POOLS', `strategy '${ctx.name}' (kind arbitrage) needs live pool state, which a price replay does not have; run it on a chain`, { strategy: ctx.name, kind: 'arbitrage' });
    return new ArbitragePlanner({ market: ctx.pools, base: ctx.market.base, quote: ctx.market.quote }, ctx.name);
  },
};

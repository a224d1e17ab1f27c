/**
 * The fact catalog: every fact a rule may read, with the type and unit of each field and the
 * component that produces it, plus every operator rules may use. Validation checks each
 * condition's fact, path and operator against this; the facts JSON Schema is generated from it.
 *
 * Field types:
 * - number / integer / string / boolean: what rules compare (human units: USD, bps, SOL, %)
 * - atoms: an exact token amount as a decimal string (bigint in code). Rules pass atoms on to
 *   orders but never order-compare them: compare the human-unit field beside it instead.
 * - series: recent numeric values, oldest first (for percent-change and crossing operators)
 * - string[]: a list of names
 * - map: string keys (mints, venues) to a nested field type
 */

export type ScalarType = 'number' | 'integer' | 'string' | 'boolean' | 'atoms';
export type FieldType = ScalarType | 'series' | 'string[]' | 'object' | 'map' | 'any';

export interface FieldSpec {
  type: FieldType;
  unit?: string;
  description: string;
  /** Nested fields for `object`. */
  fields?: Record<string, FieldSpec>;
  /** Value spec for `map` entries. */
  values?: FieldSpec;
  /** Allowed values for a string field. */
  enum?: readonly string[];
}

export interface FactSpec {
  description: string;
  /** The engine component that computes the fact before evaluation. */
  producer: string;
  fields: Record<string, FieldSpec>;
  /** `params` is checked against strategies.yaml instead of a fixed field list. */
  dynamic?: boolean;
}

const f = (type: FieldType, description: string, unit?: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type,
  description,
  ...(unit ? { unit } : {}),
  ...extra,
});

const ACCURACY_FIELDS: Record<string, FieldSpec> = {
  samples: f('integer', 'Confirmed executions measured.'),
  meanShortfallBps: f('number', 'Mean shortfall of realized output against the quote.', 'bps'),
  worstShortfallBps: f('number', 'Largest shortfall seen.', 'bps'),
  lastShortfallBps: f('number', 'Shortfall of the latest execution.', 'bps'),
};

export const FACTS: Readonly<Record<string, FactSpec>> = {
  price: {
    description: 'Aggregated price of one token (venues and oracles), with a short history window.',
    producer: 'scanners/price-feed (replay: scanners/replay)',
    fields: {
      mint: f('string', 'Token mint (base58).'),
      symbol: f('string', 'Token symbol, e.g. SOL.'),
      usd: f('number', 'Last price.', 'USD'),
      bidUsd: f('number', 'Best bid across venues.', 'USD'),
      askUsd: f('number', 'Best ask across venues.', 'USD'),
      confidenceUsd: f('number', 'Oracle confidence interval (half-width).', 'USD'),
      recentUsd: f('series', 'Recent prices, oldest first, including the current one.', 'USD'),
      changePct: f('number', 'Change over the recent window.', 'pct'),
      slot: f('integer', 'Slot the price was observed at (0 in replay).', 'slot'),
      timestamp: f('integer', 'Observation time.', 'unix-s'),
      source: f('string', 'Where the price came from (pyth, venues, replay).'),
    },
  },
  pool: {
    description: 'Decoded state of one DEX pool.',
    producer: 'scanners/chain (engine/venues decoders)',
    fields: {
      address: f('string', 'Pool address.'),
      venue: f('string', 'Venue id.', undefined, { enum: ['raydium-amm-v4', 'raydium-clmm', 'orca-whirlpool', 'meteora-dlmm'] }),
      mintA: f('string', 'First mint.'),
      mintB: f('string', 'Second mint.'),
      reserveA: f('atoms', 'Reserve of mintA.', 'atoms'),
      reserveB: f('atoms', 'Reserve of mintB.', 'atoms'),
      priceUsd: f('number', 'Price of mintA in USD implied by the pool.', 'USD'),
      liquidityUsd: f('number', 'Total value locked.', 'USD'),
      feeBps: f('number', 'Swap fee.', 'bps'),
      slot: f('integer', 'Slot of the decoded state.', 'slot'),
      ageSlots: f('integer', 'Slots since the state was observed.', 'slots'),
    },
  },
  spread: {
    description: 'Price difference for one token between the cheapest and the dearest venue.',
    producer: 'scanners/price-feed',
    fields: {
      mint: f('string', 'Token mint.'),
      spreadBps: f('number', 'Spread between best ask and best bid venues.', 'bps'),
      bestBidVenue: f('string', 'Venue with the highest bid.'),
      bestAskVenue: f('string', 'Venue with the lowest ask.'),
      venues: f('string[]', 'Venues quoted.'),
    },
  },
  arbitrage: {
    description: 'Best two-leg round trip for a pair across two venues, net of every cost.',
    producer: 'planners/arbitrage',
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
    },
  },
  volume: {
    description: 'Trading volume for one token.',
    producer: 'scanners/volume',
    fields: {
      mint: f('string', 'Token mint.'),
      volume24hUsd: f('number', 'Volume over 24 hours.', 'USD'),
      trades24h: f('integer', 'Trades over 24 hours.'),
      averageTradeUsd: f('number', 'Average trade size.', 'USD'),
      spikeRatio: f('number', 'Last window volume over the 24 h average window.', 'ratio'),
      spike: f('boolean', 'spikeRatio above the configured threshold.'),
    },
  },
  wallet: {
    description: 'The wallet an order would use.',
    producer: 'wallets',
    fields: {
      available: f('boolean', 'A funded worker wallet is free.'),
      tier: f('string', 'Wallet tier.', undefined, { enum: ['treasure', 'controller', 'proxy', 'worker'] }),
      solBalance: f('number', 'SOL balance.', 'SOL'),
      baseBalance: f('number', 'Balance of the strategy base token, in tokens.', 'tokens'),
      quoteBalance: f('number', 'Balance of the strategy quote token, in tokens.', 'tokens'),
      baseAtoms: f('atoms', 'Balance of the base token.', 'atoms'),
      quoteAtoms: f('atoms', 'Balance of the quote token.', 'atoms'),
      name: f('string', 'wallets.yaml name (wallet rules).'),
      onHold: f('boolean', 'On hold: its balance differs from what our own transfers explain (wallet rules).'),
      floorSol: f('number', 'wallets.yaml minBalanceSol (0 when unset).', 'SOL'),
      targetSol: f('number', 'SOL funding target (0 when unset).', 'SOL'),
      hasCap: f('boolean', 'wallets.yaml sets maxBalanceSol.'),
      capSol: f('number', 'wallets.yaml maxBalanceSol (0 when unset: see hasCap).', 'SOL'),
      discrepancy: f('boolean', 'SOL balance differs from what our own transfers explain (wallet rules).'),
      differenceSol: f('number', 'SOL actual minus expected (0 when nothing is recorded).', 'SOL'),
    },
  },
  grid: {
    description: 'Grid strategy state at the current price.',
    producer: 'planners/grid',
    fields: {
      levels: f('integer', 'Number of price levels.'),
      level: f('integer', 'Index of the highest level at or below the price (-1 below the grid).'),
      lowerUsd: f('number', 'Lowest level price.', 'USD'),
      upperUsd: f('number', 'Highest level price.', 'USD'),
      buyLevelUsd: f('number', 'Price of the level a buy would fill at.', 'USD'),
      sellLevelUsd: f('number', 'Price of the level a sell would fill at.', 'USD'),
      crossedDown: f('boolean', 'Price fell through at least one level since the last tick.'),
      crossedUp: f('boolean', 'Price rose through at least one level since the last tick.'),
      buyLevelFree: f('boolean', 'At least one level crossed downward holds no inventory and no pending order.'),
      sellLevelHolding: f('boolean', 'At least one level holds inventory whose sell level is at or below the price.'),
      outsideGrid: f('boolean', 'Price is above the top or below the bottom level.'),
      ticksOutside: f('integer', 'Consecutive ticks outside the grid.'),
      buySizeAtoms: f('atoms', 'Quote atoms to spend: orderSizeUsd for each crossed free level.', 'atoms'),
      sellSizeAtoms: f('atoms', 'Base atoms held by the levels ready to sell.', 'atoms'),
      buyNotionalUsd: f('number', 'Value of the buy for the crossed free levels.', 'USD'),
      sellNotionalUsd: f('number', 'Value of the sell for the holding levels.', 'USD'),
      inventoryAtoms: f('atoms', 'Base atoms held by the grid.', 'atoms'),
      realizedPnlUsd: f('number', 'Realized P&L of the grid so far.', 'USD'),
    },
  },
  dca: {
    description: 'Dollar-cost-averaging position and schedule.',
    producer: 'planners/dca',
    fields: {
      due: f('boolean', 'The interval since the last buy has elapsed.'),
      minutesSinceLastBuy: f('number', 'Minutes since the last buy (very large before the first).', 'minutes'),
      buyAmountUsd: f('number', 'Size of the next buy from the amount rule.', 'USD'),
      buyAmountAtoms: f('atoms', 'Quote atoms of the next buy.', 'atoms'),
      positionAtoms: f('atoms', 'Base atoms held.', 'atoms'),
      positionTokens: f('number', 'Base tokens held.', 'tokens'),
      positionCostUsd: f('number', 'Cost of the position held.', 'USD'),
      positionValueUsd: f('number', 'Value of the position at the current price.', 'USD'),
      averageEntryUsd: f('number', 'Average entry price (0 without a position).', 'USD'),
      costAfterBuyUsd: f('number', 'Position cost if the next buy fills.', 'USD'),
      pnlPct: f('number', 'Unrealized P&L of the position (negative when losing).', 'pct'),
      drawdownPct: f('number', 'Unrealized loss of the position (0 when in profit).', 'pct'),
      buys: f('integer', 'Buys since the position opened.'),
    },
  },
  time: {
    description: 'Evaluation time (the replayed time in a backtest).',
    producer: 'engine clock',
    fields: {
      unix: f('integer', 'Seconds since the epoch.', 'unix-s'),
      iso: f('string', 'ISO-8601 UTC time.'),
      hourUtc: f('integer', 'Hour of day, UTC.', 'hour'),
      dayOfWeek: f('integer', 'Day of week, 0 = Sunday, UTC.'),
    },
  },
  order: {
    description: 'The order being routed or risk-checked (routing.yaml and risk.yaml).',
    producer: 'execution/coordinator',
    fields: {
      id: f('string', 'Order id.'),
      strategy: f('string', 'Strategy that decided it.'),
      rule: f('string', 'Rule that decided it.'),
      side: f('string', 'buy or sell of the base token, or roundtrip (arbitrage).', undefined, { enum: ['buy', 'sell', 'roundtrip'] }),
      urgency: f('string', 'How fast it must land.', undefined, { enum: ['low', 'normal', 'high'] }),
      notionalUsd: f('number', 'Order value.', 'USD'),
      expectedProfitUsd: f('number', 'Expected profit (0 when not a profit-seeking order).', 'USD'),
      expectedProfitLamports: f('atoms', 'Expected profit in lamports.', 'lamports'),
      inputMint: f('string', 'Mint spent.'),
      outputMint: f('string', 'Mint received.'),
      amountIn: f('atoms', 'Atoms spent.', 'atoms'),
    },
  },
  risk: {
    description: 'Exposure and rate counters for risk guards.',
    producer: 'execution/coordinator',
    fields: {
      ordersLastMinute: f('integer', 'Orders accepted in the last minute (engine time).'),
      strategyNotionalUsd: f('number', "The strategy's open notional including this order.", 'USD'),
      dailyLossUsd: f('number', 'Realized loss today (positive number).', 'USD'),
    },
  },
  quoteAccuracy: {
    description: 'Realized vs expected output of confirmed executions (quote accuracy), overall, per venue and per route (executor). Shortfall is positive when less arrived than quoted.',
    producer: 'execution/confirm (confirmation monitor)',
    fields: {
      ...ACCURACY_FIELDS,
      byVenue: f('map', 'Per venue id (orca-whirlpool, raydium-amm-v4, jupiter, ...).', undefined, { values: { type: 'object', description: 'Accuracy of one venue.', fields: ACCURACY_FIELDS } }),
      byRoute: f('map', 'Per executor (jito, rpc, paper).', undefined, { values: { type: 'object', description: 'Accuracy of one route.', fields: ACCURACY_FIELDS } }),
    },
  },
  control: {
    description: 'Operator controls.',
    producer: 'control (admin commands, kill switch)',
    fields: {
      killSwitch: f('boolean', 'Kill switch engaged: no order may pass.'),
      paused: f('boolean', 'Engine paused by an operator.'),
    },
  },
  params: {
    description: 'Thresholds and parameters from strategies.yaml: params.<strategy>.<name>, params.routing.*, params.risk.*.',
    producer: 'config (strategies.yaml)',
    fields: {},
    dynamic: true,
  },
};

export interface OperatorSpec {
  description: string;
  /** Field types the fact side may have. */
  left: readonly FieldType[];
  /** What the value side must be: same type as the fact, a number, an array of the fact's type, an element of the fact array, or a [low, high] pair. */
  right: 'same' | 'number' | 'array-of-left' | 'element-of-left' | 'range';
  /** Whether json-rules-engine ships it (the rest are ours, registered on every evaluator). */
  builtin: boolean;
}

const SCALARS: readonly FieldType[] = ['number', 'integer', 'string', 'boolean'];
const NUMERIC: readonly FieldType[] = ['number', 'integer'];

export const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  equal: { description: 'fact === value', left: SCALARS, right: 'same', builtin: true },
  notEqual: { description: 'fact !== value', left: SCALARS, right: 'same', builtin: true },
  lessThan: { description: 'fact < value', left: NUMERIC, right: 'number', builtin: true },
  lessThanInclusive: { description: 'fact <= value', left: NUMERIC, right: 'number', builtin: true },
  greaterThan: { description: 'fact > value', left: NUMERIC, right: 'number', builtin: true },
  greaterThanInclusive: { description: 'fact >= value', left: NUMERIC, right: 'number', builtin: true },
  in: { description: 'fact is one of the values', left: SCALARS, right: 'array-of-left', builtin: true },
  notIn: { description: 'fact is none of the values', left: SCALARS, right: 'array-of-left', builtin: true },
  contains: { description: 'the fact list contains the value', left: ['string[]', 'series'], right: 'element-of-left', builtin: true },
  doesNotContain: { description: 'the fact list does not contain the value', left: ['string[]', 'series'], right: 'element-of-left', builtin: true },
  between: { description: 'low <= fact <= high', left: NUMERIC, right: 'range', builtin: false },
  percentChangeAbove: {
    description: 'change from the first to the last value of the series, in percent, is above the value',
    left: ['series'],
    right: 'number',
    builtin: false,
  },
  percentChangeBelow: {
    description: 'change from the first to the last value of the series, in percent, is below the value',
    left: ['series'],
    right: 'number',
    builtin: false,
  },
  crossesAbove: {
    description: 'the series moved from below the value to at or above it on its last step',
    left: ['series'],
    right: 'number',
    builtin: false,
  },
  crossesBelow: {
    description: 'the series moved from above the value to at or below it on its last step',
    left: ['series'],
    right: 'number',
    builtin: false,
  },
};

/** json-rules-engine operator decorators, written `decorator:operator` (they chain). */
export const DECORATORS: Readonly<Record<string, string>> = {
  someFact: 'the fact is an array and some element satisfies the operator',
  everyFact: 'the fact is an array and every element satisfies the operator',
  someValue: 'the value is an array and some element satisfies the operator',
  everyValue: 'the value is an array and every element satisfies the operator',
  not: 'negates the operator',
  swap: 'swaps the fact and value sides',
};

/** The spec of a field at a dot path inside a fact (undefined when the path does not exist). */
export function fieldAt(fact: FactSpec, path: string | undefined): FieldSpec | undefined {
  if (path === undefined || path === '') return { type: 'object', description: fact.description, fields: fact.fields };
  let fields: Record<string, FieldSpec> | undefined = fact.fields;
  let spec: FieldSpec | undefined;
  for (const segment of path.split('.')) {
    if (spec?.type === 'map') {
      spec = spec.values;
      fields = spec?.fields;
      continue;
    }
    if (spec?.type === 'any') return spec;
    spec = fields?.[segment];
    if (!spec) return undefined;
    fields = spec.fields;
  }
  return spec;
}

/** Every dot path declared for a fact (for "did you mean" hints and docs). */
export function pathsOf(fact: FactSpec): string[] {
  const out: string[] = [];
  const walk = (fields: Record<string, FieldSpec>, prefix: string) => {
    for (const [name, spec] of Object.entries(fields)) {
      out.push(prefix + name);
      if (spec.fields) walk(spec.fields, `${prefix}${name}.`);
    }
  };
  walk(fact.fields, '');
  return out;
}

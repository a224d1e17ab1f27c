/**
 * The fact catalog: every fact a rule may read, with the type and unit of each field. The base
 * facts are here; each strategy kind declares the facts its planner adds (engine/strategies), and
 * who produces each fact, in which run mode, is in producers.ts. Validation checks each condition's
 * fact and path against the assembled catalog; the facts JSON Schema is generated from it.
 *
 * Field types:
 * - number / integer / string / boolean: what rules compare (human units: USD, bps, SOL, %)
 * - atoms: an exact token amount as a decimal string (bigint in code). Rules pass atoms on to
 *   orders but never order-compare them: compare the human-unit field beside it instead.
 * - series: recent numeric values, oldest first (for percent-change and crossing operators)
 * - string[]: a list of names
 * - map: string keys (mints, venues) to a nested field type
 */
import { VENUES } from '../venues/index.ts';

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
  /** May be null (an indicator while it warms up): a comparison with null is false. */
  nullable?: boolean;
}

export interface FactSpec {
  description: string;
  fields: Record<string, FieldSpec>;
  /** `params` is checked against strategies.yaml instead of a fixed field list. */
  dynamic?: boolean;
  /**
   * A fact keyed by names the configuration declares (`indicator.<name>`): every top-level key is
   * an entry of this spec. Which names exist is checked per strategy (validate), not here.
   */
  entries?: FieldSpec;
}

/** A field spec: its type, description and unit. */
export const field = (type: FieldType, description: string, unit?: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type,
  description,
  ...(unit ? { unit } : {}),
  ...extra,
});

const f = field;

const ACCURACY_FIELDS: Record<string, FieldSpec> = {
  samples: f('integer', 'Confirmed executions measured.'),
  meanShortfallBps: f('number', 'Mean shortfall of realized output against the quote.', 'bps'),
  worstShortfallBps: f('number', 'Largest shortfall seen.', 'bps'),
  lastShortfallBps: f('number', 'Shortfall of the latest execution.', 'bps'),
};

/** A set of fact specs by fact name. */
export type FactCatalog = Readonly<Record<string, FactSpec>>;


/** The facts every configuration knows, whatever strategy kinds are registered. */
export const BASE_FACTS: FactCatalog = {
  price: {
    description: 'Aggregated price of one token (venues and oracles), with a short history window.',
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
    description: 'Decoded state of one DEX pool: in a chain run, the deepest pool (most USD locked) trading the strategy base token.',
    fields: {
      address: f('string', 'Pool address.'),
      venue: f('string', 'Venue id.', undefined, { enum: VENUES.map((v) => v.id) }),
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
    fields: {
      mint: f('string', 'Token mint.'),
      spreadBps: f('number', 'Spread between best ask and best bid venues.', 'bps'),
      bestBidVenue: f('string', 'Venue with the highest bid.'),
      bestAskVenue: f('string', 'Venue with the lowest ask.'),
      venues: f('string[]', 'Venues quoted.'),
    },
  },
  volume: {
    description: 'Trading volume for one token (chain runs: swaps inferred from pool state changes since the scanner started).',
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
  time: {
    description: 'Evaluation time (the replayed time in a backtest).',
    fields: {
      unix: f('integer', 'Seconds since the epoch.', 'unix-s'),
      iso: f('string', 'ISO-8601 UTC time.'),
      hourUtc: f('integer', 'Hour of day, UTC.', 'hour'),
      dayOfWeek: f('integer', 'Day of week, 0 = Sunday, UTC.'),
    },
  },
  order: {
    description: 'The order being routed or risk-checked (routing.yaml and risk.yaml).',
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
    fields: {
      ordersLastMinute: f('integer', 'Orders accepted in the last minute (engine time).'),
      strategyNotionalUsd: f('number', "The strategy's open notional including this order.", 'USD'),
      dailyLossUsd: f('number', 'Realized loss today (positive number).', 'USD'),
    },
  },
  quoteAccuracy: {
    description: 'Realized vs expected output of confirmed executions (quote accuracy), overall, per venue and per route (executor). Shortfall is positive when less arrived than quoted.',
    fields: {
      ...ACCURACY_FIELDS,
      byVenue: f('map', 'Per venue id (orca-whirlpool, raydium-amm-v4, jupiter, ...).', undefined, { values: { type: 'object', description: 'Accuracy of one venue.', fields: ACCURACY_FIELDS } }),
      byRoute: f('map', 'Per executor (jito, rpc, paper).', undefined, { values: { type: 'object', description: 'Accuracy of one route.', fields: ACCURACY_FIELDS } }),
    },
  },
  tip: {
    description: "The dynamic Jito tip: the competition's landed-tip percentiles (Jito's tip floor) and how our own recent bundles fared; the percentile bid at climbs as our landing rate falls. Absent until a tip floor is known.",
    fields: {
      source: f('string', 'Where the percentiles come from.', undefined, { enum: ['jito-tip-floor', 'none'] }),
      p25Lamports: f('atoms', "25th percentile of recently landed tips.", 'lamports'),
      p50Lamports: f('atoms', 'Median landed tip.', 'lamports'),
      p75Lamports: f('atoms', '75th percentile of landed tips.', 'lamports'),
      p95Lamports: f('atoms', '95th percentile of landed tips.', 'lamports'),
      p99Lamports: f('atoms', '99th percentile of landed tips.', 'lamports'),
      emaP50Lamports: f('atoms', 'Moving average of the median.', 'lamports'),
      ageSeconds: f('integer', 'Age of the tip-floor sample.', 'seconds'),
      samples: f('integer', 'Our recent bundles measured (the landing window).'),
      landed: f('integer', 'Of those, landed.'),
      notLanded: f('integer', 'Of those, known not to have landed.'),
      landingRate: f('number', 'landed / samples (0 without samples).', 'ratio'),
      percentile: f('integer', 'Competition percentile bid at: 75 below 5 samples, else 50 / 75 / 95 / 99 as the landing rate falls below 0.9 / 0.6 / 0.3.'),
      recommendedLamports: f('atoms', 'The tip at that percentile (route param tipLamports).', 'lamports'),
      recommendedSol: f('number', 'The same in SOL, for comparisons.', 'SOL'),
    },
  },
  ai: {
    description: "Latest AI chart analysis of the strategy's market (a vision model's view, validated). Unready when missing, stale, failed or stopped by the budget: then recommendation is none and confidence 0.",
    fields: {
      market: f('string', 'Market analysed, e.g. SOL/USDC.'),
      ready: f('boolean', 'A complete answer younger than the maximum age exists.'),
      status: f('string', 'Why the fact is (not) ready.', undefined, { enum: ['ok', 'stale', 'failed', 'budget-exhausted', 'missing'] }),
      recommendation: f('string', 'The model recommendation for the base token (none when not ready).', undefined, { enum: ['buy', 'sell', 'hold', 'none'] }),
      confidence: f('number', 'Model confidence, 0 to 1 (0 when not ready).', 'ratio'),
      horizon: f('string', 'How long the view should hold (intraday, days, weeks; empty when not ready).'),
      ageSeconds: f('integer', 'Seconds since the analysis finished.', 'seconds'),
      model: f('string', 'Model that answered.'),
    },
  },
  control: {
    description: 'Operator controls.',
    fields: {
      killSwitch: f('boolean', 'Kill switch engaged: no order may pass.'),
      paused: f('boolean', 'Engine paused by an operator.'),
    },
  },
  params: {
    description: 'Thresholds and parameters from strategies.yaml: params.<strategy>.<name>, params.routing.*, params.risk.*.',
    fields: {},
    dynamic: true,
  },
};

/** The spec of a field at a dot path inside a fact (undefined when the path does not exist). */
export function fieldAt(fact: FactSpec, path: string | undefined): FieldSpec | undefined {
  if (path === undefined || path === '') return { type: 'object', description: fact.description, fields: fact.fields };
  let fields: Record<string, FieldSpec> | undefined = fact.fields;
  let spec: FieldSpec | undefined = fact.entries ? { type: 'map', description: fact.description, values: fact.entries } : undefined;
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
  if (fact.entries?.fields) walk(fact.entries.fields, '<name>.');
  return out;
}

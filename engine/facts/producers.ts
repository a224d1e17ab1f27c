/**
 * Who produces each fact, for which rules and in which run mode. A rule reading a fact that no
 * producer enabled in the configuration supplies would never hold — silently — so validation
 * refuses it and the run warns: this registry is what both consult.
 *
 * Scopes: `strategy` facts reach a strategy's rule file; `order` facts reach the risk and
 * routing files the coordinator evaluates per order. A strategy kind's own facts reach only the
 * rules of strategies of that kind.
 */
import type { FactCatalog } from './catalog.ts';

/** Where the engine's facts come from: a replayed series, or a chain (scanners, live executors). */
export type RunMode = 'replay' | 'chain';
export const RUN_MODES: readonly RunMode[] = ['replay', 'chain'];

/** Which rule files a fact reaches: a strategy's, risk and routing (per order), wallet rebalancing. */
export type RuleScope = 'strategy' | 'order' | 'wallets';

export interface FactProducer {
  readonly id: string;
  /** What it is, for messages ("the grid strategy kind's planner"). */
  readonly description: string;
  readonly modes: readonly RunMode[];
  readonly scopes: readonly RuleScope[];
  /** Per fact, the top-level fields it fills: '*' for all the catalog declares. */
  readonly produces: Readonly<Record<string, '*' | readonly string[]>>;
  /** Set for a strategy kind's planner: its facts reach only strategies of that kind. */
  readonly strategyKind?: string;
}

/** The producers that exist whatever strategy kinds are configured. One entry per component. */
export const BASE_PRODUCERS: readonly FactProducer[] = [
  {
    id: 'replay',
    description: 'the replayed price series (solrules run)',
    modes: ['replay'],
    scopes: ['strategy'],
    produces: { price: ['mint', 'symbol', 'usd', 'recentUsd', 'changePct', 'slot', 'timestamp', 'source'] },
  },
  {
    id: 'chain-price-feed',
    description: 'the scanners’ price feed (solrules run --rpc)',
    modes: ['chain'],
    scopes: ['strategy'],
    // spread: when two venues or more quote the token; pool: the deepest decoded pool trading it; volume: the volume monitor
    produces: { price: ['mint', 'symbol', 'usd', 'recentUsd', 'changePct', 'slot', 'timestamp', 'source', 'bidUsd', 'askUsd'], spread: '*', pool: '*', volume: '*' },
  },
  { id: 'clock', description: 'the engine clock (replayed time in a backtest)', modes: ['replay', 'chain'], scopes: ['strategy'], produces: { time: '*' } },
  {
    id: 'paper-portfolio',
    description: 'the engine’s portfolio (paper balances; in a live run, the realized fills)',
    modes: ['replay', 'chain'],
    scopes: ['strategy'],
    produces: { wallet: ['available', 'baseBalance', 'quoteBalance', 'baseAtoms', 'quoteAtoms'] },
  },
  {
    id: 'coordinator',
    description: 'the coordinator (per order it risk-checks and routes)',
    modes: ['replay', 'chain'],
    scopes: ['order'],
    produces: { order: '*', risk: ['ordersLastMinute', 'strategyNotionalUsd', 'dailyLossUsd'] },
  },
  { id: 'control', description: 'operator controls (admin commands, kill switch)', modes: ['replay', 'chain'], scopes: ['order'], produces: { control: '*' } },
  { id: 'config', description: 'strategies.yaml', modes: ['replay', 'chain'], scopes: ['strategy', 'order', 'wallets'], produces: { params: '*' } },
  {
    id: 'wallet-manager',
    description: 'the wallet manager (balance scanner, wallets.yaml targets)',
    modes: ['chain'],
    scopes: ['wallets'],
    produces: { wallet: ['name', 'tier', 'onHold', 'available', 'solBalance', 'floorSol', 'targetSol', 'hasCap', 'capSol', 'discrepancy', 'differenceSol'] },
  },
  {
    id: 'confirmations',
    description: 'the confirmation monitor of live executors',
    modes: ['chain'],
    scopes: ['order'],
    produces: { quoteAccuracy: '*' },
  },
  {
    id: 'jito-tips',
    description: "the Jito tip advisor of a --live run (the block engine's tip floor and our bundles' landing history)",
    modes: ['chain'],
    scopes: ['order'],
    produces: { tip: '*' },
  },
];

/**
 * Facts (or `fact.field`s) the catalog declares that no run mode produces yet, with what will.
 * A rule reading one is refused by validate; test/facts/producers.test.ts fails when an entry
 * here is in fact produced, or when something unproduced is missing from this list.
 */
export const NOT_PRODUCED_YET: Readonly<Record<string, string>> = {
  'price.confidenceUsd': 'oracle confidence comes from the chain price feed with a Pyth oracle configured, not passed to rules yet (the live-engine issue)',
  ai: 'the engine does not run chart analyses yet: `solrules analyze` renders a chart and asks the model by hand (the AI analysis issue wires the queue as a producer)',
};

/** Options of one question "who supplies this to that rule file?". */
export interface ProducerQuery {
  scope: RuleScope;
  /** The strategy kind whose rule file reads it (scope 'strategy'). */
  strategyKind?: string;
  /** Only producers in this mode (undefined: any mode). */
  mode?: RunMode;
}

/** The producers that supply `fact`'s top-level `field` (undefined: the fact as a whole) to a rule file. */
export function producersOf(producers: readonly FactProducer[], fact: string, field: string | undefined, q: ProducerQuery): FactProducer[] {
  return producers.filter((p) => {
    if (!p.scopes.includes(q.scope)) return false;
    if (q.mode && !p.modes.includes(q.mode)) return false;
    if (p.strategyKind !== undefined && p.strategyKind !== q.strategyKind) return false;
    const fields = p.produces[fact];
    if (!fields) return false;
    return fields === '*' || field === undefined || fields.includes(field);
  });
}

/** Every `fact` and `fact.field` of a catalog that no producer supplies in any scope or mode. */
export function unproducedPaths(catalog: FactCatalog, producers: readonly FactProducer[]): string[] {
  const out: string[] = [];
  for (const [fact, spec] of Object.entries(catalog)) {
    const any = producers.filter((p) => p.produces[fact]);
    if (!any.length) {
      out.push(fact);
      continue;
    }
    if (any.some((p) => p.produces[fact] === '*')) continue;
    for (const field of Object.keys(spec.fields)) if (!any.some((p) => (p.produces[fact] as readonly string[]).includes(field))) out.push(`${fact}.${field}`);
  }
  return out;
}

/** Why `fact.path` does not reach a rule file (undefined when a producer supplies it): what would, or that nothing does yet. */
export function whyUnproduced(producers: readonly FactProducer[], fact: string, path: string | undefined, q: ProducerQuery): string | undefined {
  const field = path?.split('.')[0] || undefined;
  if (producersOf(producers, fact, field, q).length) return undefined;
  const pending = NOT_PRODUCED_YET[field ? `${fact}.${field}` : fact] ?? NOT_PRODUCED_YET[fact];
  if (pending) return `not produced yet — ${pending}`;
  const elsewhere = producers.filter((p) => {
    const fields = p.produces[fact];
    return fields && (fields === '*' || field === undefined || fields.includes(field));
  });
  if (!elsewhere.length) return 'no registered component produces it';
  const scopeText = (p: FactProducer) => p.scopes.map((x) => (x === 'order' ? 'risk and routing rules' : x === 'wallets' ? 'wallet rules' : 'strategy rules')).join(' and ');
  return elsewhere
    .map((p) => `${p.description} produces it, for ${p.strategyKind ? `the rules of '${p.strategyKind}' strategies` : scopeText(p)}${p.modes.length < RUN_MODES.length ? ` in ${p.modes.join('/')} runs` : ''}`)
    .join('; ');
}

/**
 * Plausibility of strategies.yaml values: schema-valid numbers that are almost certainly a
 * mistake. A percent written as a fraction (0.06 for 6 %) or an absurd amount is a warning
 * with a hint; an order larger than the whole paper portfolio cannot make sense and is an error.
 */
import type { Diagnostic } from './diagnostics.ts';
import type { StrategiesConfig } from './strategies.ts';
import { diagnosticAt, type PathSegment, type SourceFile } from './yaml.ts';

/** Above this, a USD amount is taken for a typo (more than any portfolio this engine runs). */
const IMPLAUSIBLE_USD = 1e9;

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function warn(src: SourceFile, at: PathSegment[], code: string, message: string, expected: string, found: string): Diagnostic {
  return { ...diagnosticAt(src, at, code, message, { expected, found }), severity: 'warning' };
}

/** The paper portfolio in USD when it is all quote (a USD stablecoin), else undefined. */
function portfolioUsd(cfg: StrategiesConfig): number | undefined {
  const balances = cfg.paper?.startingBalances;
  if (!balances?.quote || !/^\d+$/.test(balances.quote)) return undefined;
  if (balances.base && !/^0*$/.test(balances.base)) return undefined; // base has no price here
  if (!/^USD/i.test(cfg.market.quote.symbol)) return undefined;
  return Number(BigInt(balances.quote)) / 10 ** cfg.market.quote.decimals;
}

/** Plausibility warnings (with a "did you mean" hint) and impossible-value errors. */
export function checkPlausibility(src: SourceFile, cfg: StrategiesConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const percent = (at: PathSegment[], value: unknown, what: string) => {
    if (typeof value !== 'number' || !(value > 0 && value < 1)) return;
    out.push(warn(src, at, 'STRATEGIES_PERCENT_AS_FRACTION', `${what} is ${fmt(value)} %; did you mean ${fmt(value * 100)} %? (percent values are written as percent: 6 for 6 %)`, `a percentage such as ${fmt(value * 100)}`, fmt(value)));
  };
  const amounts = (at: PathSegment[], v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'number' && /usd$/i.test(k) && x >= IMPLAUSIBLE_USD) {
          out.push(warn(src, [...at, k], 'STRATEGIES_IMPLAUSIBLE_AMOUNT', `${[...at, k].join('.')} is ${x} USD, more than ${IMPLAUSIBLE_USD.toExponential()} USD; a typo?`, `an amount below ${IMPLAUSIBLE_USD.toExponential()} USD`, String(x)));
        } else amounts([...at, k], x);
      }
    }
  };
  for (const [name, s] of Object.entries(cfg.strategies)) {
    const params = (s?.params ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(params)) if (/Pct$/.test(k)) percent(['strategies', name, 'params', k], v, `${name}.${k}`);
    amounts(['strategies', name, 'params'], params);
  }
  amounts(['routing', 'params'], cfg.routing?.params);
  amounts(['risk', 'params'], cfg.risk?.params);
  // Strategies are named by the user; what their params mean comes from their kind.
  const ofKind = (kind: string) => Object.entries(cfg.strategies).filter(([, s]) => s?.kind === kind).map(([name, s]) => [name, (s.params ?? {}) as Record<string, unknown>] as const);
  const grids = ofKind('grid') as Array<readonly [string, { spacing?: { type?: string; value?: unknown }; orderSizeUsd?: unknown }]>;
  const dcas = ofKind('dca') as Array<readonly [string, { amount?: { usd?: unknown } }]>;
  for (const [name, grid] of grids) {
    if (grid.spacing?.type === 'percent') percent(['strategies', name, 'params', 'spacing', 'value'], grid.spacing.value, `${name} spacing`);
  }

  // An order larger than everything the paper account holds can never fill: refuse it.
  const portfolio = portfolioUsd(cfg);
  if (portfolio !== undefined) {
    const orders: Array<[PathSegment[], unknown]> = [
      ...grids.map(([name, g]): [PathSegment[], unknown] => [['strategies', name, 'params', 'orderSizeUsd'], g.orderSizeUsd]),
      ...dcas.map(([name, d]): [PathSegment[], unknown] => [['strategies', name, 'params', 'amount', 'usd'], d.amount?.usd]),
    ];
    for (const [at, v] of orders) {
      if (typeof v === 'number' && v > portfolio) {
        out.push(diagnosticAt(src, at, 'STRATEGIES_ORDER_EXCEEDS_PORTFOLIO', `${at.slice(1).filter((x) => x !== 'params').join('.')} of ${v} USD is larger than the whole paper portfolio (${fmt(portfolio)} USD in paper.startingBalances); no order of that size can fill`, { expected: `at most ${fmt(portfolio)} USD`, found: String(v) }));
      }
    }
  }
  return out;
}

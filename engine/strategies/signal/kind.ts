/** The signal strategy kind: entries and exits decided by its rules on declared indicators; sizing and protective exits from strategies.yaml. */
import { field as f, type FactCatalog, type FieldSpec } from '../../facts/index.ts';
import { COMMON_INDICATOR_FIELDS, INDICATOR_CATALOG } from '../../indicators/index.ts';
import { isAll, isAny, isLeaf, isNot, type Condition, type RuleFile } from '../../rules/index.ts';
import type { ParamsFinding, StrategyEntry, StrategyKind } from '../kind.ts';
import { readSignalIndicators, signalIndicatorFields } from './indicators.ts';
import { EXIT_REASONS, SignalPlanner, type SignalParams } from './signal.ts';

/** Every output any indicator kind has (which a declared name really has is checked per strategy). */
function indicatorEntry(): FieldSpec {
  const fields: Record<string, FieldSpec> = {};
  const outputs = new Map<string, string>();
  for (const k of Object.values(INDICATOR_CATALOG)) for (const [o, spec] of Object.entries(k.outputs)) if (!outputs.has(o)) outputs.set(o, `${spec.description} (${k.kind}${spec.unit ? `, ${spec.unit}` : ''})`);
  fields.ready = f('boolean', COMMON_INDICATOR_FIELDS.ready!.description);
  fields.bars = f('integer', COMMON_INDICATOR_FIELDS.bars!.description, 'bars');
  const nullable = { nullable: true };
  fields.prev = f('number', `${COMMON_INDICATOR_FIELDS.prev!.description} Null while not ready: a comparison with it is false.`, undefined, nullable);
  for (const [o, d] of outputs) fields[o] = f('number', `${d} Null while not ready: a comparison with it is false.`, undefined, nullable);
  fields.previous = f('object', COMMON_INDICATOR_FIELDS.previous!.description, undefined, { nullable: true, fields: Object.fromEntries([...outputs.keys()].map((o) => [o, f('number', `${o} at the previous bar.`, undefined, nullable)])) });
  fields.series = f('object', '[previous, current] of each output, for crossesAbove / crossesBelow between two facts; [] until both are numbers.', undefined, {
    fields: Object.fromEntries([...outputs.keys()].map((o) => [o, f('series', `[previous, current] ${o}.`)])),
  });
  return f('object', 'One declared indicator.', undefined, { fields });
}

const facts: FactCatalog = {
  indicator: {
    description: "The indicators a signal strategy declares in strategies.yaml (indicators:), by name: indicator.<name>.value, .prev, .ready, .upper, .series.value, … Updated once per closed bar; validate refuses a name the strategy does not declare.",
    fields: {},
    entries: indicatorEntry(),
  },
  bar: {
    description: 'The last closed bar of the strategy’s market (a price without a bar is a bar with open = high = low = close).',
    fields: {
      time: f('integer', 'Bar open time.', 'unix-s'),
      open: f('number', 'Open.', 'USD'),
      high: f('number', 'High.', 'USD'),
      low: f('number', 'Low.', 'USD'),
      close: f('number', 'Close.', 'USD'),
      volume: f('number', 'Base volume (0 when the data has none).', 'base'),
      closes: f('series', '[previous close, close]; [] on the first bar. For crossesAbove / crossesBelow against an indicator series.', 'USD'),
    },
  },
  position: {
    description: 'The signal strategy’s position and what an entry or exit would trade now.',
    fields: {
      open: f('boolean', 'Base is held.'),
      entries: f('integer', 'Entries into the open position (up to maxPositions).'),
      pending: f('boolean', 'An order of this strategy is in flight (no entry or exit is sized meanwhile).'),
      sizeAtoms: f('atoms', 'Base atoms held.', 'atoms'),
      sizeBase: f('number', 'Base held, in tokens.', 'tokens'),
      entryUsd: f('number', 'Average entry price, fees included (0 when flat).', 'USD'),
      costUsd: f('number', 'Quote spent on the open position.', 'USD'),
      valueUsd: f('number', 'Value of the position at the price.', 'USD'),
      pnlUsd: f('number', 'Unrealized P&L.', 'USD'),
      pnlPct: f('number', 'Unrealized P&L over cost.', 'pct'),
      highUsd: f('number', 'Highest close since the entry (trailing stop).', 'USD'),
      barsHeld: f('integer', 'Bars closed since the entry.', 'bars'),
      barsSinceExit: f('integer', 'Bars since the last exit (-1 before any).', 'bars'),
      inCooldown: f('boolean', 'Fewer than cooldownBars bars since the last exit.'),
      canEnter: f('boolean', 'An entry is allowed now (max positions, cooldown, nothing in flight, size ≥ minOrderUsd).'),
      enterSizeAtoms: f('atoms', 'Quote atoms an entry spends now (sizing); 0 when an entry is not allowed.', 'atoms'),
      enterSizeUsd: f('number', 'Value of enterSizeAtoms.', 'USD'),
      exitSizeAtoms: f('atoms', 'Base atoms an exit sells: the whole position; 0 when flat or an order is in flight.', 'atoms'),
      stopUsd: f('number', 'Stop-loss price (0 when none).', 'USD'),
      takeProfitUsd: f('number', 'Take-profit price (0 when none).', 'USD'),
      trailingStopUsd: f('number', 'Trailing stop price (0 when none).', 'USD'),
      stopHit: f('boolean', 'The close is at or below the stop-loss.'),
      trailingHit: f('boolean', 'The close is at or below the trailing stop.'),
      takeProfitHit: f('boolean', 'The close is at or above the take-profit.'),
      maxHoldingHit: f('boolean', 'The position was held maxHoldingBars bars.'),
      exitDue: f('boolean', 'A protective exit from strategies.yaml is due and there is something to sell.'),
      exitReason: f('string', 'The due protective exit (the first of stop-loss, trailing-stop, take-profit, max-holding), none otherwise.', undefined, { enum: ['none', ...EXIT_REASONS] }),
      trades: f('integer', 'Positions closed so far.'),
      realizedPnlUsd: f('number', 'Realized P&L so far.', 'USD'),
      equityUsd: f('number', 'Quote plus base of the wallet at the price (equityPct and risk sizing).', 'USD'),
    },
  },
};

const pctSchema = (description: string) => ({ type: 'number', exclusiveMinimum: 0, description });
const distanceSchema = (what: string) => ({
  oneOf: [
    { type: 'object', required: ['pct'], additionalProperties: false, properties: { pct: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100, description: `${what} this percent below the reference.` } } },
    {
      type: 'object',
      required: ['atr', 'multiple'],
      additionalProperties: false,
      properties: { atr: { type: 'string', description: 'A declared atr indicator.' }, multiple: { type: 'number', exclusiveMinimum: 0, description: `${what} this many ATRs below the reference.` } },
    },
  ],
});

/** JSON Schema of a signal strategy's params. */
const paramsSchema = {
  type: 'object',
  required: ['sizing'],
  additionalProperties: true,
  description: 'Sizing and protective exits; other keys are thresholds the rules read (params.<strategy>.*).',
  properties: {
    sizing: {
      type: 'object',
      required: ['type', 'value'],
      additionalProperties: false,
      description: 'Quote an entry spends: usd = value USD; equityPct = value % of quote + base at the price; quotePct = value % of the free quote; risk = lose value % of equity if the stop-loss is hit (needs stopLoss). Capped by the free quote.',
      properties: { type: { enum: ['usd', 'equityPct', 'quotePct', 'risk'] }, value: { type: 'number', exclusiveMinimum: 0 } },
    },
    stopLoss: { ...distanceSchema('Sell when the close is'), description: 'Below the average entry: { pct } or { atr: <declared atr indicator>, multiple } (ATR at the entry decision).' },
    takeProfit: { type: 'object', required: ['pct'], additionalProperties: false, properties: { pct: pctSchema('Sell when the close is this percent above the average entry.') } },
    trailingStop: { ...distanceSchema('Sell when the close is'), description: 'Below the highest close since the entry: { pct } or { atr, multiple } (current ATR).' },
    maxPositions: { type: 'integer', minimum: 1, default: 1, description: 'Entries that may stack into one position (an exit sells all of them).' },
    cooldownBars: { type: 'integer', minimum: 0, default: 0, description: 'Bars after an exit before the next entry.' },
    maxHoldingBars: { type: 'integer', minimum: 1, description: 'Exit after holding this many bars.' },
    minOrderUsd: { type: 'number', minimum: 0, default: 1, description: 'No entry smaller than this.' },
    maxEntryUsd: { type: 'number', exclusiveMinimum: 0, description: 'No entry larger than this (keep it under risk.maxOrderNotionalUsd, or the risk rules block the order).' },
    maxSlippageBps: { type: 'number', minimum: 0, maximum: 5000, description: 'For the rules’ order events.' },
    orderTtlHours: { type: 'number', exclusiveMinimum: 0, description: 'For the rules’ order events.' },
  },
};

function checkParams(params: Record<string, unknown>): ParamsFinding[] {
  const p = params as unknown as SignalParams;
  const out: ParamsFinding[] = [];
  if (p.sizing?.type === 'risk' && !p.stopLoss) {
    out.push({ at: ['sizing', 'type'], code: 'STRATEGIES_SIGNAL_RISK_NO_STOP', message: 'risk sizing needs a stopLoss: the stop distance sets the size', expected: 'stopLoss: { pct } or { atr, multiple }', found: 'no stopLoss' });
  }
  if ((p.sizing?.type === 'equityPct' || p.sizing?.type === 'quotePct' || p.sizing?.type === 'risk') && p.sizing.value > 100) {
    out.push({ at: ['sizing', 'value'], code: 'STRATEGIES_SIGNAL_SIZING', message: `${p.sizing.type} is a percentage and cannot exceed 100`, expected: '≤ 100', found: String(p.sizing.value) });
  }
  return out;
}

function checkStrategy(entry: StrategyEntry): ParamsFinding[] {
  const out: ParamsFinding[] = [];
  const { declarations, diagnostics } = readSignalIndicators(entry.indicators);
  for (const d of diagnostics) out.push({ at: [...d.path], code: d.code, message: d.message, ...(d.expected ? { expected: d.expected } : {}), found: JSON.stringify(d.value) ?? String(d.value) });
  const p = entry.params as unknown as SignalParams;
  for (const key of ['stopLoss', 'trailingStop'] as const) {
    const dist = p[key];
    if (!dist || !('atr' in dist)) continue;
    const decl = declarations.find((d) => d.name === dist.atr);
    if (!decl || decl.kind !== 'atr' || decl.market !== '') {
      out.push({ at: ['params', key, 'atr'], code: 'STRATEGIES_SIGNAL_ATR', message: `${key}.atr names '${dist.atr}', which is not an atr indicator this strategy declares on its own market`, expected: declarations.filter((d) => d.kind === 'atr' && d.market === '').map((d) => d.name).join(', ') || 'an indicator declared as { atr: N }', found: `'${dist.atr}'` });
    }
  }
  return out;
}

/** Position flags that some selling rule of the file requires to be true (`{ fact: position, path: X, operator: equal, value: true }`). */
function flagsActedOn(rf: RuleFile): Set<string> {
  const out = new Set<string>();
  const named = rf.conditions ?? {};
  const walk = (c: Condition, seen: ReadonlySet<string>): void => {
    if (!c || typeof c !== 'object') return;
    if (isLeaf(c)) {
      if (c.fact === 'position' && c.path && c.operator === 'equal' && c.value === true) out.add(c.path);
    } else if (isAll(c)) c.all.forEach((x) => walk(x, seen));
    else if (isAny(c)) c.any.forEach((x) => walk(x, seen));
    else if (isNot(c)) return; // a negated flag does not act on it
    else if ('condition' in c && !seen.has(c.condition) && named[c.condition]) walk(named[c.condition]!, new Set([...seen, c.condition]));
  };
  for (const r of rf.rules ?? []) {
    const params = (r.event?.params ?? {}) as Record<string, unknown>;
    if (r.event?.type === 'order' && params.side === 'sell') walk(r.conditions as Condition, new Set());
  }
  return out;
}

const PROTECTIVE: ReadonlyArray<{ param: keyof SignalParams; flag: string }> = [
  { param: 'stopLoss', flag: 'stopHit' },
  { param: 'takeProfit', flag: 'takeProfitHit' },
  { param: 'trailingStop', flag: 'trailingHit' },
  { param: 'maxHoldingBars', flag: 'maxHoldingHit' },
];

/** A protective exit declared in params that no rule acts on would never sell: refuse it. */
function checkRuleFile(entry: StrategyEntry, rf: RuleFile): ParamsFinding[] {
  const reads = flagsActedOn(rf);
  const p = entry.params as unknown as SignalParams;
  return PROTECTIVE.filter((x) => p[x.param] !== undefined && !reads.has('exitDue') && !reads.has(x.flag)).map((x) => ({
    at: ['params', x.param],
    code: 'STRATEGIES_SIGNAL_EXIT_UNREAD',
    message: `${x.param} is declared, but no selling rule of ${rf.file} requires position.exitDue or position.${x.flag} to be true: the planner would flag the exit and nothing would sell`,
    expected: `a rule with { fact: position, path: exitDue, operator: equal, value: true } selling position.exitSizeAtoms`,
    found: `no sell on position.exitDue / position.${x.flag}`,
  }));
}

/**
 * The reasons a trade of this strategy may close with: the protective exits, and for each selling
 * rule its literal `exit:` (else its id, what the planner records when a rule gives none). An
 * `exit:` read from a fact (position.exitReason) is one of the protective exits.
 */
function completionReasons(rf: RuleFile): string[] {
  const out = new Set<string>(EXIT_REASONS);
  for (const r of rf.rules ?? []) {
    const params = (r.event?.params ?? {}) as Record<string, unknown>;
    if (r.event?.type !== 'order' || params.side !== 'sell') continue;
    if (typeof params.exit === 'string') out.add(params.exit);
    else if (params.exit === undefined) out.add(r.id);
  }
  return [...out];
}

export const signalKind: StrategyKind = {
  kind: 'signal',
  description: 'Rule-driven entries and exits on declared indicators; sizing, stops, take-profit, trailing stop, cooldown and holding limits from strategies.yaml. Spot, long only.',
  paramsSchema,
  facts,
  modes: ['replay', 'chain'],
  readsIndicators: true,
  checkParams,
  checkStrategy,
  checkRuleFile,
  completionReasons,
  indicatorFields: (entry) => signalIndicatorFields(entry.indicators),
  createPlanner: (ctx) => new SignalPlanner(ctx.market, ctx.name, ctx.strategy),
};

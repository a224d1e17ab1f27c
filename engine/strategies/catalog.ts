/**
 * The fact catalog and its producers as this build assembles them: the base facts plus every
 * registered strategy kind's own facts, each kind's planner a producer for its own rules.
 */
import { BASE_FACTS, BASE_PRODUCERS, type FactCatalog, type FactProducer } from '../facts/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { STRATEGY_KINDS } from './registry.ts';
import type { StrategyKind } from './kind.ts';

function assemble(): FactCatalog {
  const out: Record<string, FactCatalog[string]> = { ...BASE_FACTS };
  for (const k of STRATEGY_KINDS) {
    for (const [name, spec] of Object.entries(k.facts)) {
      if (out[name]) throw new SolrulesError('STRATEGIES_FACT_CLASH', `strategy kind '${k.kind}' declares fact '${name}', which another kind or the base catalog already declares`, { kind: k.kind, fact: name });
      out[name] = spec;
    }
  }
  return out;
}

/** Every fact a rule may read in this build. */
export const FACT_CATALOG: FactCatalog = assemble();

/** Every component that produces facts in this build, strategy kinds' planners included. */
export const FACT_PRODUCERS: readonly FactProducer[] = [
  ...BASE_PRODUCERS,
  ...STRATEGY_KINDS.map((k): FactProducer => ({
    id: `strategy:${k.kind}`,
    description: `the ${k.kind} strategy kind's planner`,
    modes: k.modes,
    scopes: ['strategy'],
    produces: Object.fromEntries(Object.keys(k.facts).map((f) => [f, '*'])),
    strategyKind: k.kind,
  })),
];

/** One line per producer of `fact`, for the facts schema and docs. */
export function producerText(fact: string): string {
  const ps = FACT_PRODUCERS.filter((p) => p.produces[fact]);
  if (!ps.length) return 'nothing yet';
  return ps.map((p) => `${p.description} (${p.modes.join(', ')})`).join('; ');
}

/**
 * Registers a strategy kind at run time (a plugin, or a kind a benchmark or test defines): the
 * kind, its facts and its planner as a producer join the registry and the catalog, so
 * validation, compose and the engine treat it like a built-in one. Register before loading a
 * project that uses it. A name or fact that clashes is a typed error.
 */
export function registerStrategyKind(kind: StrategyKind): void {
  if (STRATEGY_KINDS.some((k) => k.kind === kind.kind)) throw new SolrulesError('STRATEGIES_KIND_CLASH', `strategy kind '${kind.kind}' is already registered`, { kind: kind.kind });
  for (const name of Object.keys(kind.facts)) {
    if (FACT_CATALOG[name]) throw new SolrulesError('STRATEGIES_FACT_CLASH', `strategy kind '${kind.kind}' declares fact '${name}', which another kind or the base catalog already declares`, { kind: kind.kind, fact: name });
  }
  (STRATEGY_KINDS as StrategyKind[]).push(kind);
  Object.assign(FACT_CATALOG, kind.facts);
  (FACT_PRODUCERS as FactProducer[]).push({ id: `strategy:${kind.kind}`, description: `the ${kind.kind} strategy kind's planner`, modes: kind.modes, scopes: ['strategy'], produces: Object.fromEntries(Object.keys(kind.facts).map((f) => [f, '*'])), strategyKind: kind.kind });
}

/** Evaluator selection by name (`--evaluator compiled|reference`). */
import { SolrulesError } from '../errors/index.ts';
import type { EvaluatorFactory } from './evaluator.ts';
import { compiledEvaluator } from './compiled/index.ts';
import { referenceEvaluator } from './reference.ts';

export const EVALUATOR_KINDS = ['compiled', 'reference'] as const;
export type EvaluatorKind = (typeof EVALUATOR_KINDS)[number];

/** The evaluator factory of a kind: `compiled` (default) or `reference` (json-rules-engine). */
export function evaluatorFactory(kind: EvaluatorKind = 'compiled'): EvaluatorFactory {
  if (kind === 'compiled') return compiledEvaluator;
  if (kind === 'reference') return referenceEvaluator;
  throw new SolrulesError('RULES_UNKNOWN_EVALUATOR', `unknown evaluator '${String(kind)}'`, { field: 'evaluator', value: kind, expected: EVALUATOR_KINDS.join(' | ') });
}

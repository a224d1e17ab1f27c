/** Re-exports for the semantics tests. */
export { compiledEvaluator, referenceEvaluator } from '../../../engine/rules/index.ts';
export { isSolrulesError as isSolrulesErrorLike } from '../../../engine/errors/index.ts';

/** The compiled evaluator: rule files compiled to synchronous JavaScript with json-rules-engine's exact semantics. */
export { compiledEvaluator, compileRuleFile, type CompiledRuleFile, type SyncEvaluator } from './evaluator.ts';

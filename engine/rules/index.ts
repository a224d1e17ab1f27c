/** Rules: the rule model, fact catalog, checks, evaluators, explanations and rule tests. */
export * from './model.ts';
export { OPERATORS, DECORATORS, type OperatorSpec } from './catalog.ts';
export { CUSTOM_OPERATORS, readPath } from './operators.ts';
export { checkContradictions } from './contradictions.ts';
export { checkRuleFile, checkDuplicateIds, closest, type Finding, type PathSegment, type RuleCheckContext } from './check.ts';
export { checkRuleTests, type RuleTestDoc, type RuleTestCase, type ExpectedEvent } from './test-model.ts';
export type { Evaluator, EvaluatorFactory, FactSnapshot, FiredEvent, ConditionTrace, RuleOutcome } from './evaluator.ts';
export { referenceEvaluator } from './reference.ts';
export { compiledEvaluator, compileRuleFile, type CompiledRuleFile, type SyncEvaluator } from './compiled/index.ts';
export { evaluatorFactory, EVALUATOR_KINDS, type EvaluatorKind } from './factory.ts';
export { buildRuleSet, diffRuleSets, ruleSetHash, canonicalJson, sha256Hex, type RuleSet, type RuleSetDiff } from './ruleset.ts';
export { runTestFile, deepMerge, CoverageTracker, type CaseResult, type TestFileResult, type LeafCoverage, type RuleCoverage } from './testing.ts';
export { formatOutcome, formatTrace } from './explain.ts';
export { factsJsonSchema } from './facts-schema.ts';
export { ruleFileJsonSchema } from './rule-file-schema.ts';

/**
 * Technical indicators, computed incrementally (constant work and no allocation per bar), declared
 * in strategies.yaml and read by rules as the `indicator` fact. See docs/indicators.md.
 */
export type { IndicatorBar, IndicatorState } from './types.ts';
export {
  INDICATOR_CATALOG,
  INDICATOR_KINDS,
  COMMON_INDICATOR_FIELDS,
  describeIndicatorFact,
  type IndicatorFactDescription,
  type IndicatorKind,
  type IndicatorParam,
  type IndicatorParamSpec,
  type IndicatorFieldSpec,
} from './catalog.ts';
export {
  validateIndicatorDeclarations,
  parseIndicatorDeclarations,
  diagnosticError,
  type IndicatorDeclaration,
  type IndicatorDiagnostic,
  type IndicatorErrorCode,
  type DeclarationResult,
  type DiagnosticPath,
} from './declarations.ts';
export { IndicatorSet, type IndicatorFact, type IndicatorValue, type IndicatorSetOptions } from './set.ts';
export { SmaState, EmaState, WmaState } from './averages.ts';
export { RsiState, MacdState, RocState } from './momentum.ts';
export { BollingerState, StddevState, AtrState, DonchianState, ExtremeState } from './volatility.ts';
export { RollingVwapState, SessionVwapState, ObvState } from './volume.ts';
export { Ring, RollingSum, RollingVariance, RollingExtreme, Ema, WilderAverage } from './window.ts';

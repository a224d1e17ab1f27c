/**
 * The strategy kinds this build knows. Adding a kind is adding its folder and one line here;
 * validation, the strategies.yaml schema (`npx solrules schemas`), the fact catalog and the
 * engine all follow from this list.
 */
import { arbitrageKind } from './arbitrage/kind.ts';
import { dcaKind } from './dca/kind.ts';
import { gridKind } from './grid/kind.ts';
import type { StrategyKind } from './kind.ts';
import { signalKind } from './signal/kind.ts';

export const STRATEGY_KINDS: readonly StrategyKind[] = [
  gridKind,
  dcaKind,
  arbitrageKind,
  signalKind,
];

/** The registered kind named `kind`, if any. */
export function strategyKind(kind: string): StrategyKind | undefined {
  return STRATEGY_KINDS.find((k) => k.kind === kind);
}

/**
 * The executor kinds this build knows. Adding one is adding its folder (exporting an
 * `ExecutorKind`) and one line here; the strategies.yaml schema, the --live gate and the compose
 * function follow from this list.
 */
import { jitoKind } from './jito/kind.ts';
import type { ExecutorKind } from './kind.ts';
import { paperKind } from './paper/kind.ts';
import { rpcKind } from './rpc/kind.ts';

export const EXECUTOR_KINDS: readonly ExecutorKind[] = [
  paperKind,
  rpcKind,
  jitoKind,
];

/** The registered kind for `type`, if any. */
export function executorKind(type: string): ExecutorKind | undefined {
  return EXECUTOR_KINDS.find((k) => k.type === type);
}

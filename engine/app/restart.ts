/**
 * Settings of strategies.yaml the running engine reads only at start: a reload that changes them
 * is applied to the config but cannot change what already runs, so the reload log says they need
 * a restart rather than reporting them as applied.
 */
import type { StrategiesConfig } from '../config/index.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The settings changed from `before` to `after` that take effect only on a restart, as dotted paths. */
export function settingsNeedingRestart(before: StrategiesConfig, after: StrategiesConfig): string[] {
  const out: string[] = [];
  // (The market pair is not listed: a reload changing it is refused, see refusedUntilRestart.)
  // Starting balances seed the paper portfolio once; a running (or continued) run has its own.
  if (!same(before.paper?.startingBalances, after.paper?.startingBalances)) out.push('paper.startingBalances');
  // Executors are built from the registry at start.
  const names = new Set([...Object.keys(before.executors), ...Object.keys(after.executors)]);
  for (const n of [...names].sort()) if (!same(before.executors[n], after.executors[n])) out.push(`executors.${n}`);
  // The replay series and period are chosen when the run starts.
  for (const k of ['prices', 'from', 'to'] as const) if (!same(before.replay?.[k], after.replay?.[k])) out.push(`replay.${k}`);
  // One planner per strategy, of its kind, built at start.
  for (const [n, s] of Object.entries(after.strategies)) {
    const was = before.strategies[n];
    if (!was) out.push(`strategies.${n} (added)`);
    else if (was.kind !== s.kind) out.push(`strategies.${n}.kind`);
    // The ai fact producer (schedules, charts, recordings) is built at start.
    else if (!same(was.ai, s.ai)) out.push(`strategies.${n}.ai`);
  }
  for (const n of Object.keys(before.strategies)) if (!after.strategies[n]) out.push(`strategies.${n} (removed)`);
  return out;
}

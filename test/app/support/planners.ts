/** Planner helpers for split-role tests in one process: a share the test hands over, a price tick, a started planner. */
import type { Bus } from '../../../engine/infra/bus/index.ts';
import { ConfigHolder, type ActiveConfig } from '../../../engine/config/index.ts';
import { composeEngine, type TradingEngine } from '../../../engine/app/index.ts';
import type { Partition } from '../../../engine/cluster/index.ts';
import type { Store } from '../../../engine/infra/store/index.ts';
import { createLogger } from '../../../engine/infra/telemetry/index.ts';

const log = createLogger({ level: 'silent' });

/** A planner's share that the test hands over: owns every strategy or none, and says when that changes. */
export class HandedPartition implements Partition {
  private readonly listeners: Array<(members: readonly string[]) => void> = [];
  constructor(private owner: boolean) {}
  owns(): boolean {
    return this.owner;
  }
  onChange(listener: (members: readonly string[]) => void): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }
  /** Gives this planner every strategy (its peer died). */
  takeOver(): void {
    this.owner = true;
    for (const l of this.listeners) l(['survivor']);
  }
}

/** A SOL price tick of the active market at `time`. */
export const price = (active: ActiveConfig, usd: number, time: string) => ({ mint: active.strategies.market.base.mint, symbol: 'SOL', usd, time, source: 'test' });

/** A started planner engine with this share of the strategies. */
export async function planner(active: ActiveConfig, bus: Bus, store: Store, partition: Partition): Promise<TradingEngine> {
  const engine = await composeEngine({ holder: new ConfigHolder(active), bus, store, log, partition });
  await engine.start();
  return engine;
}

/** Planner helpers for split-role tests in one process: a share the test hands over, a price tick, a started planner. */
import type { Bus } from '../../../engine/infra/bus/index.ts';
import { ConfigHolder, type ActiveConfig } from '../../../engine/config/index.ts';
import { composeEngine, type TradingEngine } from '../../../engine/app/index.ts';
import type { Partition } from '../../../engine/cluster/index.ts';
import { MemoryStore, type Store } from '../../../engine/infra/store/index.ts';
import { openPgliteStore } from '../../../engine/infra/store/pglite/index.ts';
import { openPostgresStore } from '../../../engine/infra/store/postgres/index.ts';
import { createTestDatabase } from '../../infra/store/pgtest.ts';
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

/** A store the outbox tests run on (the state-and-outbox write is one transaction on the SQL ones), with how to drop it. */
export interface OutboxStore {
  name: string;
  service?: 'postgres';
  open: () => Promise<{ store: Store; drop(): Promise<void> }>;
}

/** Memory, PGlite and a fresh PostgreSQL database (named after `dbPrefix`). */
export function outboxStores(dbPrefix: string): OutboxStore[] {
  return [
    { name: 'memory', open: async () => ({ store: new MemoryStore(), drop: async () => {} }) },
    { name: 'PGlite', open: async () => ({ store: await openPgliteStore(), drop: async () => {} }) },
    {
      name: 'PostgreSQL',
      service: 'postgres',
      open: async () => {
        const db = await createTestDatabase(dbPrefix);
        return { store: await openPostgresStore(db.url), drop: db.drop };
      },
    },
  ];
}

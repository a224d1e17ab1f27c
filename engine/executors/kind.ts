/**
 * An executor kind: what strategies.yaml's `executors.<name>.type` selects. Each kind declares
 * its config schema, whether it sends to a chain, what must hold before it may run, and how it is
 * built. `registry.ts` lists them; the worker only sees `Executor`.
 */
import type { TokenInfo } from '../orders/index.ts';
import type { Executor } from './executor.ts';
import type { LiveContext } from './live-factory.ts';
import type { MarketView, PaperConfig, PoolQuoter } from './paper/paper.ts';
import type { Portfolio } from './paper/portfolio.ts';

/** One `executors:` entry of strategies.yaml. */
export type ExecutorConfig = { type: string; [k: string]: unknown };

/** What executors are built from: the paper portfolio and market view, or the chain context of a live run. */
export interface ExecutorFactoryContext {
  paper?: { config: PaperConfig; tokens: ReadonlyMap<string, TokenInfo>; portfolio: Portfolio; market: MarketView; quoter?: PoolQuoter };
  live?: LiveContext;
}

export interface ExecutorKind {
  /** The `type:` value in strategies.yaml. */
  readonly type: string;
  readonly description: string;
  /** True when it sends transactions to a chain (needs --live and wallets). */
  readonly live: boolean;
  /** JSON Schema of its `executors.<name>` entry (strategies.schema.json is generated from it). */
  readonly configSchema: Record<string, unknown>;
  /** What keeps an entry from running (e.g. no endpoints), one message each; empty when ready. */
  readiness(name: string, cfg: ExecutorConfig): string[];
  create(name: string, cfg: ExecutorConfig, ctx: ExecutorFactoryContext): Promise<Executor>;
}

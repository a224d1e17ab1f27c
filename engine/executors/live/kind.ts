/** What the live executor kinds (rpc, jito) share: common config keys and a factory that needs the chain context of a --live run. */
import { SolrulesError } from '../../errors/index.ts';
import type { ExecutorConfig, ExecutorKind } from '../kind.ts';
import { createLiveExecutor } from '../live-factory.ts';

/** Config keys every live executor accepts. */
export const LIVE_COMMON = {
  concurrency: { type: 'integer', minimum: 1, description: 'Orders executed at once.' },
  maxRebuilds: { type: 'integer', minimum: 0, default: 1, description: 'New blockhash after an expiry with nothing landed, at most this often.' },
};

/** A live executor kind: sends to a chain, built only with a live context. */
export function liveKind(type: string, description: string, configSchema: Record<string, unknown>, readiness: (name: string, cfg: ExecutorConfig) => string[]): ExecutorKind {
  return {
    type,
    description,
    live: true,
    configSchema,
    readiness,
    create: async (name, cfg, ctx) => {
      if (!ctx.live) throw new SolrulesError('EXEC_NOT_LIVE', `executors.${name} (${type}) sends to a chain; this run has no chain context (live runs need --live and wallets)`, { field: `executors.${name}` });
      return createLiveExecutor(name, { ...cfg, type }, ctx.live);
    },
  };
}

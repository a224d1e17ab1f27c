/**
 * The executor kinds this build knows. Adding one is adding its folder and one line here; the
 * strategies.yaml schema, the --live gate and the compose function follow from this list.
 */
import { SolrulesError } from '../errors/index.ts';
import type { ExecutorConfig, ExecutorKind } from './kind.ts';
import { createLiveExecutor } from './live-factory.ts';
import { PaperExecutor } from './paper/paper.ts';

const common = {
  concurrency: { type: 'integer', minimum: 1, description: 'Orders executed at once.' },
  maxRebuilds: { type: 'integer', minimum: 0, default: 1, description: 'New blockhash after an expiry with nothing landed, at most this often.' },
};

const paperKind: ExecutorKind = {
  type: 'paper',
  description: 'Simulated fills (price ± paper.slippageBps, fee paper.feeBps); nothing is sent to any chain.',
  live: false,
  configSchema: { type: 'object', properties: { type: { const: 'paper' }, concurrency: common.concurrency }, additionalProperties: false },
  readiness: () => [],
  create: async (name, _cfg, ctx) => {
    if (!ctx.paper) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}: a paper executor needs the paper portfolio`, { field: `executors.${name}` });
    const p = ctx.paper;
    return new PaperExecutor(name, p.config, p.tokens, p.portfolio, p.market, p.quoter ? { quoter: p.quoter } : {});
  },
};

function liveKind(type: 'rpc' | 'jito', description: string, configSchema: Record<string, unknown>, readiness: (name: string, cfg: ExecutorConfig) => string[]): ExecutorKind {
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

export const EXECUTOR_KINDS: readonly ExecutorKind[] = [
  paperKind,
  liveKind(
    'rpc',
    'Signed transactions over JSON-RPC, rebroadcast until they land or expire, failover across endpoints.',
    { type: 'object', properties: { type: { const: 'rpc' }, endpoints: { type: 'array', items: { type: 'string' }, minItems: 1 }, rebroadcastMs: { type: 'integer', minimum: 1 }, ...common }, additionalProperties: false },
    (name, e) => (Array.isArray(e.endpoints) && e.endpoints.length > 0 ? [] : [`strategies.yaml executors.${name}: an rpc executor needs endpoints: [<url>, ...]`]),
  ),
  liveKind(
    'jito',
    'Jito bundles (jito-ts gRPC or JSON-RPC) with a tip from the routing rule.',
    {
      type: 'object',
      properties: {
        type: { const: 'jito' },
        transport: { enum: ['grpc', 'json-rpc'], default: 'grpc' },
        blockEngine: { type: 'string', description: 'host:port for grpc, a URL for json-rpc.' },
        tipPlacement: { enum: ['inline', 'separate'] },
        maxBundleSends: { type: 'integer', minimum: 1 },
        ...common,
      },
      additionalProperties: false,
    },
    (name, e) => (typeof e.blockEngine === 'string' ? [] : [`strategies.yaml executors.${name}: a jito executor needs blockEngine (a URL for transport json-rpc, host:port for grpc)`]),
  ),
];

/** The registered kind for `type`, if any. */
export function executorKind(type: string): ExecutorKind | undefined {
  return EXECUTOR_KINDS.find((k) => k.type === type);
}

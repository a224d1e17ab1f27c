/** The paper executor kind: simulated fills, nothing sent to any chain. */
import { SolrulesError } from '../../errors/index.ts';
import type { ExecutorKind } from '../kind.ts';
import { PaperExecutor } from './paper.ts';

export const paperKind: ExecutorKind = {
  type: 'paper',
  description: 'Simulated fills (price ± paper.slippageBps, fee paper.feeBps); nothing is sent to any chain.',
  live: false,
  configSchema: { type: 'object', properties: { type: { const: 'paper' }, concurrency: { type: 'integer', minimum: 1, description: 'Orders executed at once.' } }, additionalProperties: false },
  readiness: () => [],
  create: async (name, _cfg, ctx) => {
    if (!ctx.paper) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}: a paper executor needs the paper portfolio`, { field: `executors.${name}` });
    const p = ctx.paper;
    return new PaperExecutor(name, p.config, p.tokens, p.portfolio, p.market, p.quoter ? { quoter: p.quoter } : {});
  },
};

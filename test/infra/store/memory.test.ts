import { MemoryStore } from '../../../engine/infra/store/index.ts';
import { storeContract } from './contract.ts';

storeContract('memory', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));

// A backtest's private store keeps the objects it is given: the same contract, without the copies.
storeContract('memory without copies', async () => ({ store: new MemoryStore({ copies: false }), cleanup: async () => {} }));

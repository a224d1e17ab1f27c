import { MemoryCache } from '../../../engine/infra/cache/index.ts';
import { cacheContract } from './contract.ts';

cacheContract('memory', async () => ({ cache: new MemoryCache(), cleanup: async () => {} }));

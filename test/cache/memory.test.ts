import { MemoryCache } from '../../engine/cache/index.ts';
import { cacheContract } from './contract.ts';

cacheContract('memory', async () => ({ cache: new MemoryCache(), cleanup: async () => {} }));

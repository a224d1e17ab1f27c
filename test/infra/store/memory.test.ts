import { MemoryStore } from '../../../engine/infra/store/index.ts';
import { storeContract } from './contract.ts';

storeContract('memory', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));

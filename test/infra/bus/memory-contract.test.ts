import { MemoryBus } from '../../../engine/infra/bus/index.ts';
import { busContract } from './contract.ts';

// Every "connection" the suite opens is the one process bus (queue-group members live in it).
const shared = new MemoryBus();
busContract('in-process', async () => ({ bus: async () => shared, cleanup: () => shared.close() }));

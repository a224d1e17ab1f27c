import { busContract } from '../contract.ts';
import { SERVICES } from '../../../support/services.ts';
import { deleteNamespace, openTestBus, testNamespace } from './support.ts';

const url = SERVICES.nats.url;
const ns = testNamespace('contract');

busContract('NATS JetStream', async () => ({ bus: () => openTestBus(url, ns), cleanup: () => deleteNamespace(url, ns) }), 'nats');

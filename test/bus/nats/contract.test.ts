import { test } from 'node:test';
import { busContract } from '../contract.ts';
import { requireService, tcpReachable, SERVICES } from '../../support/services.ts';
import { deleteNamespace, openTestBus, testNamespace } from './support.ts';

const url = SERVICES.nats.url;
const up = await tcpReachable(SERVICES.nats.host, SERVICES.nats.port);
const ns = testNamespace('contract');

test('NATS JetStream is reachable for the bus suite', async (t) => {
  await requireService(t, 'nats');
});

busContract('NATS JetStream', async () => (up ? { bus: () => openTestBus(url, ns), cleanup: () => deleteNamespace(url, ns) } : undefined));

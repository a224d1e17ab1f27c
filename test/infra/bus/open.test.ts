/** Bus selection: SOLRULES_BUS picks the in-process bus by default or NATS JetStream with its options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, openBus, resolveBusConfig } from '../../../engine/infra/bus/index.ts';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsBus } from '../../../engine/infra/bus/nats/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { requireService, SERVICES } from '../../support/services.ts';
import { deleteNamespace, testNamespace } from './nats/support.ts';

test('selection: memory by default; nats:// with namespace, ack wait and size cap; anything else refused', () => {
  assert.equal(resolveBusConfig({ url: '' }).kind, 'memory');
  assert.equal(resolveBusConfig({ url: 'memory' }).kind, 'memory');
  const c = resolveBusConfig({ url: 'nats://u:pw@a:4222,b:4223?namespace=prod&ack_wait_ms=5000&max_bytes=1048576&replicas=3' });
  assert.equal(c.kind, 'nats');
  if (c.kind !== 'nats') return;
  assert.deepEqual([c.servers, c.namespace, c.ackWaitMs, c.maxBytes, c.replicas], [['nats://u:pw@a:4222', 'nats://b:4223'], 'prod', 5000, 1048576, 3]);
  assert.ok(!c.display.includes('pw'));
  assert.throws(() => resolveBusConfig({ url: 'amqp://x' }), (e: unknown) => isSolrulesError(e, 'BUS_CONFIG'));
  assert.throws(() => resolveBusConfig({ url: 'nats://a?namespace=a.b' }), (e: unknown) => isSolrulesError(e, 'BUS_CONFIG'));
  assert.throws(() => resolveBusConfig({ url: 'nats://a?ack_wait=1' }), (e: unknown) => isSolrulesError(e, 'BUS_CONFIG') && /unknown option 'ack_wait'/.test((e as Error).message));
});

test('openBus gives the in-process bus, or a working NATS bus for a nats:// URL', async (t) => {
  const m = await openBus({ url: 'memory' });
  assert.ok(m instanceof MemoryBus);
  await m.close();
  if (!(await requireService(t, 'nats'))) return;
  const ns = testNamespace('open');
  const bus = await openBus({ url: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=8388608` });
  try {
    assert.ok(bus instanceof NatsBus);
    const got: unknown[] = [];
    await bus.subscribe('execution.open', (msg) => void got.push(msg.data), { durable: 'open' });
    await bus.publish('execution.open', { ok: 1 });
    await bus.settle();
    assert.deepEqual(got, [{ ok: 1 }]);
    const jsm = await jetstreamManager(bus.nc);
    for (const stream of Object.values(bus.streamNames())) assert.equal((await jsm.streams.info(stream)).config.max_bytes, 8388608, `max_bytes caps ${stream}`);
  } finally {
    await bus.close();
    await deleteNamespace(SERVICES.nats.url, ns);
  }
});

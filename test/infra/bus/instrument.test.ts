import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, instrumentBus, subjectFamily } from '../../../engine/infra/bus/index.ts';
import { currentOrderId, ORDER_ID_HEADER, registry, resetMetrics, withOrderId } from '../../../engine/infra/telemetry/index.ts';

async function series(name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await registry.getSingleMetric(name)!.get()).values) {
    const key = Object.entries(v.labels).filter(([k]) => k !== 'le').map(([k, x]) => `${k}=${x}`).join(',');
    if (!('le' in v.labels)) out[key] = v.value;
  }
  return out;
}

test('subject families are the first two tokens of a subject (a bounded label)', () => {
  assert.equal(subjectFamily('market.events.orca-whirlpool.pool'), 'market.events');
  assert.equal(subjectFamily('execution.orders'), 'execution.orders');
  assert.equal(subjectFamily('control.>'), 'control');
  assert.equal(subjectFamily('control.*'), 'control');
  assert.equal(subjectFamily('dlq'), 'dlq');
});

test('the instrumented bus counts what it publishes and how each delivery ended, and times handlers', async () => {
  resetMetrics();
  const inner = new MemoryBus();
  const bus = instrumentBus(inner);
  try {
    let nakOnce = true;
    let throwOnce = true;
    await bus.subscribe('execution.orders', () => {}); // returns normally: ack
    await bus.subscribe('execution.failed', (m) => {
      if (nakOnce) {
        nakOnce = false;
        m.nak(0);
      }
    });
    await bus.subscribe('execution.dlq', (m) => m.term('not wanted'));
    await bus.subscribe('execution.confirmed', () => {
      if (throwOnce) {
        throwOnce = false;
        throw new Error('handler failed');
      }
    });
    await bus.publish('execution.orders', { n: 1 });
    await bus.publish('execution.orders', { n: 2 });
    await bus.publish('execution.failed', { n: 3 });
    await bus.publish('execution.dlq', { n: 4 });
    await bus.publish('execution.confirmed', { n: 5 });
    await inner.settle();
    assert.deepEqual(await series('solrules_bus_messages_published_total'), {
      'subject=execution.orders': 2,
      'subject=execution.failed': 1,
      'subject=execution.dlq': 1,
      'subject=execution.confirmed': 1,
    });
    // the nak'ed and the failed delivery come again and are acked the second time
    assert.deepEqual(await series('solrules_bus_messages_handled_total'), {
      'subject=execution.orders,result=ack': 2,
      'subject=execution.failed,result=nak': 1,
      'subject=execution.failed,result=ack': 1,
      'subject=execution.dlq,result=term': 1,
      'subject=execution.confirmed,result=error': 1,
      'subject=execution.confirmed,result=ack': 1,
    });
    const count = (await registry.getSingleMetricAsString('solrules_bus_handler_duration_seconds')).match(/_count\{subject="execution\.orders"\} (\d+)/);
    assert.equal(count?.[1], '2', 'one handler duration per delivery');
  } finally {
    await bus.close();
    resetMetrics();
  }
});

test('the order id crosses the bus in a header and is back in the handler context', async () => {
  const inner = new MemoryBus();
  const bus = instrumentBus(inner);
  try {
    const seen: Array<{ header?: string; context?: string }> = [];
    await bus.subscribe('execution.orders', (m) => void seen.push({ header: m.headers[ORDER_ID_HEADER], context: currentOrderId() }));
    await withOrderId('ord_0123', () => bus.publish('execution.orders', {}));
    await bus.publish('execution.orders', {});
    await inner.settle();
    assert.deepEqual(seen, [{ header: 'ord_0123', context: 'ord_0123' }, { header: undefined, context: undefined }]);
  } finally {
    await bus.close();
  }
});

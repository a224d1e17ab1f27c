/**
 * The bus contract: the same behaviour from the in-process bus and from NATS JetStream.
 * Subjects are ones the JetStream streams store (execution.*, trade.opportunities.*) so the
 * server bus is tested through its durable consumers, plus control.* over core NATS.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Bus, BusMessage } from '../../../engine/infra/bus/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { currentTraceIds } from '../../../engine/infra/telemetry/index.ts'; // importing telemetry installs the engine's context manager and propagator
import { requireService, type ServiceName } from '../../support/services.ts';
import { waitUntil } from '../../support/wait.ts';

export interface BusUnderTest {
  /** A fresh bus; several calls share one broker (NATS) or one process bus (memory). */
  bus(): Promise<Bus>;
  cleanup(): Promise<void>;
}

const until = (cond: () => boolean, ms = 10_000) => waitUntil(cond, { timeoutMs: ms, intervalMs: 5 });

/** Registers the contract suite for one bus; each case first requires `service` (fails under CI=true when it is down). */
export function busContract(name: string, open: () => Promise<BusUnderTest>, service?: ServiceName): void {
  describe(`bus contract: ${name}`, () => {
    let sut: BusUnderTest | undefined;
    const buses: Bus[] = [];
    const fresh = async () => {
      const b = await sut!.bus();
      buses.push(b);
      return b;
    };
    after(async () => {
      for (const b of buses) await b.close().catch(() => undefined);
      await sut?.cleanup();
    });
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async (t) => {
        if (service && !(await requireService(t, service))) return;
        sut ??= await open();
        await fn();
      });

    test('a queue group delivers each message to exactly one member; a plain subscriber gets all', async () => {
      const [b1, b2] = [await fresh(), await fresh()];
      const a: number[] = [];
      const b: number[] = [];
      const all: number[] = [];
      await b1.subscribe<number>('execution.qtest', (m) => void a.push(m.data), { queue: 'qtest-workers' });
      await b2.subscribe<number>('execution.qtest', (m) => void b.push(m.data), { queue: 'qtest-workers' });
      await b1.subscribe<number>('execution.qtest', (m) => void all.push(m.data));
      for (let i = 0; i < 200; i++) await b1.publish('execution.qtest', i);
      await until(() => a.length + b.length >= 200 && all.length >= 200);
      await b1.settle();
      await b2.settle();
      assert.equal(a.length + b.length, 200);
      assert.ok(a.length > 0 && b.length > 0, `both members worked (${a.length} / ${b.length})`);
      assert.deepEqual([...a, ...b].sort((x, y) => x - y), [...all].sort((x, y) => x - y));
    });

    test('a failing handler is redelivered with backoff, then dead-lettered with the reason', async () => {
      const bus = await fresh();
      const deliveries: number[] = [];
      const times: number[] = [];
      const dead: BusMessage[] = [];
      await bus.subscribe('execution.failing', (m) => {
        deliveries.push(m.deliveryCount);
        times.push(Date.now());
        throw new Error('executor down');
      }, { durable: 'failing', maxDeliver: 3, backoffMs: (n) => 40 * n });
      await bus.subscribe('dlq.execution.failing', (m) => void dead.push(m), { durable: 'failing-dlq' });
      await bus.publish('execution.failing', { id: 1 }, { headers: { 'order-id': 'o1' } });
      await until(() => dead.length === 1);
      await bus.settle();
      assert.equal(dead.length, 1);
      assert.deepEqual(deliveries, [1, 2, 3]);
      assert.ok(times[1]! - times[0]! >= 35 && times[2]! - times[1]! >= 75, `backoff grows: ${times[1]! - times[0]!} ms, ${times[2]! - times[1]!} ms`);
      assert.match(dead[0]!.headers['solrules-dlq-reason']!, /max deliveries \(3\).*executor down/);
      assert.equal(dead[0]!.headers['order-id'], 'o1');
      assert.equal(dead[0]!.headers['solrules-dlq-subject'], 'execution.failing');
      assert.deepEqual(dead[0]!.data, { id: 1 });
    });

    test('nak redelivers; term dead-letters at once; ack stops', async () => {
      const bus = await fresh();
      const seen: string[] = [];
      const dead: string[] = [];
      await bus.subscribe<string>('execution.naktest', (m) => {
        seen.push(`${m.data}:${m.deliveryCount}`);
        if (m.data === 'nak' && m.deliveryCount < 2) m.nak(1);
        else if (m.data === 'term') m.term('poison');
        else m.ack();
      }, { durable: 'naktest' });
      await bus.subscribe<string>('dlq.execution.naktest', (m) => void dead.push(`${m.data}:${m.headers['solrules-dlq-reason']}`), { durable: 'naktest-dlq' });
      for (const x of ['nak', 'term', 'ok']) await bus.publish('execution.naktest', x);
      await until(() => seen.length === 4 && dead.length === 1);
      await bus.settle();
      assert.deepEqual(seen.sort(), ['nak:1', 'nak:2', 'ok:1', 'term:1']);
      assert.deepEqual(dead, ['term:poison']);
    });

    test('a message id is delivered once within the dedup window', async () => {
      const bus = await fresh();
      const got: unknown[] = [];
      await bus.subscribe('trade.opportunities.dedup', (m) => void got.push(m.msgId), { durable: 'dedup' });
      await bus.publish('trade.opportunities.dedup', { a: 1 }, { msgId: 'ord_1' });
      await bus.publish('trade.opportunities.dedup', { a: 1 }, { msgId: 'ord_1' });
      await bus.publish('trade.opportunities.dedup', { a: 2 }, { msgId: 'ord_2' });
      await until(() => got.length >= 2);
      await bus.settle();
      assert.deepEqual(got, ['ord_1', 'ord_2']);
    });

    test('payloads are JSON: handlers cannot mutate each other, bigints are refused with a typed error', async () => {
      const bus = await fresh();
      const seen: unknown[] = [];
      await bus.subscribe<{ n: number }>('execution.copy', (m) => {
        m.data.n += 1;
      });
      await bus.subscribe<{ n: number }>('execution.copy', (m) => void seen.push(m.data.n));
      await bus.publish('execution.copy', { n: 1 });
      await until(() => seen.length === 1);
      await bus.settle();
      assert.deepEqual(seen, [1]);
      await assert.rejects(bus.publish('execution.copy', { amount: 1n }), (err) => isSolrulesError(err, 'BUS_ENCODE'));
    });

    test('request-reply answers, and times out with BUS_TIMEOUT', async () => {
      const [server, client] = [await fresh(), await fresh()];
      await server.subscribe<{ q: string }>('control.status', (m) => m.respond({ paused: false, q: m.data.q }));
      assert.deepEqual(await client.request('control.status', { q: 'x' }), { paused: false, q: 'x' });
      await assert.rejects(client.request('control.nobody', {}, { timeoutMs: 50 }), (err) => isSolrulesError(err, 'BUS_TIMEOUT'));
    });

    test('headers and the trace context travel with the message', async () => {
      const [pub, subBus] = [await fresh(), await fresh()];
      const got: { traceId?: string; spanId?: string; header?: string }[] = [];
      await subBus.subscribe('execution.traced', (m) => {
        const ids = currentTraceIds();
        got.push({ traceId: ids?.trace_id, spanId: ids?.span_id, header: m.headers['order-id'] });
      });
      const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
      const ctx = trace.setSpanContext(ROOT_CONTEXT, span);
      await context.with(ctx, () => pub.publish('execution.traced', { x: 1 }, { headers: { 'order-id': 'o7' } }));
      await until(() => got.length === 1);
      assert.deepEqual(got[0], { traceId: span.traceId, spanId: span.spanId, header: 'o7' });
    });

    test('publish after close is refused', async () => {
      const bus = await fresh();
      await bus.close();
      await assert.rejects(bus.publish('execution.closed', 1), (err) => isSolrulesError(err, 'BUS_CLOSED'));
    });
  });
}

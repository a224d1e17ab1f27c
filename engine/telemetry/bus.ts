/**
 * A Bus decorator that carries traces across it and counts its traffic. Every bus carries the
 * W3C trace context itself (engine/bus: `traceparent` in the headers, each handler run in the
 * publisher's trace); this adds what solrules needs on top: the trace origin (stages before a
 * decision) and the order id in the headers on publish, and on delivery a consumer span
 * continuing the publisher's trace, with the order id back in the context. Wrap any
 * implementation (in-process, NATS): nothing above the bus changes.
 */
import type { Bus, BusMessage, MessageHandler, PublishOptions, SubscribeOptions, Subscription } from '../bus/index.ts';
import { metrics } from './metrics.ts';
import { consumer, extractTraceContext, injectTraceHeaders, otelContext, producer } from './tracing.ts';

/** The first two tokens of a subject (`market.events.orca-whirlpool.pool` → `market.events`): a bounded metric label. */
export function subjectFamily(subject: string): string {
  const [a, b] = subject.split('.');
  return b === undefined || b === '*' || b === '>' ? (a ?? subject) : `${a}.${b}`;
}

const INSTRUMENTED = Symbol.for('solrules.telemetry.instrumented-bus');

/** Returns `bus` with tracing and metrics (idempotent: an instrumented bus is returned as is). */
export function instrumentBus(bus: Bus): Bus {
  if ((bus as unknown as Record<symbol, unknown>)[INSTRUMENTED]) return bus;
  const wrapped: Bus & { [INSTRUMENTED]: true; readonly inner: Bus } = {
    [INSTRUMENTED]: true,
    inner: bus,
    async publish(subject: string, data: unknown, opts: PublishOptions = {}): Promise<void> {
      metrics.bus.published.inc({ subject: subjectFamily(subject) });
      return producer(`publish ${subjectFamily(subject)}`, { 'messaging.destination.name': subject, 'messaging.system': 'solrules-bus' }, () =>
        bus.publish(subject, data, { ...opts, headers: injectTraceHeaders(opts.headers) }),
      );
    },

    async subscribe<T = unknown>(pattern: string, handler: MessageHandler<T>, opts?: SubscribeOptions): Promise<Subscription> {
      return bus.subscribe<T>(pattern, (msg) => handle(msg, handler), opts);
    },

    request<R = unknown>(subject: string, data: unknown, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<R> {
      metrics.bus.published.inc({ subject: subjectFamily(subject) });
      return bus.request<R>(subject, data, { ...opts, headers: injectTraceHeaders(opts.headers) });
    },

    settle: () => bus.settle(),
    close: () => bus.close(),
  };
  return wrapped;
}

/** Runs one delivery in a consumer span, recording how it ended. */
async function handle<T>(msg: BusMessage<T>, handler: MessageHandler<T>): Promise<void> {
  const family = subjectFamily(msg.subject);
  let outcome: 'ack' | 'nak' | 'term' | undefined;
  const observed: BusMessage<T> = {
    subject: msg.subject,
    data: msg.data,
    headers: msg.headers,
    msgId: msg.msgId,
    deliveryCount: msg.deliveryCount,
    ack: () => {
      outcome ??= 'ack';
      msg.ack();
    },
    nak: (delayMs?: number) => {
      outcome ??= 'nak';
      msg.nak(delayMs);
    },
    term: (reason: string) => {
      outcome ??= 'term';
      msg.term(reason);
    },
    respond: (data: unknown) => msg.respond(data),
    inProgress: () => msg.inProgress(),
  };
  const parent = extractTraceContext(msg.headers, otelContext.active());
  const end = metrics.bus.handlerDuration.startTimer({ subject: family });
  const run = () => handler(observed);
  try {
    await consumer(`process ${family}`, { 'messaging.destination.name': msg.subject, 'messaging.system': 'solrules-bus', 'messaging.delivery_count': msg.deliveryCount }, parent, run);
    metrics.bus.handled.inc({ subject: family, result: outcome ?? 'ack' });
  } catch (err) {
    metrics.bus.handled.inc({ subject: family, result: 'error' });
    throw err;
  } finally {
    end();
  }
}

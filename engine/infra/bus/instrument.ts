/**
 * A Bus decorator that carries traces across it and counts its traffic. Every bus carries the
 * W3C trace context itself (the adapters here: `traceparent` in the headers, each handler run in the
 * publisher's trace); this adds what solrules needs on top: the trace origin (stages before a
 * decision) and the order id in the headers on publish, and on delivery a consumer span
 * continuing the publisher's trace, with the order id back in the context. Wrap any
 * implementation (in-process, NATS): nothing above the bus changes.
 */
import type { Bus, BusMessage, MessageHandler, PublishOptions, SubscribeOptions, Subscription } from './bus.ts';
import { consumer, extractTraceContext, injectTraceHeaders, metrics, otelContext, producer } from '../telemetry/index.ts';

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
      const family = subjectFamily(subject);
      metrics.bus.published.inc({ subject: family });
      return producer(`publish ${family}`, { 'messaging.destination.name': subject, 'messaging.system': 'solrules-bus' }, () =>
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

/**
 * A delivery as the handler sees it through the decorator: the same message, remembering how the
 * handler ended it. A class, not an object of closures: one is made per delivery.
 */
class ObservedMessage<T> implements BusMessage<T> {
  readonly subject: string;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
  readonly msgId: string | undefined;
  readonly deliveryCount: number;
  outcome: 'ack' | 'nak' | 'term' | undefined;

  constructor(private readonly msg: BusMessage<T>) {
    this.subject = msg.subject;
    this.data = msg.data;
    this.headers = msg.headers;
    this.msgId = msg.msgId;
    this.deliveryCount = msg.deliveryCount;
  }

  ack(): void {
    this.outcome ??= 'ack';
    this.msg.ack();
  }

  nak(delayMs?: number): void {
    this.outcome ??= 'nak';
    this.msg.nak(delayMs);
  }

  term(reason: string): void {
    this.outcome ??= 'term';
    this.msg.term(reason);
  }

  respond(data: unknown): void {
    this.msg.respond(data);
  }

  inProgress(): void {
    this.msg.inProgress();
  }
}

/** Runs one delivery in a consumer span, recording how it ended. */
async function handle<T>(msg: BusMessage<T>, handler: MessageHandler<T>): Promise<void> {
  const family = subjectFamily(msg.subject);
  const observed = new ObservedMessage(msg);
  const parent = extractTraceContext(msg.headers, otelContext.active());
  const t0 = performance.now();
  try {
    await consumer(`process ${family}`, { 'messaging.destination.name': msg.subject, 'messaging.system': 'solrules-bus', 'messaging.delivery_count': msg.deliveryCount }, parent, () => handler(observed));
    metrics.bus.handled.inc({ subject: family, result: observed.outcome ?? 'ack' });
  } catch (err) {
    metrics.bus.handled.inc({ subject: family, result: 'error' });
    throw err;
  } finally {
    metrics.bus.handlerDuration.observe({ subject: family }, (performance.now() - t0) / 1000);
  }
}

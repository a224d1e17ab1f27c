/**
 * What every bus does with a message, whatever carries it: the payload as JSON, one delivery to
 * a handler and what follows from it (ack, redeliver after the backoff, or dead-letter), and the
 * headers a dead letter carries.
 */
import { SolrulesError } from '../../errors/index.ts';
import { defaultBackoffMs, type BusMessage, type MessageHandler, type SubscribeOptions } from './bus.ts';
import { runInTraceContext } from './trace.ts';

/** Deliveries before a message is dead-lettered when the subscription does not say. */
export const DEFAULT_MAX_DELIVER = 5;

/** The JSON text of a payload; BUS_ENCODE naming the subject when it is not JSON (bigints). */
export function payloadJson(subject: string, data: unknown): string {
  try {
    return JSON.stringify(data) ?? 'null';
  } catch (err) {
    throw new SolrulesError('BUS_ENCODE', `message for '${subject}' is not JSON-encodable: ${(err as Error).message} (encode bigints as decimal strings)`, { subject }, { cause: err });
  }
}

/** What the bus does with a message after its handler ran. */
export type DeliveryOutcome = { kind: 'ack' } | { kind: 'redeliver'; delayMs: number } | { kind: 'dead-letter'; reason: string };

/**
 * Runs `handler` on the message `fields` describe, inside the trace context its headers carry,
 * and decides what follows: returning (or `ack`) acks; throwing or `nak` redelivers after the
 * backoff until `maxDeliver`, then dead-letters; `term` dead-letters at once.
 */
export async function deliver(
  handler: MessageHandler<unknown>,
  fields: Omit<BusMessage<unknown>, 'ack' | 'nak' | 'term'>,
  opts: SubscribeOptions,
  /** Run the handler in the trace context of the headers (false: in the current one; a bus carrying no trace context). */
  traceContext = true,
): Promise<DeliveryOutcome> {
  const msg = new Delivered(fields);
  try {
    await (traceContext ? runInTraceContext(fields.headers, () => handler(msg)) : handler(msg));
    msg.settled ??= 'ack';
  } catch (err) {
    msg.settled ??= 'nak';
    msg.reason = (err as Error).message;
  }
  const settled = msg.settled;
  if (settled === 'ack') return ACKED;
  if (settled === 'term') return { kind: 'dead-letter', reason: msg.reason };
  const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
  if (fields.deliveryCount >= maxDeliver) return { kind: 'dead-letter', reason: `max deliveries (${maxDeliver}) reached${msg.reason ? `: ${msg.reason}` : ''}` };
  return { kind: 'redeliver', delayMs: msg.nakDelay ?? (opts.backoffMs ?? defaultBackoffMs)(fields.deliveryCount) };
}

const ACKED: DeliveryOutcome = Object.freeze({ kind: 'ack' });

/**
 * One delivery of a message: its fields copied one by one (a spread halved the in-process bus's
 * throughput) and how the handler settled it, with ack / nak / term as methods rather than three
 * closures per delivery (each closure a property named at run time under tsx: a visible part of
 * an in-process order's cost).
 */
class Delivered implements BusMessage<unknown> {
  readonly subject: string;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly msgId: string | undefined;
  readonly deliveryCount: number;
  readonly respond: (data: unknown) => void;
  readonly inProgress: () => void;
  settled: 'ack' | 'nak' | 'term' | undefined = undefined;
  nakDelay: number | undefined = undefined;
  reason = '';

  constructor(fields: Omit<BusMessage<unknown>, 'ack' | 'nak' | 'term'>) {
    this.subject = fields.subject;
    this.data = fields.data;
    this.headers = fields.headers;
    this.msgId = fields.msgId;
    this.deliveryCount = fields.deliveryCount;
    this.respond = fields.respond;
    this.inProgress = fields.inProgress;
  }

  ack(): void {
    this.settled ??= 'ack';
  }

  nak(delayMs?: number): void {
    this.settled ??= 'nak';
    this.nakDelay = delayMs;
  }

  term(why: string): void {
    this.settled ??= 'term';
    this.reason = why;
  }
}

/** The headers of the dead letter of a message on `subject`: its own plus why, after how many deliveries, and from where. */
export function deadLetterHeaders(headers: Readonly<Record<string, string>>, subject: string, reason: string, deliveries: number): Record<string, string> {
  return { ...headers, 'solrules-dlq-reason': reason, 'solrules-dlq-deliveries': String(deliveries), 'solrules-dlq-subject': subject };
}

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
  let settled: 'ack' | 'nak' | 'term' | undefined;
  let nakDelay: number | undefined;
  let reason = '';
  // Field by field, not `...fields`: the spread halved the in-process bus's throughput.
  const msg: BusMessage<unknown> = {
    subject: fields.subject,
    data: fields.data,
    headers: fields.headers,
    msgId: fields.msgId,
    deliveryCount: fields.deliveryCount,
    respond: fields.respond,
    inProgress: fields.inProgress,
    ack: () => void (settled ??= 'ack'),
    nak: (delayMs?: number) => {
      settled ??= 'nak';
      nakDelay = delayMs;
    },
    term: (why: string) => {
      settled ??= 'term';
      reason = why;
    },
  };
  try {
    await (traceContext ? runInTraceContext(fields.headers, () => handler(msg)) : handler(msg));
    settled ??= 'ack';
  } catch (err) {
    settled ??= 'nak';
    reason = (err as Error).message;
  }
  if (settled === 'ack') return { kind: 'ack' };
  if (settled === 'term') return { kind: 'dead-letter', reason };
  const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
  if (fields.deliveryCount >= maxDeliver) return { kind: 'dead-letter', reason: `max deliveries (${maxDeliver}) reached${reason ? `: ${reason}` : ''}` };
  return { kind: 'redeliver', delayMs: nakDelay ?? (opts.backoffMs ?? defaultBackoffMs)(fields.deliveryCount) };
}

/** The headers of the dead letter of a message on `subject`: its own plus why, after how many deliveries, and from where. */
export function deadLetterHeaders(headers: Readonly<Record<string, string>>, subject: string, reason: string, deliveries: number): Record<string, string> {
  return { ...headers, 'solrules-dlq-reason': reason, 'solrules-dlq-deliveries': String(deliveries), 'solrules-dlq-subject': subject };
}

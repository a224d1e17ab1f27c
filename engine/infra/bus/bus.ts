/**
 * The event bus: subjects as in DESIGN.md (`market.events.<venue>.<kind>`, `trade.opportunities.<strategy>`,
 * `execution.orders`, `execution.confirmed`, `control.*`, ...). Every pipeline arrow can cross a
 * process boundary through it; nothing above it knows which implementation runs.
 *
 * Payloads are JSON values: encode bigints as decimal strings before publishing (see the
 * order codec in engine/orders). Subjects are dot-separated tokens; `*` matches one token and
 * `>` the rest, as in NATS.
 */

export interface PublishOptions {
  /** Idempotency key: a message published twice with the same id is delivered once (within the dedup window). */
  msgId?: string;
  /** Headers travel with the message (trace context, order id). */
  headers?: Record<string, string>;
}

export interface SubscribeOptions {
  /** Durable consumer name: survives restarts and resumes where it left off (server buses). */
  durable?: string;
  /** Queue group: each message goes to one member of the group only. */
  queue?: string;
  /** Deliveries before a message is dead-lettered to `<dlq subject>` (default 5). */
  maxDeliver?: number;
  /** Delay before redelivering a nak'ed or failed message, per attempt (default: 100 ms × 2^(n-1), capped at 5 s). */
  backoffMs?: (deliveryCount: number) => number;
}

export interface BusMessage<T = unknown> {
  readonly subject: string;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
  readonly msgId: string | undefined;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** Processing done; do not redeliver. */
  ack(): void;
  /** Processing failed; redeliver after `delayMs` (or the backoff). */
  nak(delayMs?: number): void;
  /** Never redeliver; dead-letter with `reason`. */
  term(reason: string): void;
  /** Reply to a request (no-op when the sender did not ask for a reply). */
  respond(data: unknown): void;
  /** Still working on it: pushes the redelivery deadline back (server buses; no-op in process). */
  inProgress(): void;
}

/**
 * A handler that returns normally acks (unless it already acked, nak'ed or termed); one that
 * throws naks, so the message is redelivered with backoff up to maxDeliver, then dead-lettered.
 */
export type MessageHandler<T = unknown> = (msg: BusMessage<T>) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface Bus {
  /** Resolves once the message is accepted (stored, for server buses). */
  publish(subject: string, data: unknown, opts?: PublishOptions): Promise<void>;
  subscribe<T = unknown>(pattern: string, handler: MessageHandler<T>, opts?: SubscribeOptions): Promise<Subscription>;
  /** Request-reply (control plane): resolves with the first reply or rejects after `timeoutMs` (default 2 s). */
  request<R = unknown>(subject: string, data: unknown, opts?: { timeoutMs?: number; headers?: Record<string, string> }): Promise<R>;
  /**
   * Resolves when every message delivered to this process's subscriptions so far (and what
   * their handlers published in turn) has been handled — replay paces itself with it.
   */
  settle(): Promise<void>;
  /** Waits for in-flight deliveries, then disconnects. */
  close(): Promise<void>;
}

/** Dead-letter subject for a message that exhausted its deliveries or was termed. */
export function deadLetterSubject(subject: string): string {
  return `dlq.${subject}`;
}

/** Default redelivery backoff: 100 ms, 200 ms, 400 ms, ... capped at 5 s. */
export function defaultBackoffMs(deliveryCount: number): number {
  return Math.min(5_000, 100 * 2 ** Math.max(0, deliveryCount - 1));
}

/** Whether `subject` matches a NATS-style pattern with `*` and `>` wildcards. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

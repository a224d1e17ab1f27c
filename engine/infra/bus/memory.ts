/**
 * In-process bus: the embedded default. Same semantics as the server bus where it matters to
 * callers — JSON payloads (copied, so a handler can't mutate what another sees), queue groups,
 * ack / nak / redelivery with backoff, dead-lettering, msg-id dedup, request-reply — without
 * persistence: a durable consumer lives as long as the process.
 */
import { SolrulesError } from '../../errors/index.ts';
import { deadLetterSubject, subjectMatches, type Bus, type MessageHandler, type PublishOptions, type SubscribeOptions, type Subscription } from './bus.ts';
import { deadLetterHeaders, deliver, payloadJson } from './delivery.ts';
import { withTraceHeaders } from './trace.ts';
import { tracingEnabled } from '../telemetry/index.ts';

interface Sub {
  pattern: string;
  handler: MessageHandler<unknown>;
  opts: SubscribeOptions;
  active: boolean;
}

interface Envelope {
  subject: string;
  /** The payload as JSON text (copied per delivery), or, on a bus sharing payloads, the object itself. */
  json: string;
  shared?: unknown;
  headers: Record<string, string>;
  msgId: string | undefined;
  replyTo?: (data: unknown) => void;
}

export interface MemoryBusOptions {
  /** How long a msg id is remembered for dedup (default 2 min, as JetStream's duplicate window). */
  dedupWindowMs?: number;
  /**
   * Hand each handler the published object itself instead of a JSON copy, and carry no trace
   * context while tracing is off: for a single process whose handlers never mutate a message
   * (a backtest's private engine). Delivery stays asynchronous, in the same order, with the
   * same dedup, queue groups, ack / nak and dead-lettering. Payloads are still required to be
   * JSON values, but nothing checks it here: the same publishers run on the copying buses.
   */
  sharePayloads?: boolean;
  /**
   * Start each handler within `publish` instead of one microtask later: the handler runs up to its
   * first await before `publish` returns (a handler that publishes in turn starts the next one the
   * same way). For a single process whose publishers do not rely on a handler not having started
   * (a backtest's private engine: every stage is in process and each one awaits its own steps).
   * Dedup, queue groups, ack / nak, redelivery and dead-lettering are unchanged, and so is the
   * order in which handlers start.
   */
  immediate?: boolean;
}

/** A reply when the sender asked for none, and inProgress: nothing to do in process. */
function noReply(): void {}

export class MemoryBus implements Bus {
  private readonly subs = new Set<Sub>();
  private readonly queueCursor = new Map<string, number>();
  private readonly seenIds = new Map<string, number>();
  private sweepAtSize = 10_000;
  private readonly inflight = new Set<Promise<void>>();
  private readonly matchCache = new Map<string, Map<string, boolean>>();
  private closed = false;
  private readonly dedupWindowMs: number;
  private readonly sharePayloads: boolean;
  private readonly immediate: boolean;

  constructor(opts: MemoryBusOptions = {}) {
    this.dedupWindowMs = opts.dedupWindowMs ?? 120_000;
    this.sharePayloads = opts.sharePayloads ?? false;
    this.immediate = opts.immediate ?? false;
  }

  async publish(subject: string, data: unknown, opts: PublishOptions = {}): Promise<void> {
    this.deliver(this.envelope(subject, data, opts));
  }

  private envelope(subject: string, data: unknown, opts: PublishOptions): Envelope {
    if (this.closed) throw new SolrulesError('BUS_CLOSED', `publish to '${subject}' after the bus was closed`, { subject });
    if (this.sharePayloads) return { subject, json: '', shared: data, headers: tracingEnabled() ? withTraceHeaders(opts.headers) : { ...opts.headers }, msgId: opts.msgId };
    return { subject, json: payloadJson(subject, data), headers: withTraceHeaders(opts.headers), msgId: opts.msgId };
  }

  private isDuplicate(msgId: string | undefined): boolean {
    if (!msgId) return false;
    const now = Date.now();
    // Sweep expired ids when the map has doubled since the last sweep (sweeping at every publish
    // past a fixed size is quadratic when ids stay inside the window, as in a backtest).
    if (this.seenIds.size > this.sweepAtSize) {
      for (const [id, at] of this.seenIds) if (now - at > this.dedupWindowMs) this.seenIds.delete(id);
      this.sweepAtSize = Math.max(10_000, 2 * this.seenIds.size);
    }
    const seen = this.seenIds.get(msgId);
    if (seen !== undefined && now - seen <= this.dedupWindowMs) return true;
    this.seenIds.set(msgId, now);
    return false;
  }

  /** Whether a pattern matches a subject, remembered per pair (a bus sees few distinct subjects; matching splits both). */
  private matches(pattern: string, subject: string): boolean {
    let bySubject = this.matchCache.get(pattern);
    if (!bySubject) this.matchCache.set(pattern, (bySubject = new Map()));
    let m = bySubject.get(subject);
    if (m === undefined) {
      m = subjectMatches(pattern, subject);
      // Bounded: a bus publishing to unboundedly many subjects matches afresh past this.
      if (bySubject.size < 1024) bySubject.set(subject, m);
    }
    return m;
  }

  private deliver(env: Envelope): void {
    if (this.isDuplicate(env.msgId)) return;
    let groups: Map<string, Sub[]> | undefined;
    for (const sub of this.subs) {
      if (!sub.active || !this.matches(sub.pattern, env.subject)) continue;
      if (sub.opts.queue) {
        const key = `${sub.opts.queue}`;
        groups ??= new Map();
        const members = groups.get(key);
        if (members) members.push(sub);
        else groups.set(key, [sub]);
      } else this.track(this.run(sub, env, 1));
    }
    if (!groups) return;
    for (const [group, members] of groups) {
      const cursor = this.queueCursor.get(group) ?? 0;
      this.queueCursor.set(group, cursor + 1);
      this.track(this.run(members[cursor % members.length]!, env, 1));
    }
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async run(sub: Sub, env: Envelope, deliveryCount: number): Promise<void> {
    // Deliver asynchronously, as a network bus would; an immediate bus starts the handler at once.
    if (!this.immediate) await Promise.resolve();
    if (!sub.active) return;
    const outcome = await deliver(
      sub.handler,
      // No closures per delivery (each one a property named at run time under tsx): a request's reply
      // function is set on its envelope before it is delivered; inProgress is a no-op in process.
      { subject: env.subject, data: this.sharePayloads ? env.shared : JSON.parse(env.json), headers: env.headers, msgId: env.msgId, deliveryCount, respond: env.replyTo ?? noReply, inProgress: noReply },
      sub.opts,
      !this.sharePayloads || 'traceparent' in env.headers,
    );
    if (outcome.kind === 'ack') return;
    if (outcome.kind === 'dead-letter') {
      if (!env.subject.startsWith('dlq.')) {
        this.deliver({ ...env, subject: deadLetterSubject(env.subject), msgId: undefined, headers: deadLetterHeaders(env.headers, env.subject, outcome.reason, deliveryCount) });
      }
      return;
    }
    await new Promise((r) => setTimeout(r, outcome.delayMs));
    if (!this.closed) await this.run(sub, env, deliveryCount + 1);
  }

  async subscribe<T = unknown>(pattern: string, handler: MessageHandler<T>, opts: SubscribeOptions = {}): Promise<Subscription> {
    const sub: Sub = { pattern, handler: handler as MessageHandler<unknown>, opts, active: true };
    this.subs.add(sub);
    return {
      unsubscribe: async () => {
        sub.active = false;
        this.subs.delete(sub);
      },
    };
  }

  async request<R = unknown>(subject: string, data: unknown, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<R> {
    const timeoutMs = opts.timeoutMs ?? 2_000;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SolrulesError('BUS_TIMEOUT', `no reply on '${subject}' within ${timeoutMs} ms`, { subject, timeoutMs })), timeoutMs);
      const env = this.envelope(subject, data, { headers: opts.headers ?? {} });
      let answered = false;
      env.replyTo = (reply) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(JSON.parse(JSON.stringify(reply ?? null)) as R);
      };
      this.deliver(env);
    });
  }

  /** Resolves when every delivery in flight (including redeliveries and what they published) is done. */
  async settle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    await this.settle();
    this.closed = true;
    for (const sub of this.subs) sub.active = false;
    this.subs.clear();
  }
}

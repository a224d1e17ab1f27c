/**
 * The event bus on NATS JetStream (the maintained v3 client line: @nats-io/transport-node,
 * @nats-io/jetstream). Subjects a stream stores (market.>, trade.opportunities.>, execution.>,
 * dlq.>) are published with `Nats-Msg-Id` dedup and consumed through durable pull consumers
 * with explicit acks; other subjects (control.*) use core NATS.
 *
 * Redelivery: a handler that throws or naks is redelivered after the backoff; the delivery
 * after the last allowed one (`maxDeliver`) is not handed to the handler but dead-lettered to
 * `dlq.<subject>` with the reason, then terminated. The server-side max_deliver is left
 * unlimited on purpose: a message whose handler keeps crashing the process is still
 * dead-lettered by the next worker, never dropped silently.
 */
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection, type Subscription as NatsSub, type Msg } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, NoRespondersError } from '@nats-io/nats-core';
import { SolrulesError } from '../../../errors/index.ts';
import { logger, metrics } from '../../telemetry/index.ts';
import { subjectFamily } from '../instrument.ts';
import { deadLetterSubject, type Bus, type BusMessage, type MessageHandler, type PublishOptions, type SubscribeOptions, type Subscription } from '../bus.ts';
import { deadLetterHeaders, deliver, DEFAULT_MAX_DELIVER } from '../delivery.ts';
import { runInTraceContext, withTraceHeaders } from '../trace.ts';
import { consumerName, dec, encode, fromHeaders, natsConnectOptions, REPLY_HEADER, toHeaders } from './codec.ts';
import { Namespace, STREAMS, streamConfig, streamFor, type StreamKey, type StreamSpec } from './streams.ts';

/**
 * JetStream API error codes (the server's `err_code`) that mean "the cluster cannot take this
 * now, ask again": a publish answered with one of these is retried until the deadline; any
 * other API error is final. Named as in the server's errors.json.
 */
const TRANSIENT_JS_CODES: ReadonlySet<number> = new Set([
  10004, // JSClusterIncompleteErr: incomplete results
  10005, // JSClusterNoPeersErr: no suitable peers for placement
  10007, // JSClusterNotAssignedErr: JetStream cluster not assigned to this server
  10008, // JSClusterNotAvailErr: JetStream system temporarily unavailable
  10009, // JSClusterNotLeaderErr: JetStream cluster can not handle request
  10040, // JSClusterPeerNotMemberErr: peer not a member (yet)
]);

export interface NatsBusOptions {
  /** Server URLs (`nats://host:port`); user:password in a URL is used for auth. */
  servers: string | string[];
  /** Isolates subjects and streams (see Namespace); default none. */
  namespace?: string;
  /** Overrides of stream limits (tests use small ones). */
  streams?: Partial<Record<StreamKey, Partial<Pick<StreamSpec, 'maxAgeMs' | 'maxBytes'>>>>;
  /** How long a delivered message may stay unacked before the server redelivers it (default 30 s). */
  ackWaitMs?: number;
  /** Messages handled at once per subscription (default 32). */
  maxInflight?: number;
  /** How long publish keeps retrying (same msg id, so safe) while the server is unreachable (default 30 s). */
  publishRetryMs?: number;
  /** Copies of each stream in a NATS cluster (default 1; 3 on a 3-node cluster). */
  replicas?: number;
  /** Connection name shown by the server. */
  name?: string;
}

interface JsSub {
  kind: 'js';
  stream: string;
  consumer: string;
  durable: boolean;
  /** The current pull iterator (replaced when the watchdog restarts a silent one). */
  messages: ConsumerMessages;
  inflight: Set<Promise<void>>;
  done: Promise<void>;
  /** Unsubscribed or closing: an ended iterator is not pulled again. */
  stopped: boolean;
}

interface CoreSub {
  kind: 'core';
  sub: NatsSub;
  inflight: Set<Promise<void>>;
}

/** How long one pull request waits on the server (see subscribeStream). */
const PULL_EXPIRES_MS = 5_000;

/**
 * Silence after which a pull consumer is restarted (see watchPulls): a live one hears a heartbeat
 * every PULL_EXPIRES_MS / 2 and an expired pull every PULL_EXPIRES_MS, so this is several missed
 * beats, generous on a loaded machine; a needless restart costs only a new pull.
 */
const PULL_STALL_MS = 6_000;

export class NatsBus implements Bus {
  private readonly ns: Namespace;
  private readonly subs = new Set<JsSub | CoreSub>();
  private closed = false;
  private readonly ackWaitMs: number;
  private readonly maxInflight: number;
  private readonly publishRetryMs: number;
  /** Publishes retried because the server did not answer (observability and tests). */
  publishRetries = 0;
  /** Pull consumers restarted after going silent (see watchPulls; observability and tests). */
  consumerRestarts = 0;

  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: NatsBusOptions,
  ) {
    this.ns = new Namespace(opts.namespace);
    this.ackWaitMs = opts.ackWaitMs ?? 30_000;
    this.maxInflight = opts.maxInflight ?? 32;
    this.publishRetryMs = opts.publishRetryMs ?? 30_000;
  }

  /** Connects, creates or updates the streams, and returns the bus. */
  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const co = natsConnectOptions(opts.servers);
    let nc: NatsConnection;
    try {
      nc = await connect({ ...co, name: opts.name ?? `solrules-${process.pid}`, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 10_000 });
    } catch (err) {
      throw new SolrulesError('BUS_CONNECT', `cannot connect to NATS at ${co.servers.join(', ')}: ${(err as Error).message}`, { servers: co.servers }, { cause: err });
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: 5_000 });
      const bus = new NatsBus(nc, jetstream(nc, { timeout: 5_000 }), jsm, opts);
      await bus.ensureStreams();
      return bus;
    } catch (err) {
      await nc.close();
      if (err instanceof SolrulesError) throw err;
      const msg = (err as Error).message;
      // nats.js's error classes, not its text (JetStreamNotEnabled is not exported: its name is its stable API).
      const noJetStream = err instanceof NoRespondersError || (err as Error).name === 'JetStreamNotEnabled' || (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.JetStreamNotEnabledForAccount);
      const hint = noJetStream ? ' (is JetStream enabled? start nats-server with -js)' : '';
      throw new SolrulesError('BUS_JETSTREAM', `NATS at ${co.servers.join(', ')} has no usable JetStream: ${msg}${hint}`, { servers: co.servers }, { cause: err });
    }
  }

  /** The stream names and subjects this bus uses (after namespace). */
  streamNames(): Record<StreamKey, string> {
    return Object.fromEntries((Object.keys(STREAMS) as StreamKey[]).map((k) => [k, this.ns.stream(STREAMS[k].name)])) as Record<StreamKey, string>;
  }

  private spec(key: StreamKey): StreamSpec {
    return { ...STREAMS[key], ...(this.opts.streams?.[key] ?? {}) };
  }

  /** Creates each stream, or brings an existing one's limits in line with ours. */
  async ensureStreams(): Promise<void> {
    for (const key of Object.keys(STREAMS) as StreamKey[]) {
      const cfg = streamConfig(this.spec(key), this.ns, this.opts.replicas ?? 1);
      try {
        await this.jsm.streams.info(cfg.name);
        await this.jsm.streams.update(cfg.name, cfg);
      } catch (err) {
        if (!(err instanceof JetStreamApiError) || err.code !== JetStreamApiCodes.StreamNotFound) {
          throw new SolrulesError('BUS_STREAM', `cannot update stream ${cfg.name}: ${(err as Error).message}`, { stream: cfg.name }, { cause: err });
        }
        try {
          await this.jsm.streams.add(cfg);
        } catch (e) {
          throw new SolrulesError(
            'BUS_STREAM',
            `cannot create stream ${cfg.name} for '${cfg.subjects![0]}': ${(e as Error).message} (another stream may already capture these subjects)`,
            { stream: cfg.name, subject: cfg.subjects![0] },
            { cause: e },
          );
        }
      }
    }
  }

  private physical(subject: string): string {
    return this.ns.subject(subject);
  }

  async publish(subject: string, data: unknown, opts: PublishOptions = {}): Promise<void> {
    if (this.closed) throw new SolrulesError('BUS_CLOSED', `publish to '${subject}' after the bus was closed`, { subject });
    const payload = encode(subject, data);
    const headers = toHeaders(withTraceHeaders(opts.headers));
    const phys = this.physical(subject);
    if (!streamFor(subject)) {
      this.nc.publish(phys, payload, headers ? { headers } : {});
      return;
    }
    const deadline = Date.now() + this.publishRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js.publish(phys, payload, { ...(opts.msgId ? { msgID: opts.msgId } : {}), ...(headers ? { headers } : {}), timeout: 2_000 });
        return;
      } catch (err) {
        if (err instanceof JetStreamApiError && !TRANSIENT_JS_CODES.has(err.code)) {
          throw new SolrulesError('BUS_PUBLISH', `JetStream refused the message on '${subject}': ${err.message}`, { subject, code: err.code }, { cause: err });
        }
        if (this.closed || Date.now() >= deadline) {
          throw new SolrulesError('BUS_PUBLISH', `no acknowledgement from NATS for '${subject}' within ${this.publishRetryMs} ms: ${(err as Error).message}`, { subject }, { cause: err });
        }
        // Same msg id on every try: if an earlier try was stored, the server drops this one as a duplicate.
        this.publishRetries++;
        await new Promise((r) => setTimeout(r, Math.min(500, 20 * attempt)));
      }
    }
  }

  async subscribe<T = unknown>(pattern: string, handler: MessageHandler<T>, opts: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new SolrulesError('BUS_CLOSED', `subscribe to '${pattern}' after the bus was closed`, { subject: pattern });
    const key = streamFor(pattern);
    const sub = key ? await this.subscribeStream(key, pattern, handler as MessageHandler<unknown>, opts) : this.subscribeCore(pattern, handler as MessageHandler<unknown>, opts);
    if (sub.kind === 'core') await this.nc.flush(); // the server knows the subscription before we return
    this.subs.add(sub);
    return {
      unsubscribe: async () => {
        if (!this.subs.delete(sub)) return;
        await this.stopSub(sub);
      },
    };
  }

  private async stopSub(sub: JsSub | CoreSub): Promise<void> {
    if (sub.kind === 'core') sub.sub.unsubscribe();
    else {
      sub.stopped = true;
      sub.messages.stop();
      await sub.done;
    }
    while (sub.inflight.size) await Promise.allSettled([...sub.inflight]);
    if (sub.kind === 'js' && !sub.durable) await this.jsm.consumers.delete(sub.stream, sub.consumer).catch(() => undefined);
  }

  private async subscribeStream(key: StreamKey, pattern: string, handler: MessageHandler<unknown>, opts: SubscribeOptions): Promise<JsSub> {
    const stream = this.ns.stream(STREAMS[key].name);
    const shared = opts.durable ?? opts.queue;
    const name = consumerName(shared ?? `eph_${randomBytes(6).toString('hex')}`);
    const filter = this.physical(pattern);
    const config = {
      durable_name: name,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: Math.max(1_000, this.maxInflight * 4),
      // A durable starts from the stream's first message: orders published before any executor
      // ever subscribed are still executed (the store refuses what already ran). A plain
      // subscriber sees what is published from now on.
      deliver_policy: shared ? DeliverPolicy.All : DeliverPolicy.New,
      ...(shared ? {} : { inactive_threshold: nanos(60_000) }),
    };
    try {
      await this.jsm.consumers.add(stream, config);
    } catch (err) {
      // An existing durable (another member of the queue group, or our previous run) is joined as it is.
      const info = await this.jsm.consumers.info(stream, name).catch(() => undefined);
      if (!info) throw new SolrulesError('BUS_CONSUMER', `cannot create consumer '${name}' on ${stream}: ${(err as Error).message}`, { stream, consumer: name }, { cause: err });
      if (info.config.filter_subject !== filter) {
        throw new SolrulesError(
          'BUS_CONSUMER',
          `durable consumer '${name}' on ${stream} already exists for '${info.config.filter_subject}', not '${filter}'; use another durable/queue name`,
          { stream, consumer: name, existing: info.config.filter_subject, wanted: filter },
        );
      }
    }
    const consumer = await this.js.consumers.get(stream, name);
    // Pulls expire after 5 s (heartbeats every 2.5 s): when the consumer's leader dies with the node
    // it ran on, the new leader holds none of our pull requests, and only a missed-heartbeat reset or
    // an expired pull makes the client ask again — within 5 s instead of the client's default 30 s,
    // during which a queue group received nothing (test/app/split-roles-nats.test.ts).
    const pull = () => consumer.consume({ max_messages: this.maxInflight, expires: PULL_EXPIRES_MS });
    const inflight = new Set<Promise<void>>();
    const sub: JsSub = { kind: 'js', stream, consumer: name, durable: !!shared, messages: await pull(), inflight, done: Promise.resolve(), stopped: false };
    sub.done = (async () => {
      for (;;) {
        const messages = sub.messages;
        const watchdog = this.watchPulls(sub, pattern);
        try {
          for await (const m of messages) {
            while (inflight.size >= this.maxInflight) await Promise.race(inflight);
            const p = this.handleJs(m, handler, opts).catch((err) => logger().error({ err, subject: m.subject }, 'bus delivery failed'));
            inflight.add(p);
            void p.finally(() => inflight.delete(p));
          }
        } catch (err) {
          if (sub.stopped || this.closed || this.nc.isClosed()) return;
          logger().warn({ err: (err as Error).message, subject: pattern, consumer: name }, 'JetStream consumer iterator failed; pulling again');
        } finally {
          clearInterval(watchdog);
        }
        // A connection closed under us (not through close()) ends the subscription: nothing to pull from.
        if (sub.stopped || this.closed || this.nc.isClosed()) return;
        // The iterator ended without us stopping it (the watchdog did, or the client gave up): pull again.
        for (;;) {
          try {
            sub.messages = await pull();
            break;
          } catch (err) {
            if (sub.stopped || this.closed || this.nc.isClosed()) return;
            logger().warn({ err: (err as Error).message, subject: pattern, consumer: name }, 'cannot pull from the JetStream consumer; retrying');
            await new Promise((r) => setTimeout(r, 1_000));
          }
        }
      }
    })();
    return sub;
  }

  /**
   * A pull consumer that hears nothing — no message, no heartbeat, no expired pull — for
   * PULL_STALL_MS is stuck: seen after a cluster node's SIGKILL, when a planner's `market.accounts`
   * iterator got no message, heartbeat or expired pull again, nor a missed-heartbeat reset, for the
   * rest of the run (most likely nats.js's reconnect path: it cancels the heartbeat monitor on
   * disconnect and re-pulls only once a consumer info succeeds). Stops the iterator (the loop in
   * subscribeStream pulls again), counted and warned: a stall costs seconds, never the subscription.
   * Messages count through the iterator's `received` (nats.js internal; without it, status only).
   */
  private watchPulls(sub: JsSub, pattern: string): NodeJS.Timeout {
    const messages = sub.messages;
    let last = Date.now();
    void (async () => {
      for await (const _ of messages.status()) last = Date.now();
    })().catch(() => undefined);
    const seen = messages as unknown as { received?: number };
    let received = seen.received ?? 0;
    const timer = setInterval(() => {
      if (typeof seen.received === 'number' && seen.received !== received) ((received = seen.received), (last = Date.now()));
      if (sub.stopped || this.closed || this.nc.isClosed()) return clearInterval(timer);
      if (Date.now() - last < PULL_STALL_MS) return;
      clearInterval(timer);
      this.consumerRestarts++;
      metrics.bus.consumerRestarts.inc({ subject: subjectFamily(pattern) });
      logger().warn({ subject: pattern, consumer: sub.consumer, silentMs: Date.now() - last }, 'JetStream consumer silent (no message, heartbeat or expired pull): pulling again');
      messages.stop();
    }, 1_000);
    timer.unref?.();
    return timer;
  }

  private async deadLetter(m: JsMsg, subject: string, headers: Record<string, string>, reason: string): Promise<void> {
    try {
      await this.js.publish(this.physical(deadLetterSubject(subject)), m.data, {
        msgID: `dlq:${m.info.stream}:${m.seq}`,
        headers: toHeaders(deadLetterHeaders(headers, subject, reason, m.info.deliveryCount))!,
        timeout: 2_000,
      });
      m.term(); // no reason argument: servers before 2.10.4 ignore `+TERM <reason>` (the reason is in the DLQ headers)
    } catch (err) {
      logger().warn({ err: (err as Error).message, subject }, 'could not dead-letter; the message will be redelivered and dead-lettered then');
      m.nak(1_000);
    }
  }

  private async handleJs(m: JsMsg, handler: MessageHandler<unknown>, opts: SubscribeOptions): Promise<void> {
    const subject = this.ns.strip(m.subject);
    const headers = fromHeaders(m.headers);
    const deliveryCount = m.info.deliveryCount;
    const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
    if (deliveryCount > maxDeliver) {
      await this.deadLetter(m, subject, headers, `max deliveries (${maxDeliver}) reached: no handler finished it`);
      return;
    }
    const replyTo = headers[REPLY_HEADER];
    let data: unknown;
    try {
      data = JSON.parse(dec.decode(m.data));
    } catch {
      await this.deadLetter(m, subject, headers, 'payload is not JSON');
      return;
    }
    const outcome = await deliver(handler, {
      subject,
      data,
      headers,
      msgId: m.headers?.get('Nats-Msg-Id') || undefined,
      deliveryCount,
      respond: (reply: unknown) => {
        if (replyTo) this.nc.publish(replyTo, encode(replyTo, reply));
      },
      inProgress: () => m.working(),
    }, opts);
    if (outcome.kind === 'ack') return m.ack();
    if (outcome.kind === 'dead-letter') return this.deadLetter(m, subject, headers, outcome.reason);
    m.nak(outcome.delayMs);
  }

  private subscribeCore(pattern: string, handler: MessageHandler<unknown>, opts: SubscribeOptions): CoreSub {
    const inflight = new Set<Promise<void>>();
    const sub = this.nc.subscribe(this.physical(pattern), {
      ...(opts.queue ? { queue: opts.queue } : {}),
      callback: (err, m) => {
        if (err) return;
        const p = this.handleCore(m, handler).catch((e) => logger().error({ err: e, subject: m.subject }, 'bus handler failed (core NATS: not redelivered)'));
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      },
    });
    return { kind: 'core', sub, inflight };
  }

  private async handleCore(m: Msg, handler: MessageHandler<unknown>): Promise<void> {
    const headers = fromHeaders(m.headers);
    const replyTo = m.reply || headers[REPLY_HEADER];
    const msg: BusMessage<unknown> = {
      subject: this.ns.strip(m.subject),
      data: m.data.length ? JSON.parse(dec.decode(m.data)) : null,
      headers,
      msgId: undefined,
      deliveryCount: 1,
      ack: () => {},
      nak: () => {},
      term: () => {},
      respond: (reply: unknown) => {
        if (replyTo) this.nc.publish(replyTo, encode(replyTo, reply));
      },
      inProgress: () => {},
    };
    await runInTraceContext(headers, () => handler(msg));
  }

  async request<R = unknown>(subject: string, data: unknown, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<R> {
    const timeoutMs = opts.timeoutMs ?? 2_000;
    const inbox = `_INBOX.solrules.${randomBytes(8).toString('hex')}`;
    const reply = new Promise<R>((resolve, reject) => {
      const sub = this.nc.subscribe(inbox, { max: 1 });
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(new SolrulesError('BUS_TIMEOUT', `no reply on '${subject}' within ${timeoutMs} ms`, { subject, timeoutMs }));
      }, timeoutMs);
      void (async () => {
        for await (const m of sub) {
          clearTimeout(timer);
          resolve(JSON.parse(dec.decode(m.data)) as R);
        }
      })();
    });
    await this.nc.flush();
    await this.publish(subject, data, { headers: { ...(opts.headers ?? {}), [REPLY_HEADER]: inbox } });
    return reply;
  }

  /** In-flight handlers done and every stream consumer of ours drained (nothing pending or unacked). */
  async settle(): Promise<void> {
    for (let stable = 0; stable < 2; ) {
      await this.nc.flush();
      for (const s of this.subs) while (s.inflight.size) await Promise.allSettled([...s.inflight]);
      let busy = false;
      for (const s of this.subs) {
        if (s.kind !== 'js') continue;
        const info = await this.jsm.consumers.info(s.stream, s.consumer);
        if (info.num_pending > 0 || info.num_ack_pending > 0) busy = true;
      }
      if (busy) {
        stable = 0;
        await new Promise((r) => setTimeout(r, 2));
      } else stable++;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) await this.stopSub(s);
    await this.nc.flush().catch(() => undefined); // acks out before we go
    await this.nc.close();
  }
}

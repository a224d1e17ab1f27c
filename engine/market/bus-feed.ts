/**
 * Market state over the bus, for processes split by role. A scanner-role process forwards every
 * account update of its share (and each live slot) on `market.accounts` (`ScannerForwarder`); a
 * planner-role process holds no chain connection: `BusAccountSource` is the account source of its
 * scanner pipeline, so it decodes the same pools with the same venue code and derives the same
 * facts. Each scanner numbers its messages; a planner that sees a jump (or joins late) asks that
 * scanner to republish its share (`cluster.sync.<member>`), so a missed message costs a resync,
 * never a wrong pool state.
 *
 * Slots are closed by every scanner together: a scanner's `slot` message says it has forwarded
 * every update of its share before that slot, and a planner releases a slot's updates to its
 * scanner pipeline — then closes the slot — only once every live scanner has said so (a dead one
 * stops counting when the membership drops it). A planner fed by two scanners thus publishes one
 * batch per slot, as one scanner reading the whole market does, whatever order the two arrive in.
 */
import type { Bus, Subscription } from '../infra/bus/index.ts';
import { SUBJECTS, syncSubject, type MarketSourceMessage, type MarketSyncReply, type MarketSyncRequest } from '../messages/index.ts';
import { Membership } from '../cluster/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { AccountSource, AccountUpdate, SourceSink, SourceStats } from './source.ts';

/** Publishes a scanner's share on `market.accounts`, numbered without gaps. */
export class ScannerForwarder {
  private seq = 0;
  readonly epoch: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: Bus,
    readonly scanner: string,
    now: () => number = Date.now,
  ) {
    this.epoch = now();
  }

  /** The last sequence number sent. */
  get lastSeq(): number {
    return this.seq;
  }

  account(u: AccountUpdate, resync: boolean): Promise<void> {
    const a = u.account;
    const data = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('base64');
    return this.send({ kind: 'account', scanner: this.scanner, epoch: this.epoch, seq: 0, address: u.address, slot: u.slot, owner: a.owner, lamports: a.lamports === null ? null : a.lamports.toString(), data, executable: a.executable, rentEpoch: a.rentEpoch === null ? null : a.rentEpoch.toString(), receivedAt: u.receivedAt, ...(u.blockTimeMs !== undefined ? { blockTime: u.blockTimeMs } : {}), ...(resync ? { resync } : {}) });
  }

  /** The end of a republished share: planners publish what it changed without waiting for the next slot. */
  synced(): Promise<void> {
    return this.send({ kind: 'synced', scanner: this.scanner, epoch: this.epoch, seq: 0 });
  }

  slot(slot: number, receivedAt?: number): Promise<void> {
    return this.send({ kind: 'slot', scanner: this.scanner, epoch: this.epoch, seq: 0, slot, ...(receivedAt !== undefined ? { receivedAt } : {}) });
  }

  /**
   * Numbers and publishes in order: a number is taken only by a message that goes out next. A
   * publish that fails (the bus gave up on its ack, BUS_PUBLISH) rejects its caller but not the
   * queue: the next message still goes out, and its number's jump makes planners resync — a
   * rejected link kept in the chain would have skipped every later publish, silently.
   */
  private send(message: MarketSourceMessage): Promise<void> {
    const sent = this.queue.then(() => {
      message.seq = ++this.seq;
      return this.bus.publish(SUBJECTS.accounts, message, { msgId: `${this.scanner}:${this.epoch}:${message.seq}` });
    });
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  /** Answers planners' resync requests by republishing the share (`republish`) and saying up to which number. */
  async serveResync(republish: () => Promise<number>): Promise<Subscription> {
    return this.bus.subscribe<MarketSyncRequest>(syncSubject(this.scanner), async (msg) => {
      const accounts = await republish();
      await this.queue;
      const reply: MarketSyncReply = { scanner: this.scanner, accounts, seq: this.seq };
      msg.respond(reply);
    });
  }
}

export interface BusAccountSourceOptions {
  bus: Bus;
  /** This planner's name (in resync requests). */
  member: string;
  /** The scanners' membership group (default `scanner`). */
  scannerGroup?: string;
  heartbeatMs?: number;
  log?: Logger;
  now?: () => number;
  /**
   * A live scanner that has not closed a slot the others closed this long ago (ms) stops holding
   * the planner back (warned); default 5000. A dead one is dropped sooner, by the membership.
   */
  stallMs?: number;
}

export interface BusSourceStats {
  messages: number;
  /** Jumps in a scanner's numbering: each one asked for a resync. */
  gaps: number;
  resyncs: number;
  /** Slots closed without a live scanner that had not reached them (it stalled past `stallMs`). */
  stalls: number;
}

/** The account source of a planner-role process: the scanners' forwarded updates, resynced on a gap. */
export class BusAccountSource implements AccountSource {
  readonly mode = 'bus' as const;
  readonly feed: BusSourceStats = { messages: 0, gaps: 0, resyncs: 0, stalls: 0 };
  private sink: SourceSink | undefined;
  private sub: Subscription | undefined;
  private readonly scanners: Membership;
  private readonly last = new Map<string, { epoch: number; seq: number }>();
  private lastMessageAt: number | undefined;
  private readonly now: () => number;
  /** Each scanner's latest slot notice (it has forwarded every update of its share before it). */
  private readonly marks = new Map<string, { slot: number; at: number }>();
  /** Updates of slots not closed yet, in arrival order, with the scanner that forwarded each. */
  private held: { update: AccountUpdate; scanner: string }[] = [];
  /** The slot the pipeline was last told started (every slot before it is closed). */
  private closedBefore = -Infinity;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BusAccountSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.scanners = new Membership(opts.bus, { group: opts.scannerGroup ?? 'scanner', member: `${opts.member}:observer`, passive: true, ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}), ...(opts.log ? { log: opts.log } : {}) });
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.sub = await this.opts.bus.subscribe<MarketSourceMessage>(SUBJECTS.accounts, (msg) => this.receive(msg.data));
    // A scanner heard for the first time (this planner just started, or the scanner did) republishes its
    // share: without it, a planner that starts between a scanner's first forwarding and its first
    // heartbeat holds no state for that share until each account happens to change.
    this.scanners.onMembershipChange((c) => {
      for (const m of c.joined) void this.resync(m);
      for (const m of c.left) this.dropPartial(m);
      if (c.left.length) this.advance(false);
    });
    await this.scanners.start();
    await Promise.all(this.scanners.members().map((m) => this.resync(m)));
  }

  /**
   * A scanner left (died, or stopped): forget its slot notices, and the updates it forwarded of slots
   * it never closed — it may have died between two updates of one slot (a pool account forwarded, its
   * vaults not). Released when the survivors close that slot, they would decode a pool half of
   * that slot, half of the one before, and publish it; a process reading the chain never sees it.
   * The member that takes the share over re-reads and republishes all of it.
   */
  private dropPartial(scanner: string): void {
    const closedFrom = this.marks.get(scanner)?.slot ?? -Infinity;
    this.marks.delete(scanner);
    const before = this.held.length;
    this.held = this.held.filter((h) => h.scanner !== scanner || h.update.slot < closedFrom);
    if (this.held.length < before) this.opts.log?.info({ scanner, dropped: before - this.held.length }, 'dropped the updates a departed scanner forwarded of a slot it never closed; its share is re-read by the member taking it over');
  }

  /** Asks `scanner` to republish its share; resolves once it says it has. */
  async resync(scanner: string): Promise<void> {
    this.feed.resyncs++;
    try {
      await this.opts.bus.request<MarketSyncReply>(syncSubject(scanner), { requester: this.opts.member } satisfies MarketSyncRequest, { timeoutMs: 10_000 });
    } catch (err) {
      this.opts.log?.warn({ scanner, err: (err as Error).message }, 'resync request unanswered; the scanner forwards its share when it comes back');
    }
  }

  private receive(m: MarketSourceMessage): void {
    this.feed.messages++;
    this.lastMessageAt = this.now();
    const known = this.last.get(m.scanner);
    if (known && known.epoch === m.epoch && m.seq <= known.seq) return; // redelivered
    // First contact with a scanner (or with its new epoch after a restart) past its first message: what came before was missed.
    const gap = known !== undefined && known.epoch === m.epoch ? m.seq > known.seq + 1 : m.seq > 1;
    this.last.set(m.scanner, { epoch: m.epoch, seq: m.seq });
    if (gap) {
      this.feed.gaps++;
      this.opts.log?.warn({ scanner: m.scanner, expected: known?.epoch === m.epoch ? known.seq + 1 : 1, got: m.seq }, 'missed market.accounts messages; asking the scanner for a resync');
      void this.resync(m.scanner);
    }
    if (known && known.epoch !== m.epoch) this.marks.delete(m.scanner); // restarted: its old notices say nothing of the new process
    if (m.kind === 'synced') return this.sink?.synced?.();
    if (m.kind === 'slot') {
      const mark = this.marks.get(m.scanner);
      if (!mark || m.slot > mark.slot) this.marks.set(m.scanner, { slot: m.slot, at: this.now() });
      return this.advance(false);
    }
    const update: AccountUpdate = {
      address: m.address,
      account: { address: m.address, owner: m.owner, data: Buffer.from(m.data, 'base64'), lamports: m.lamports === null ? null : BigInt(m.lamports), executable: m.executable, rentEpoch: m.rentEpoch === null ? null : BigInt(m.rentEpoch), slot: m.slot },
      slot: m.slot,
      receivedAt: m.receivedAt ?? this.now(),
      via: m.resync ? 'resync' : 'account',
      ...(m.blockTime !== undefined ? { blockTimeMs: m.blockTime } : {}),
    };
    // A republished share is a snapshot (published at its `synced`); a slot's update waits for the slot to close.
    if (m.resync || m.slot < this.closedBefore) this.sink?.account(update);
    else this.held.push({ update, scanner: m.scanner });
  }

  /**
   * Closes every slot all live scanners have passed: releases those slots' updates, then tells the
   * pipeline the next slot started. `force`: a scanner stalled past `stallMs` no longer holds it back.
   */
  private advance(force: boolean): void {
    const live = this.scanners.members().length ? this.scanners.members() : [...this.marks.keys()];
    let target = Infinity;
    let waiting = false;
    for (const m of live) {
      const mark = this.marks.get(m);
      if (mark) target = Math.min(target, mark.slot);
      else waiting = true;
    }
    if (waiting && !force) target = Math.min(target, this.closedBefore);
    if (target === Infinity || target <= this.closedBefore) {
      if (waiting && !this.stallTimer && [...this.marks.values()].some((mk) => mk.slot > this.closedBefore)) {
        this.stallTimer = setTimeout(() => {
          this.stallTimer = undefined;
          this.feed.stalls++;
          this.opts.log?.warn({ members: live, marks: Object.fromEntries([...this.marks].map(([k, v]) => [k, v.slot])) }, 'a live scanner closed no slot for a while: closing slots without it');
          this.advance(true);
        }, this.opts.stallMs ?? 5_000);
        this.stallTimer.unref?.();
      }
      return;
    }
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.closedBefore = target;
    const release = this.held.filter((h) => h.update.slot < target);
    this.held = this.held.filter((h) => h.update.slot >= target);
    for (const h of release) this.sink?.account(h.update);
    this.sink?.slot(target, this.now());
  }

  /** Every slot before this one is closed here: all of its updates were handed to the pipeline. */
  get closedThrough(): number {
    return this.closedBefore - 1;
  }

  async watch(): Promise<void> {
    // The scanners decide what is watched; a planner reads what they forward.
  }

  async stop(): Promise<void> {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    await this.sub?.unsubscribe();
    await this.scanners.stop();
  }

  stats(): SourceStats {
    return { mode: 'bus', connected: this.sub !== undefined, reconnects: 0, watched: this.scanners.members().length, lastMessageAt: this.lastMessageAt };
  }
}

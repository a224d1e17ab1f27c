/**
 * Membership over the bus: the instances sharing one kind of work (scanners, planners) send a
 * heartbeat on `cluster.members.<group>` (core NATS: every instance hears it, nothing stored)
 * and each derives the same live member list, then its share by rendezvous hashing.
 *
 * Takeover is bounded: a member that stops cleanly says so (its share moves at once); one that
 * dies (SIGKILL, a lost connection) is dropped after `deadAfterMs` of silence, so its share moves
 * within deadAfterMs + heartbeatMs. A joining member takes no share until it has listened for a
 * full `deadAfterMs` window (it knows the others by then), and the others count it only once it
 * says it is ready, so a join never leaves keys owned by nobody for longer than one heartbeat.
 *
 * What this cannot give alone: during a network split both sides may own a key for a moment.
 * Decisions stay exactly-once because order ids are deterministic and the bus and store
 * deduplicate them (docs/scale-out.md).
 */
import type { Bus, Subscription } from '../infra/bus/index.ts';
import { membersSubject, type MemberHeartbeat } from '../messages/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { Partition } from './partition.ts';
import { rendezvousOwner } from './rendezvous.ts';

export interface MembershipOptions {
  /** The kind of work shared (e.g. `planner`, `scanner`); members of other groups are not counted. */
  group: string;
  /** This instance's name, unique in the group (e.g. host:pid). */
  member: string;
  /** Heartbeat interval (default 250 ms). */
  heartbeatMs?: number;
  /** Silence after which a member is dead and its share moves (default 4 heartbeats). */
  deadAfterMs?: number;
  log?: Logger;
  now?: () => number;
  /** Only watch the group (a planner following the scanners): send nothing, own nothing. */
  passive?: boolean;
}

/** A change of the member list, with when it was noticed. */
export interface MembershipChange {
  members: readonly string[];
  joined: string[];
  left: string[];
  /** Why members left: `leaving` (said so) or `silent` (no heartbeat for deadAfterMs). */
  reason: 'joined' | 'leaving' | 'silent' | 'ready';
  at: number;
}

interface Peer {
  lastSeen: number;
  startedAt: number;
  ready: boolean;
}

/** One instance's view of its group, and its share of the work (a `Partition`). */
export class Membership implements Partition {
  readonly group: string;
  readonly member: string;
  private readonly heartbeatMs: number;
  private readonly deadAfterMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly peers = new Map<string, Peer>();
  private readonly listeners = new Set<(members: readonly string[]) => void>();
  private readonly changeListeners = new Set<(change: MembershipChange) => void>();
  private view: readonly string[] = [];
  private ready = false;
  private sub: Subscription | undefined;
  private beat: NodeJS.Timeout | undefined;
  private readyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: Bus,
    opts: MembershipOptions,
  ) {
    this.group = opts.group;
    this.member = opts.member;
    this.heartbeatMs = opts.heartbeatMs ?? 250;
    this.deadAfterMs = opts.deadAfterMs ?? 4 * this.heartbeatMs;
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.log = opts.log;
    this.passive = opts.passive ?? false;
  }

  private readonly passive: boolean;

  private readonly log: Logger | undefined;

  /** Starts listening and sending heartbeats; the share is taken after one full listening window. */
  async start(): Promise<void> {
    this.sub = await this.bus.subscribe<MemberHeartbeat>(membersSubject(this.group), (msg) => this.heard(msg.data));
    if (this.passive) {
      this.beat = setInterval(() => this.expire(), this.heartbeatMs);
      this.beat.unref();
      // One heartbeat interval: every live member has been heard once.
      return new Promise((resolve) => setTimeout(resolve, this.heartbeatMs + 50));
    }
    await this.send(false);
    this.beat = setInterval(() => {
      this.expire();
      void this.send(false);
    }, this.heartbeatMs);
    this.beat.unref();
    await new Promise<void>((resolve) => {
      this.readyTimer = setTimeout(() => {
        this.ready = true;
        this.recompute('ready', [this.member], []);
        void this.send(false);
        resolve();
      }, this.deadAfterMs);

    });
  }

  /** Leaves cleanly: the others take this instance's share at once. */
  async stop(): Promise<void> {
    clearInterval(this.beat);
    clearTimeout(this.readyTimer);
    this.ready = false;
    if (!this.passive) await this.send(true).catch(() => undefined);
    await this.sub?.unsubscribe();
    this.sub = undefined;
    if (!this.passive) this.recompute('leaving', [], [this.member]);
  }

  /** The live, ready members (this one included once ready), sorted. */
  members(): readonly string[] {
    return this.view;
  }

  /** Whether this instance owns `key` now. */
  owns(key: string): boolean {
    return this.ready && rendezvousOwner(key, this.view) === this.member;
  }

  onChange(listener: (members: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Like onChange, with who joined or left and why (takeover times are measured from these). */
  onMembershipChange(listener: (change: MembershipChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private async send(leaving: boolean): Promise<void> {
    const beat: MemberHeartbeat = { group: this.group, member: this.member, startedAt: this.startedAt, ready: this.ready, ...(leaving ? { leaving } : {}) };
    await this.bus.publish(membersSubject(this.group), beat).catch((err: Error) => this.log?.warn({ group: this.group, err: err.message }, 'membership heartbeat not sent'));
  }

  private heard(beat: MemberHeartbeat): void {
    if (beat.group !== this.group || beat.member === this.member) return;
    if (beat.leaving) {
      if (this.peers.delete(beat.member)) this.recompute('leaving', [], [beat.member]);
      return;
    }
    const known = this.peers.get(beat.member);
    this.peers.set(beat.member, { lastSeen: this.now(), startedAt: beat.startedAt, ready: beat.ready });
    if (!known) this.recompute('joined', [beat.member], []);
    else if (known.ready !== beat.ready) this.recompute('ready', [beat.member], []);
  }

  private expire(): void {
    const cutoff = this.now() - this.deadAfterMs;
    const dead = [...this.peers].filter(([, p]) => p.lastSeen < cutoff).map(([m]) => m);
    for (const m of dead) this.peers.delete(m);
    if (dead.length) this.recompute('silent', [], dead);
  }

  private recompute(reason: MembershipChange['reason'], joined: string[], left: string[]): void {
    const live = [...this.peers].filter(([, p]) => p.ready).map(([m]) => m);
    if (this.ready) live.push(this.member);
    const next = live.sort();
    if (next.length === this.view.length && next.every((m, i) => m === this.view[i])) return;
    this.view = next;
    const change: MembershipChange = { members: next, joined, left, reason, at: this.now() };
    this.log?.info({ group: this.group, member: this.member, members: next, joined, left, reason }, 'membership changed');
    for (const l of this.listeners) l(next);
    for (const l of this.changeListeners) l(change);
  }
}

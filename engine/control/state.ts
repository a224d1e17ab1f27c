/**
 * Operator control: pause / resume, the kill switch, reload-now and rule-set rollback, shared by every instance
 * over the bus (`control.*` subjects, no queue group: each instance gets each message).
 *
 * The coordinator asks `admit()` before it takes an order and the risk rules read
 * `fact()` as the `control` fact (`control.killSwitch`, `control.paused`). A change is applied
 * where it is made, then published; every other instance applies it on delivery — on the
 * in-process bus within the same tick, over NATS within a round trip. Later writes win
 * (by their timestamp), so a delayed `release` can never undo a newer `kill`.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, BusMessage, Subscription } from '../infra/bus/index.ts';
import { logger, metrics } from '../infra/telemetry/index.ts';
import { controlSubject, SUBJECTS, type ControlAction, type ControlFact, type ControlMessage, type ControlSnapshot, type ControlSyncReply, type ControlSyncRequest } from '../messages/index.ts';

export interface ReloadResult {
  ok: boolean;
  /** Rule-set hash in force after the reload. */
  hash?: string;
  detail?: string;
  /** Error code of a refusal (e.g. CONFIG_ROLLBACK_UNKNOWN, CONFIG_RELOAD_NEEDS_RESTART). */
  code?: string;
}

export type RefusalReason = 'kill-switch' | 'paused';

export interface ControlStateOptions {
  /** Stable id of this instance (default: a random one). */
  instanceId?: string;
  now?: () => number;
}

export class ControlState {
  readonly instanceId: string;
  private state: { paused: boolean; killSwitch: boolean; reason?: string; changedAtMs: number; changedBy?: string };
  private readonly listeners = new Set<(s: ControlSnapshot, action: ControlAction) => void>();
  private reloadHandler: (() => Promise<ReloadResult> | ReloadResult) | undefined;
  private rollbackHandler: ((hash: string | undefined) => Promise<ReloadResult> | ReloadResult) | undefined;
  private subscription: Subscription | undefined;
  private bus: Bus | undefined;
  private readonly now: () => number;

  constructor(opts: ControlStateOptions = {}) {
    this.instanceId = opts.instanceId ?? `engine-${randomUUID().slice(0, 8)}`;
    this.now = opts.now ?? Date.now;
    this.state = { paused: false, killSwitch: false, changedAtMs: 0 };
    this.publishGauges();
  }

  get paused(): boolean {
    return this.state.paused;
  }

  get killSwitch(): boolean {
    return this.state.killSwitch;
  }

  /** The `control` fact for the risk rules. */
  fact(): ControlFact {
    return { killSwitch: this.state.killSwitch, paused: this.state.paused };
  }

  snapshot(): ControlSnapshot {
    return { instance: this.instanceId, ...this.state };
  }

  /**
   * Whether a new order may be taken now: undefined when it may, else why not (counted in
   * `solrules_control_orders_refused_total`). Call it for every order, just before taking it.
   */
  admit(): RefusalReason | undefined {
    const reason: RefusalReason | undefined = this.state.killSwitch ? 'kill-switch' : this.state.paused ? 'paused' : undefined;
    if (reason) metrics.control.refused.inc({ state: reason });
    return reason;
  }

  /** Called after every change applied (locally or from the bus). Returns an unsubscribe. */
  onChange(listener: (s: ControlSnapshot, action: ControlAction) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What `reload` does on this instance (the hot reloader's reload-now). */
  onReload(handler: () => Promise<ReloadResult> | ReloadResult): void {
    this.reloadHandler = handler;
  }

  /**
   * What `rollback` does on this instance: bring the rule set back to `hash` (undefined: the
   * previous one), validated and rule-tested like a reload; the result names the hash in force.
   */
  onRollback(handler: (hash: string | undefined) => Promise<ReloadResult> | ReloadResult): void {
    this.rollbackHandler = handler;
  }

  /** Applies a control message to this instance's state. False when it was older than the state (ignored). */
  apply(msg: ControlMessage): boolean {
    if (msg.action === 'reload' || msg.action === 'rollback') return true;
    if (msg.atMs < this.state.changedAtMs) return false;
    const next = { ...this.state, changedAtMs: msg.atMs, changedBy: msg.instance };
    if (msg.action === 'pause') next.paused = true;
    else if (msg.action === 'resume') next.paused = false;
    else if (msg.action === 'kill') next.killSwitch = true;
    else if (msg.action === 'release') next.killSwitch = false;
    next.reason = next.killSwitch || next.paused ? msg.reason : undefined;
    if (next.reason === undefined) delete next.reason;
    this.state = next;
    this.publishGauges();
    metrics.control.actions.inc({ action: msg.action });
    const log = logger().child({ component: 'control', instance: this.instanceId });
    (msg.action === 'kill' ? log.error.bind(log) : log.info.bind(log))({ action: msg.action, reason: msg.reason, from: msg.instance }, `control: ${msg.action}${msg.reason ? ` (${msg.reason})` : ''}`);
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap, msg.action);
    return true;
  }

  private async runReload(): Promise<ReloadResult> {
    metrics.control.actions.inc({ action: 'reload' });
    if (!this.reloadHandler) return { ok: false, detail: 'this instance has no reload handler (no rule set is being served)' };
    try {
      return await this.reloadHandler();
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  private async runRollback(hash: string | undefined): Promise<ReloadResult> {
    metrics.control.actions.inc({ action: 'rollback' });
    if (!this.rollbackHandler) return { ok: false, detail: 'this instance has no rollback handler (no rule set is being served)' };
    try {
      return await this.rollbackHandler(hash);
    } catch (err) {
      return { ok: false, detail: (err as Error).message, ...((err as { code?: unknown }).code ? { code: String((err as { code?: unknown }).code) } : {}) };
    }
  }

  private publishGauges(): void {
    metrics.control.paused.set(this.state.paused ? 1 : 0);
    metrics.control.killSwitch.set(this.state.killSwitch ? 1 : 0);
  }

  /**
   * Subscribes this instance to `control.>` on `bus`, then asks a running instance for the
   * current state (so an instance started while the kill switch is on starts killed).
   */
  async attach(bus: Bus, opts: { syncTimeoutMs?: number } = {}): Promise<void> {
    if (this.subscription) throw new Error('ControlState is already attached to a bus');
    this.bus = bus;
    this.subscription = await bus.subscribe<ControlMessage | ControlSyncRequest>(`${SUBJECTS.control}.>`, (msg) => this.onMessage(msg));
    const syncTimeoutMs = opts.syncTimeoutMs ?? 250;
    if (syncTimeoutMs <= 0) return;
    try {
      const peer = await bus.request<ControlSyncReply>(SUBJECTS.controlSync, { instance: this.instanceId }, { timeoutMs: syncTimeoutMs });
      if (peer && peer.changedAtMs > this.state.changedAtMs) {
        if (peer.killSwitch) this.apply({ action: 'kill', instance: peer.changedBy ?? peer.instance, atMs: peer.changedAtMs, ...(peer.reason ? { reason: peer.reason } : {}) });
        if (peer.paused) this.apply({ action: 'pause', instance: peer.changedBy ?? peer.instance, atMs: peer.changedAtMs, ...(peer.reason ? { reason: peer.reason } : {}) });
      }
    } catch {
      // no other instance answered: this one is the first
    }
  }

  private async onMessage(msg: BusMessage<ControlMessage | { instance: string }>): Promise<void> {
    const data = msg.data as Partial<ControlMessage> & { instance?: string };
    if (msg.subject === SUBJECTS.controlSync) {
      if (data.instance !== this.instanceId) msg.respond(this.snapshot());
      return;
    }
    const action = msg.subject.slice(`${SUBJECTS.control}.`.length) as ControlAction;
    if (!['pause', 'resume', 'kill', 'release', 'reload', 'rollback'].includes(action)) return;
    if (data.instance === this.instanceId) return; // applied where it was made
    const message: ControlMessage = { action, instance: String(data.instance ?? 'unknown'), atMs: typeof data.atMs === 'number' ? data.atMs : this.now(), ...(typeof data.reason === 'string' ? { reason: data.reason } : {}) };
    if (action === 'reload' || action === 'rollback') {
      const result = action === 'reload' ? await this.runReload() : await this.runRollback(typeof data.hash === 'string' ? data.hash : undefined);
      msg.respond({ instance: this.instanceId, ...result });
      return;
    }
    this.apply(message);
  }

  /**
   * Makes a change here and on every instance: applied locally first (so this instance stops
   * at once even if the bus is down), then published on `control.<action>`.
   */
  async command(action: ControlAction, reason?: string, opts: { hash?: string } = {}): Promise<ControlSnapshot & { reload?: ReloadResult; rollback?: ReloadResult }> {
    const msg: ControlMessage = { action, instance: this.instanceId, atMs: this.now(), ...(reason ? { reason } : {}) };
    let reload: ReloadResult | undefined;
    let rollback: ReloadResult | undefined;
    if (action === 'reload') reload = await this.runReload();
    else if (action === 'rollback') {
      rollback = await this.runRollback(opts.hash);
      // Every other instance goes to the hash this one resolved (not to its own "previous"); none when refused here.
      if (!rollback.ok || !rollback.hash) return { ...this.snapshot(), rollback };
      msg.hash = rollback.hash;
    } else this.apply(msg);
    if (this.bus) await this.bus.publish(controlSubject(action), msg);
    return { ...this.snapshot(), ...(reload ? { reload } : {}), ...(rollback ? { rollback } : {}) };
  }

  /** Unsubscribes from the bus. */
  async detach(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.bus = undefined;
  }
}

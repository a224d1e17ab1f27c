/**
 * WebSocket source: accountSubscribe per watched account, programSubscribe (with filters) per
 * configured program and slotSubscribe as the liveness signal, all through web3.js `Connection`.
 *
 * web3.js 1.x already resubscribes after its socket reconnects, but with a fixed 1 s interval, a
 * console.error per failed attempt, no notice to the caller, and nothing about the updates missed
 * while down. We attach to its socket client (`Connection._rpcWebSocket`, an rpc-websockets
 * `CommonClient`; checked at start, so a web3.js that changes it fails loudly) to: back off
 * exponentially with jitter, log through our logger, report disconnects, force a reconnect when
 * no message arrives for `staleAfterMs` (half-open TCP), and after every reconnect wait for the
 * resubscriptions and resync every watched account (and program) over HTTP, so no update is lost.
 */
import { Connection, PublicKey, type AccountInfo, type Context, type KeyedAccountInfo } from '@solana/web3.js';
import { SolrulesError } from '../errors/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import type { ProgramWatch, ScannerConfig } from './config.ts';
import { scannerMetrics } from './metrics.ts';
import { fetchAccounts, fetchProgramAccounts, toSnapshot, web3Filters, rpcFailureContext } from './rpc.ts';
import { backoffMs, type AccountSource, type SourceOptions, type SourceSink, type SourceStats } from './source.ts';

/** The parts of rpc-websockets' CommonClient we use (public methods of that class). */
interface SocketClient {
  on(event: string, fn: (...args: any[]) => void): unknown;
  off(event: string, fn: (...args: any[]) => void): unknown;
  removeAllListeners(event: string): unknown;
  setReconnectInterval(ms: number): void;
  setAutoReconnect(on: boolean): void;
  close(code?: number, reason?: string): void;
}

interface ConnectionInternals {
  _rpcWebSocket?: SocketClient;
  _rpcWebSocketConnected?: boolean;
  _subscriptionsByHash?: Record<string, { state: string }>;
}

export class WebSocketSource implements AccountSource {
  readonly mode = 'websocket' as const;
  readonly connection: Connection;
  private readonly cfg: ScannerConfig;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;
  private sink: SourceSink | undefined;
  private socket: SocketClient | undefined;
  private readonly accountSubs = new Map<string, number>();
  private readonly otherSubs: { id: number; kind: 'program' | 'slot' }[] = [];
  private connected = false;
  private synced = false;
  private everOpened = false;
  private stopping = false;
  private attempt = 0;
  private reconnects = 0;
  private lastMessageAt: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly listeners: [string, (...args: any[]) => void][] = [];

  constructor(opts: SourceOptions) {
    this.cfg = opts.config;
    this.connection = opts.connection ?? new Connection(opts.config.rpcUrl, { commitment: opts.config.commitment, ...(opts.config.wsUrl ? { wsEndpoint: opts.config.wsUrl } : {}) });
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? logger().child({ component: 'scanner', mode: 'websocket' });
  }

  stats(): SourceStats {
    return { mode: this.mode, connected: this.connected && this.synced, reconnects: this.reconnects, watched: this.accountSubs.size, lastMessageAt: this.lastMessageAt };
  }

  private listen(event: string, fn: (...args: any[]) => void): void {
    this.socket!.on(event, fn);
    this.listeners.push([event, fn]);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    const internals = this.connection as unknown as ConnectionInternals;
    const socket = internals._rpcWebSocket;
    if (!socket || typeof socket.on !== 'function' || typeof socket.setReconnectInterval !== 'function' || typeof socket.setAutoReconnect !== 'function') {
      throw new SolrulesError('SCAN_UNSUPPORTED_CLIENT', 'this @solana/web3.js Connection has no rpc-websockets client at _rpcWebSocket; the WebSocket scanner needs web3.js 1.x (see docs/market-data.md)', { field: '_rpcWebSocket' });
    }
    this.socket = socket;
    socket.setReconnectInterval(this.cfg.reconnect.initialMs);
    // web3.js's own error handler prints every failed attempt to the console; ours logs and backs off.
    socket.removeAllListeners('error');
    this.listen('error', (err: { message?: string }) => {
      internals._rpcWebSocketConnected = false;
      if (this.stopping) return;
      if (!this.connected) this.failedAttempt(`connect failed: ${err?.message ?? err}`);
    });
    this.listen('open', () => void this.onOpen());
    this.listen('close', (code: number) => this.onClose(code));

    const commitment = this.cfg.commitment;
    this.otherSubs.push({ id: this.connection.onSlotChange((info) => this.onSlot(info.slot)), kind: 'slot' });
    for (const program of this.cfg.programs) {
      const id = this.connection.onProgramAccountChange(new PublicKey(program.programId), (keyed, ctx) => this.onProgram(program, keyed, ctx), { commitment, encoding: 'base64', filters: web3Filters(program.filters) });
      this.otherSubs.push({ id, kind: 'program' });
    }
    const period = Math.max(50, Math.min(1_000, Math.floor(this.cfg.reconnect.staleAfterMs / 4)));
    this.watchdog = setInterval(() => this.checkLiveness(), period);
    this.watchdog.unref?.();
    // Live once the first connection is open and subscribed (the caller then reads initial state).
    const deadline = this.now() + Math.max(5_000, this.cfg.reconnect.staleAfterMs);
    while (!this.synced && this.now() < deadline && !this.stopping) await new Promise((r) => setTimeout(r, 10));
    if (!this.synced) this.sink.error(new SolrulesError('SCAN_CONNECT_FAILED', `no WebSocket connection to ${this.cfg.wsUrl ?? this.cfg.rpcUrl} yet; retrying with backoff`, { url: this.cfg.wsUrl ?? this.cfg.rpcUrl }));
  }

  private failedAttempt(reason: string): void {
    this.attempt += 1;
    const delay = backoffMs(this.attempt, this.cfg.reconnect.initialMs, this.cfg.reconnect.maxMs, this.random);
    this.socket?.setReconnectInterval(delay);
    this.log.warn({ attempt: this.attempt, retryInMs: delay, reason }, 'WebSocket not connected; retrying');
  }

  private onClose(code: number): void {
    if (this.stopping) return;
    const wasLive = this.connected;
    this.connected = false;
    this.synced = false;
    if (wasLive) this.sink?.disconnected(`WebSocket closed (code ${code})`);
    this.failedAttempt(`closed with code ${code}`);
  }

  private async onOpen(): Promise<void> {
    if (this.stopping) return;
    const reconnect = this.everOpened;
    this.everOpened = true;
    this.connected = true;
    this.attempt = 0;
    this.socket?.setReconnectInterval(this.cfg.reconnect.initialMs);
    this.lastMessageAt = this.now();
    await this.subscriptionsActive();
    if (reconnect) {
      this.reconnects += 1;
      scannerMetrics.reconnect(this.mode);
      if (!(await this.resync())) return;
      this.log.info({ reconnects: this.reconnects, watched: this.accountSubs.size }, 'WebSocket reconnected, resubscribed and resynced');
    }
    if (!this.connected || this.stopping) return;
    this.synced = true;
    if (reconnect) this.sink?.reconnected();
  }

  /** Waits until web3.js reports every subscription as subscribed (at most 2 s). */
  private async subscriptionsActive(): Promise<void> {
    const internals = this.connection as unknown as ConnectionInternals;
    const deadline = this.now() + 2_000;
    while (this.now() < deadline && this.connected && !this.stopping) {
      const subs = internals._subscriptionsByHash;
      if (!subs) {
        await new Promise((r) => setTimeout(r, 250));
        return;
      }
      if (Object.values(subs).every((s) => s.state === 'subscribed')) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Re-reads every watched account and program after a reconnect: what changed while down is delivered now. */
  private async resync(): Promise<boolean> {
    for (let attempt = 1; this.connected && !this.stopping; attempt++) {
      try {
        const { updates } = await fetchAccounts(this.connection, [...this.accountSubs.keys()], { commitment: this.cfg.commitment, batchSize: this.cfg.polling.batchSize, via: 'resync', now: this.now });
        for (const program of this.cfg.programs) updates.push(...(await fetchProgramAccounts(this.connection, program, { commitment: this.cfg.commitment, via: 'resync', now: this.now })).updates);
        for (const u of updates) this.sink?.account(u);
        return true;
      } catch (err) {
        this.sink?.error(err instanceof SolrulesError ? err : new SolrulesError('SCAN_RPC_FAILED', String(err), rpcFailureContext(err)));
        await new Promise((r) => setTimeout(r, backoffMs(attempt, this.cfg.reconnect.initialMs, this.cfg.reconnect.maxMs, this.random)));
      }
    }
    return false;
  }

  private checkLiveness(): void {
    if (!this.connected || !this.synced || this.stopping || this.lastMessageAt === undefined) return;
    const silent = this.now() - this.lastMessageAt;
    if (silent > this.cfg.reconnect.staleAfterMs) {
      this.log.warn({ silentMs: silent }, 'no WebSocket message within staleAfterMs; forcing a reconnect');
      this.lastMessageAt = this.now();
      this.socket?.close(4000, 'stale');
    }
  }

  private onSlot(slot: number): void {
    const at = this.now();
    this.lastMessageAt = at;
    if (this.synced) this.sink?.slot(slot, at);
  }

  private onAccount(address: string, info: AccountInfo<Buffer> | null, ctx: Context): void {
    const at = this.now();
    this.lastMessageAt = at;
    this.sink?.account({ address, account: toSnapshot(address, info, ctx.slot), slot: ctx.slot, receivedAt: at, via: 'account' });
  }

  private onProgram(program: ProgramWatch, keyed: KeyedAccountInfo, ctx: Context): void {
    const at = this.now();
    this.lastMessageAt = at;
    const address = keyed.accountId.toBase58();
    this.sink?.account({ address, account: toSnapshot(address, keyed.accountInfo, ctx.slot), slot: ctx.slot, receivedAt: at, via: 'program', programId: program.programId });
  }

  async watch(addresses: readonly string[]): Promise<void> {
    // Stopped: a subscription made now would make web3.js retry it on the closed socket forever.
    if (this.stopping) return;
    const wanted = new Set(addresses);
    for (const [address, id] of this.accountSubs) {
      if (wanted.has(address)) continue;
      this.accountSubs.delete(address);
      await this.connection.removeAccountChangeListener(id).catch(() => undefined);
    }
    let added = false;
    for (const address of wanted) {
      if (this.accountSubs.has(address)) continue;
      const id = this.connection.onAccountChange(new PublicKey(address), (info, ctx) => this.onAccount(address, info, ctx), { commitment: this.cfg.commitment, encoding: 'base64' });
      this.accountSubs.set(address, id);
      added = true;
    }
    scannerMetrics.subscriptions(this.mode, this.accountSubs.size + this.otherSubs.length);
    if (added && this.connected) await this.subscriptionsActive();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watchdog) clearInterval(this.watchdog);
    const socket = this.socket;
    socket?.setAutoReconnect(false);
    for (const id of this.accountSubs.values()) await this.connection.removeAccountChangeListener(id).catch(() => undefined);
    for (const s of this.otherSubs) {
      await (s.kind === 'slot' ? this.connection.removeSlotChangeListener(s.id) : this.connection.removeProgramAccountChangeListener(s.id)).catch(() => undefined);
    }
    this.accountSubs.clear();
    this.otherSubs.length = 0;
    if (socket) {
      for (const [event, fn] of this.listeners) socket.off(event, fn);
      // web3.js would close the idle socket after 500 ms; close it now so nothing reconnects.
      socket.on('error', () => undefined);
      socket.close(1000);
    }
    this.connected = false;
    this.synced = false;
    scannerMetrics.subscriptions(this.mode, 0);
  }
}

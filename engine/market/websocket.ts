/**
 * WebSocket source: accountSubscribe per watched account, programSubscribe (with filters) per
 * configured program and slotSubscribe as the liveness signal, as raw JSON-RPC over one `ws`
 * socket. HTTP (the resync after a reconnect) goes through web3.js `Connection`.
 *
 * Why not web3.js's own subscriptions: every `onAccountChange` there re-walks all the
 * subscriptions it holds (adding n accounts costs O(n²): seconds for a few thousand), each
 * notification is validated by superstruct and converted twice before it reaches us, and its
 * reconnect runs at a fixed 1 s with a console.error per failed attempt and no notice. Here:
 * subscribe requests are sent back to back without waiting for each other's answers (O(n)), a
 * notification is parsed once and only its account data is base64-decoded, and the socket is
 * ours: reconnects back off exponentially with jitter, are logged through our logger and reported
 * to the sink, a socket silent for `staleAfterMs` (half-open TCP) is dropped and reopened, and
 * after every reconnect all subscriptions are made again and every watched account (and
 * program) is read over HTTP, so no update made while down is lost.
 */
import { Connection, PublicKey } from '@solana/web3.js';
import { WebSocket, type RawData } from 'ws';
import type { AccountSnapshot } from '../accounts/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import type { ProgramWatch, ScannerConfig } from './config.ts';
import { scannerMetrics } from './metrics.ts';
import { fetchAccounts, fetchProgramAccounts, rpcFailureContext, SYSTEM_PROGRAM_ID } from './rpc.ts';
import { backoffMs, type AccountSource, type SourceOptions, type SourceSink, type SourceStats } from './source.ts';

/** What a server subscription delivers to. */
type Target = { kind: 'account'; address: string } | { kind: 'program'; program: ProgramWatch } | { kind: 'slot' };

/** An account as a notification carries it (`encoding: base64`). */
interface WireAccount {
  data: [string, string] | string;
  owner: string;
  lamports: number;
  executable: boolean;
  rentEpoch?: number;
}

/** How long a (re)subscription waits for the server's answers before the source goes on (as web3.js did). */
const SUBSCRIBE_WAIT_MS = 2_000;

/** The WebSocket endpoint web3.js derives from an HTTP one: same host, ws(s), port + 1 when a port is given. */
export function websocketUrlFor(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString();
}

/** The snapshot of a notified account (null: the account no longer exists). */
function snapshotOf(address: string, value: WireAccount | null, slot: number): AccountSnapshot {
  if (!value) return { address, owner: SYSTEM_PROGRAM_ID, data: new Uint8Array(0), lamports: 0n, executable: false, rentEpoch: null, slot };
  const b64 = typeof value.data === 'string' ? value.data : value.data[0];
  const buf = Buffer.from(b64, 'base64');
  return {
    address,
    owner: value.owner,
    data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
    lamports: BigInt(value.lamports),
    executable: value.executable,
    // JSON reads rentEpoch as a JS number: u64::MAX does not survive, so keep only exact values.
    rentEpoch: value.rentEpoch !== undefined && Number.isSafeInteger(value.rentEpoch) ? BigInt(value.rentEpoch) : null,
    slot,
  };
}

export class WebSocketSource implements AccountSource {
  readonly mode = 'websocket' as const;
  /** HTTP: the resync after a reconnect. */
  readonly connection: Connection;
  /** The PubSub endpoint: the config's `wsUrl`, else derived from `rpcUrl` as web3.js does. */
  readonly url: string;
  private readonly cfg: ScannerConfig;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;
  private sink: SourceSink | undefined;
  private socket: WebSocket | undefined;
  /** The accounts watched individually. */
  private readonly watched = new Set<string>();
  /** On the current socket: each watched account's server subscription id (undefined while requested). */
  private readonly accountSubs = new Map<string, number | undefined>();
  /** On the current socket: server subscription id → what its notifications are. */
  private readonly targets = new Map<number, Target>();
  /** On the current socket: request id → the subscription it asks for, and who waits for the answer. */
  private readonly requests = new Map<number, { target: Target; done: () => void }>();
  private nextRequestId = 1;
  private connected = false;
  private synced = false;
  private everOpened = false;
  private stopping = false;
  private attempt = 0;
  private reconnects = 0;
  private lastError: string | undefined;
  private lastMessageAt: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(opts: SourceOptions) {
    this.cfg = opts.config;
    this.connection = opts.connection ?? new Connection(opts.config.rpcUrl, { commitment: opts.config.commitment });
    this.url = opts.config.wsUrl ?? websocketUrlFor(opts.config.rpcUrl);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? logger().child({ component: 'scanner', mode: 'websocket' });
  }

  stats(): SourceStats {
    return { mode: this.mode, connected: this.connected && this.synced, reconnects: this.reconnects, watched: this.watched.size, lastMessageAt: this.lastMessageAt };
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.connect();
    const period = Math.max(50, Math.min(1_000, Math.floor(this.cfg.reconnect.staleAfterMs / 4)));
    this.watchdog = setInterval(() => this.checkLiveness(), period);
    this.watchdog.unref?.();
    // Live once the first connection is open and subscribed (the caller then reads initial state).
    const deadline = this.now() + Math.max(5_000, this.cfg.reconnect.staleAfterMs);
    while (!this.synced && this.now() < deadline && !this.stopping) await new Promise((r) => setTimeout(r, 10));
    if (!this.synced) this.sink.error(new SolrulesError('SCAN_CONNECT_FAILED', `no WebSocket connection to ${this.url} yet; retrying with backoff`, { url: this.url }));
  }

  private connect(): void {
    if (this.stopping) return;
    this.lastError = undefined;
    const socket = new WebSocket(this.url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    this.socket = socket;
    socket.on('open', () => void this.onOpen(socket));
    socket.on('message', (raw: RawData) => this.onMessage(raw));
    socket.on('error', (err: Error) => void (this.lastError = err.message));
    socket.on('close', (code: number) => this.onClose(socket, code));
  }

  private failedAttempt(reason: string): void {
    this.attempt += 1;
    const delay = backoffMs(this.attempt, this.cfg.reconnect.initialMs, this.cfg.reconnect.maxMs, this.random);
    this.log.warn({ attempt: this.attempt, retryInMs: delay, reason }, 'WebSocket not connected; retrying');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private onClose(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.forgetSubscriptions();
    if (this.stopping) return;
    const wasOpen = this.connected;
    const wasLive = this.connected && this.synced;
    this.connected = false;
    this.synced = false;
    if (wasLive) this.sink?.disconnected(`WebSocket closed (code ${code})`);
    this.failedAttempt(wasOpen ? `closed with code ${code}` : `connect failed: ${this.lastError ?? `closed with code ${code}`}`);
  }

  /** A new socket starts with no subscriptions: what waited for an answer on the old one is released. */
  private forgetSubscriptions(): void {
    for (const r of this.requests.values()) r.done();
    this.requests.clear();
    this.targets.clear();
    this.accountSubs.clear();
  }

  private async onOpen(socket: WebSocket): Promise<void> {
    if (this.stopping || socket !== this.socket) return;
    const reconnect = this.everOpened;
    this.everOpened = true;
    this.connected = true;
    this.attempt = 0;
    this.lastMessageAt = this.now();
    const answers: Promise<void>[] = [this.subscribe({ kind: 'slot' })];
    for (const program of this.cfg.programs) answers.push(this.subscribe({ kind: 'program', program }));
    for (const address of this.watched) answers.push(this.subscribe({ kind: 'account', address }));
    this.countSubscriptions();
    await this.answered(answers);
    if (socket !== this.socket || !this.connected || this.stopping) return;
    if (reconnect) {
      this.reconnects += 1;
      scannerMetrics.reconnect(this.mode);
      if (!(await this.resync(socket))) return;
      this.log.info({ reconnects: this.reconnects, watched: this.watched.size }, 'WebSocket reconnected, resubscribed and resynced');
    }
    if (socket !== this.socket || !this.connected || this.stopping) return;
    this.synced = true;
    if (reconnect) this.sink?.reconnected();
  }

  /** Sends one subscribe request on the current socket; resolves when the server answers it (or the socket is gone). */
  private subscribe(target: Target): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve();
    const id = this.nextRequestId++;
    const commitment = this.cfg.commitment;
    let body: string;
    if (target.kind === 'slot') body = `{"jsonrpc":"2.0","id":${id},"method":"slotSubscribe","params":[]}`;
    else if (target.kind === 'account') {
      this.accountSubs.set(target.address, undefined);
      body = JSON.stringify({ jsonrpc: '2.0', id, method: 'accountSubscribe', params: [target.address, { commitment, encoding: 'base64' }] });
    } else {
      const filters = target.program.filters.map((f) => ('dataSize' in f ? { dataSize: f.dataSize } : { memcmp: { offset: f.memcmp.offset, bytes: f.memcmp.bytes } }));
      body = JSON.stringify({ jsonrpc: '2.0', id, method: 'programSubscribe', params: [target.program.programId, { commitment, encoding: 'base64', filters }] });
    }
    return new Promise<void>((resolve) => {
      this.requests.set(id, { target, done: resolve });
      socket.send(body);
    });
  }

  /** Waits for the answers, at most SUBSCRIBE_WAIT_MS. */
  private async answered(answers: Promise<void>[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(answers), new Promise((r) => (timer = setTimeout(r, SUBSCRIBE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private onMessage(raw: RawData): void {
    this.lastMessageAt = this.now();
    let msg: { id?: number; result?: unknown; error?: { code?: number; message?: string }; method?: string; params?: { subscription: number; result: any } };
    try {
      msg = JSON.parse(raw.toString());
    } catch {
      this.sink?.error(new SolrulesError('SCAN_RPC_FAILED', 'the WebSocket sent a message that is not JSON', { url: this.url }));
      return;
    }
    if (msg.params !== undefined) return this.onNotification(msg.method, msg.params);
    if (typeof msg.id !== 'number') return;
    const request = this.requests.get(msg.id);
    if (!request) return; // an unsubscribe's answer
    this.requests.delete(msg.id);
    const { target } = request;
    if (msg.error || typeof msg.result !== 'number') {
      const what = target.kind === 'account' ? target.address : target.kind === 'program' ? target.program.programId : 'slots';
      this.sink?.error(new SolrulesError('SCAN_RPC_FAILED', `subscribing to ${what} failed: ${msg.error?.message ?? JSON.stringify(msg.result)}`, { url: this.url, subscription: what, ...rpcFailureContext(msg.error?.message) }));
      if (target.kind === 'account') this.accountSubs.delete(target.address);
    } else if (target.kind === 'account' && !this.watched.has(target.address)) {
      this.unsubscribe(msg.result); // dropped from the watch list while its subscription was on its way
    } else {
      this.targets.set(msg.result, target);
      if (target.kind === 'account') this.accountSubs.set(target.address, msg.result);
    }
    request.done();
  }

  private onNotification(method: string | undefined, params: { subscription: number; result: any }): void {
    const target = this.targets.get(params.subscription);
    if (!target) return;
    const at = this.lastMessageAt!;
    const result = params.result;
    if (method === 'slotNotification') {
      if (this.synced) this.sink?.slot(result.slot, at);
    } else if (method === 'accountNotification' && target.kind === 'account') {
      const slot: number = result.context.slot;
      this.sink?.account({ address: target.address, account: snapshotOf(target.address, result.value, slot), slot, receivedAt: at, via: 'account' });
    } else if (method === 'programNotification' && target.kind === 'program') {
      const slot: number = result.context.slot;
      const address: string = result.value.pubkey;
      this.sink?.account({ address, account: snapshotOf(address, result.value.account, slot), slot, receivedAt: at, via: 'program', programId: target.program.programId });
    }
  }

  private unsubscribe(subscription: number): void {
    this.targets.delete(subscription);
    const socket = this.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(`{"jsonrpc":"2.0","id":${this.nextRequestId++},"method":"accountUnsubscribe","params":[${subscription}]}`);
  }

  /** Re-reads every watched account and program after a reconnect: what changed while down is delivered now. */
  private async resync(socket: WebSocket): Promise<boolean> {
    for (let attempt = 1; socket === this.socket && this.connected && !this.stopping; attempt++) {
      try {
        const { updates } = await fetchAccounts(this.connection, [...this.watched], { commitment: this.cfg.commitment, batchSize: this.cfg.polling.batchSize, via: 'resync', now: this.now });
        for (const program of this.cfg.programs) updates.push(...(await fetchProgramAccounts(this.connection, program, { commitment: this.cfg.commitment, via: 'resync', now: this.now })).updates);
        for (const u of updates) this.sink?.account(u);
        // The resynced state is whole: a scanner batching by slot publishes it now rather than at the next slot.
        this.sink?.synced?.();
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
      // terminate, not close: a half-open connection never answers a closing handshake.
      this.socket?.terminate();
    }
  }

  private countSubscriptions(): void {
    scannerMetrics.subscriptions(this.mode, this.watched.size + 1 + this.cfg.programs.length);
  }

  async watch(addresses: readonly string[]): Promise<void> {
    if (this.stopping) return;
    const wanted = new Set(addresses);
    for (const address of this.watched) {
      if (wanted.has(address)) continue;
      this.watched.delete(address);
      const id = this.accountSubs.get(address);
      this.accountSubs.delete(address);
      if (id !== undefined) this.unsubscribe(id);
    }
    const answers: Promise<void>[] = [];
    for (const address of wanted) {
      if (this.watched.has(address)) continue;
      new PublicKey(address); // a malformed address fails here, at the caller, not as a server error later
      this.watched.add(address);
      if (this.connected) answers.push(this.subscribe({ kind: 'account', address }));
    }
    this.countSubscriptions();
    if (answers.length) await this.answered(answers);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.forgetSubscriptions();
    if (socket) {
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      else socket.terminate();
    }
    this.watched.clear();
    this.connected = false;
    this.synced = false;
    scannerMetrics.subscriptions(this.mode, 0);
  }
}

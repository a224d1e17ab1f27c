/**
 * Solana WebSocket PubSub: account, program, slot, root, signature and logs subscriptions with
 * agave's notification shapes, so `connection.onAccountChange` and friends work unmodified.
 *
 * Account, program and logs notifications go out when a change is applied (the sandbox has one
 * leader and no forks, so processed state never rolls back); signature notifications wait for
 * the requested commitment under the configured commitment lag.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccountChange, Commitment, SandboxChain, TxRecord } from './chain.ts';
import { accountEncodeOptions, compileFilters, encodeAccount, EMPTY_ACCOUNT, type AccountEncodeOptions } from './encode.ts';
import type { Faults } from './faults.ts';
import type { WireTap } from './types.ts';
import { addressParam, RpcErrorReply, RPC_CODES, stringifyRpc } from './json.ts';

type Sub =
  | { kind: 'account'; address: string; opts: AccountEncodeOptions }
  | { kind: 'program'; program: string; opts: AccountEncodeOptions; keep: (d: Uint8Array) => boolean }
  | { kind: 'slot' }
  | { kind: 'root' }
  | { kind: 'signature'; signature: string; commitment: Commitment }
  | { kind: 'logs'; mentions: string | undefined };

const NOTIFICATION: Record<Sub['kind'], string> = {
  account: 'accountNotification',
  program: 'programNotification',
  slot: 'slotNotification',
  root: 'rootNotification',
  signature: 'signatureNotification',
  logs: 'logsNotification',
};

const UNSUBSCRIBE: Record<string, Sub['kind']> = {
  accountUnsubscribe: 'account',
  programUnsubscribe: 'program',
  slotUnsubscribe: 'slot',
  rootUnsubscribe: 'root',
  signatureUnsubscribe: 'signature',
  logsUnsubscribe: 'logs',
};

const RANK: Record<Commitment, number> = { processed: 0, confirmed: 1, finalized: 2 };

function commitmentParam(value: unknown): Commitment {
  if (value === 'processed' || value === 'recent') return 'processed';
  if (value === 'confirmed' || value === 'single' || value === 'singleGossip') return 'confirmed';
  return 'finalized';
}

interface Client {
  socket: WebSocket;
  subs: Map<number, Sub>;
}

export class PubSubServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly chain: SandboxChain,
    private readonly faults: Faults,
    private readonly tap?: WireTap,
  ) {
    // A failing notification must never fail the transaction or write that caused it.
    const guard = <A>(fn: (a: A) => void) => (a: A) => {
      try {
        fn(a);
      } catch (err) {
        process.emitWarning(`sandbox PubSub notification failed: ${(err as Error).message}`);
      }
    };
    const onAccounts = guard((changes: AccountChange[]) => this.onAccounts(changes));
    const onSlot = guard((info: { slot: number; parent: number; root: number }) => this.onSlot(info));
    const onTx = guard((record: TxRecord) => this.onTransaction(record));
    const onClose = () => this.dropAll();
    const onChange = () => {
      if (this.faults.websocketsDown) this.dropAll();
    };
    chain.on('accounts', onAccounts);
    chain.on('slot', onSlot);
    chain.on('transaction', onTx);
    faults.on('closeWebSockets', onClose);
    faults.on('change', onChange);
    this.detach.push(
      () => chain.off('accounts', onAccounts),
      () => chain.off('slot', onSlot),
      () => chain.off('transaction', onTx),
      () => faults.off('closeWebSockets', onClose),
      () => faults.off('change', onChange),
    );
  }

  /** Serves WebSocket upgrades arriving on `server`. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.faults.websocketsDown) {
        this.faults.counters.refusedWebSockets += 1;
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const c of this.clients) n += c.subs.size;
    return n;
  }

  private onConnection(socket: WebSocket): void {
    const client: Client = { socket, subs: new Map() };
    this.clients.add(client);
    socket.on('message', (raw) => void this.onMessage(client, raw.toString()));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
  }

  private dropAll(): void {
    for (const c of this.clients) {
      this.faults.counters.closedWebSockets += 1;
      c.socket.terminate();
    }
    this.clients.clear();
  }

  private reply(client: Client, body: unknown): void {
    const text = stringifyRpc(body);
    const delay = this.faults.notificationDelayMs;
    const write = () => {
      if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
    };
    if (delay > 0) setTimeout(write, delay);
    else write();
  }

  private async onMessage(client: Client, text: string): Promise<void> {
    let req: { id?: unknown; method?: unknown; params?: unknown };
    try {
      req = JSON.parse(text);
    } catch {
      this.reply(client, { jsonrpc: '2.0', error: { code: RPC_CODES.parseError, message: 'Parse error' }, id: null });
      return;
    }
    const id = req?.id ?? null;
    try {
      const result = this.handle(client, String(req.method), Array.isArray(req.params) ? req.params : []);
      this.reply(client, { jsonrpc: '2.0', result, id });
      if (typeof result === 'number') this.afterSubscribe(client, result);
    } catch (err) {
      const e = err instanceof RpcErrorReply ? err.toObject() : { code: RPC_CODES.invalidParams, message: (err as Error).message };
      this.reply(client, { jsonrpc: '2.0', error: e, id });
    }
  }

  private handle(client: Client, method: string, params: unknown[]): number | boolean {
    if (method in UNSUBSCRIBE) {
      const subId = params[0];
      const sub = typeof subId === 'number' ? client.subs.get(subId) : undefined;
      if (!sub || sub.kind !== UNSUBSCRIBE[method]) throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid subscription id.');
      client.subs.delete(subId as number);
      return true;
    }
    const cfg = (params[1] && typeof params[1] === 'object' ? params[1] : {}) as Record<string, unknown>;
    const accountOpts = () => accountEncodeOptions(cfg, false);
    let sub: Sub;
    switch (method) {
      case 'accountSubscribe':
        sub = { kind: 'account', address: addressParam(params[0]), opts: accountOpts() };
        break;
      case 'programSubscribe':
        sub = { kind: 'program', program: addressParam(params[0]), opts: accountOpts(), keep: compileFilters(cfg.filters) };
        break;
      case 'slotSubscribe':
        sub = { kind: 'slot' };
        break;
      case 'rootSubscribe':
        sub = { kind: 'root' };
        break;
      case 'signatureSubscribe':
        if (typeof params[0] !== 'string') throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid params: signature must be a base58 string');
        sub = { kind: 'signature', signature: params[0], commitment: commitmentParam(cfg.commitment) };
        break;
      case 'logsSubscribe': {
        const filter = params[0];
        if (filter === 'all' || filter === 'allWithVotes') sub = { kind: 'logs', mentions: undefined };
        else if (filter && typeof filter === 'object' && Array.isArray((filter as { mentions?: unknown }).mentions) && (filter as { mentions: unknown[] }).mentions.length === 1) {
          sub = { kind: 'logs', mentions: addressParam((filter as { mentions: unknown[] }).mentions[0]) };
        } else throw new RpcErrorReply(RPC_CODES.invalidParams, 'Invalid params: logs filter must be "all", "allWithVotes" or {mentions: [one address]}');
        break;
      }
      default:
        throw new RpcErrorReply(RPC_CODES.methodNotFound, 'Method not found');
    }
    const id = this.nextId++;
    client.subs.set(id, sub);
    return id;
  }

  /** A signature already at the requested commitment is answered at once, like agave does. */
  private afterSubscribe(client: Client, id: number): void {
    const sub = client.subs.get(id);
    if (sub?.kind === 'signature') this.checkSignature(client, id, sub);
  }

  private notify(client: Client, id: number, kind: Sub['kind'], result: unknown): void {
    this.reply(client, { jsonrpc: '2.0', method: NOTIFICATION[kind], params: { result, subscription: id } });
  }

  private onAccounts(changes: AccountChange[]): void {
    for (const client of this.clients) {
      for (const [id, sub] of client.subs) {
        for (const change of changes) {
          if (sub.kind === 'account' && sub.address === change.address) {
            const value = encodeAccount(this.chain, change.account ?? EMPTY_ACCOUNT, sub.opts);
            this.tap?.notified?.({ address: change.address, slot: change.slot, at: performance.now() });
            this.notify(client, id, 'account', { context: { slot: change.slot }, value });
            this.tap?.written?.({ address: change.address, slot: change.slot, at: performance.now(), bufferedBytes: client.socket.bufferedAmount });
          } else if (sub.kind === 'program' && change.account && change.account.owner === sub.program && sub.keep(change.account.data)) {
            const value = { pubkey: change.address, account: encodeAccount(this.chain, change.account, sub.opts) };
            this.notify(client, id, 'program', { context: { slot: change.slot }, value });
          }
        }
      }
    }
  }

  private onSlot(info: { slot: number; parent: number; root: number }): void {
    for (const client of this.clients) {
      for (const [id, sub] of client.subs) {
        if (sub.kind === 'slot') this.notify(client, id, 'slot', info);
        else if (sub.kind === 'root') this.notify(client, id, 'root', info.root);
        else if (sub.kind === 'signature') this.checkSignature(client, id, sub);
      }
    }
  }

  private onTransaction(record: TxRecord): void {
    for (const client of this.clients) {
      for (const [id, sub] of client.subs) {
        if (sub.kind === 'logs' && (sub.mentions === undefined || record.accountKeys.includes(sub.mentions))) {
          this.notify(client, id, 'logs', { context: { slot: record.slot }, value: { signature: record.signature, err: record.err, logs: record.logs } });
        } else if (sub.kind === 'signature' && sub.signature === record.signature) {
          this.checkSignature(client, id, sub);
        }
      }
    }
  }

  private checkSignature(client: Client, id: number, sub: Extract<Sub, { kind: 'signature' }>): void {
    const record = this.chain.getTransaction(sub.signature);
    if (!record) return;
    const reached = this.chain.commitmentOf(record.slot).status;
    if (RANK[reached] < RANK[sub.commitment]) return;
    client.subs.delete(id); // signature subscriptions end with their notification
    this.notify(client, id, 'signature', { context: { slot: record.slot }, value: { err: record.err } });
  }

  close(): void {
    for (const d of this.detach) d();
    this.dropAll();
    this.wss.close();
  }
}

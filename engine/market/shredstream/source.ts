/**
 * Shredstream source: entries from a Jito shredstream proxy show which transactions touch the
 * watched accounts a slot before RPC state does. A transaction's accounts are its static keys
 * plus its address-table lookups (tables read once over RPC and cached). Touched accounts are
 * re-read over RPC `refreshDelayMs` later (shreds run ahead of the bank), and the polling this
 * class inherits keeps running as the safety net that also vouches for freshness: shreds carry
 * transactions, not account state, so state always comes from RPC.
 */
import { PublicKey } from '@solana/web3.js';
import { isSolrulesError, SolrulesError } from '../../errors/index.ts';
import { scannerMetrics } from '../metrics.ts';
import { PollingSource } from '../polling.ts';
import { fetchAccounts } from '../rpc.ts';
import { backoffMs, type SourceOptions, type SourceSink, type SourceStats } from '../source.ts';
import { shredstreamProxyClient, type ShredstreamEntryMessage } from './client.ts';
import { decodeEntries, type ShredTransaction } from './entries.ts';

export class ShredstreamSource extends PollingSource {
  override readonly mode = 'shredstream' as const;
  private client: ReturnType<typeof shredstreamProxyClient> | undefined;
  private stream: ReturnType<ReturnType<typeof shredstreamProxyClient>['SubscribeEntries']> | undefined;
  private readonly tables = new Map<string, string[]>();
  private watchedSet = new Set<string>();
  private streamAttempt = 0;
  private streamReconnects = 0;
  private streamLive = false;
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly refreshTimers = new Set<NodeJS.Timeout>();
  /** Entries messages and transactions read, and refreshes triggered (stats and tests). */
  readonly shredStats = { messages: 0, transactions: 0, touched: 0, refreshes: 0, decodeErrors: 0 };

  constructor(opts: SourceOptions) {
    super(opts);
    if (!opts.config.shredstream.url) throw new SolrulesError('SCAN_CONFIG_INVALID', "scanner config 'shredstream.url' is required in shredstream mode", { field: 'shredstream.url' });
  }

  override stats(): SourceStats {
    const s = super.stats();
    return { ...s, reconnects: s.reconnects + this.streamReconnects, connected: s.connected && this.streamLive };
  }

  override async start(sink: SourceSink): Promise<void> {
    await super.start(sink);
    this.stopping = false;
    this.client = shredstreamProxyClient(this.cfg.shredstream.url!);
    this.subscribe();
  }

  override async watch(addresses: readonly string[]): Promise<void> {
    await super.watch(addresses);
    this.watchedSet = new Set(addresses);
  }

  private subscribe(): void {
    if (this.stopping || !this.client) return;
    const stream = this.client.SubscribeEntries({});
    this.stream = stream;
    let got = false;
    stream.on('data', (msg: ShredstreamEntryMessage) => {
      if (!got) {
        got = true;
        if (this.streamAttempt > 0) {
          this.streamReconnects += 1;
          scannerMetrics.reconnect(this.mode);
        }
        this.streamAttempt = 0;
        this.streamLive = true;
      }
      void this.onEntries(msg);
    });
    const retry = (why: string) => {
      if (this.stream !== stream || this.stopping) return;
      this.stream = undefined;
      this.streamLive = false;
      this.streamAttempt += 1;
      const delay = backoffMs(this.streamAttempt, this.cfg.reconnect.initialMs, this.cfg.reconnect.maxMs, this.random);
      this.log.warn({ attempt: this.streamAttempt, retryInMs: delay, reason: why }, 'shredstream disconnected; polling continues, reconnecting');
      this.reconnectTimer = setTimeout(() => this.subscribe(), delay);
    };
    stream.on('error', (err: Error) => retry(err.message));
    stream.on('end', () => retry('stream ended'));
  }

  private async resolve(tx: ShredTransaction): Promise<string[]> {
    const keys = [...tx.accountKeys];
    for (const l of tx.lookups) {
      let table = this.tables.get(l.table);
      const needed = Math.max(-1, ...l.writableIndexes, ...l.readonlyIndexes);
      if (!table || needed >= table.length) {
        try {
          const res = await this.connection.getAddressLookupTable(new PublicKey(l.table));
          table = res.value ? res.value.state.addresses.map((a) => a.toBase58()) : [];
        } catch {
          table = [];
        }
        if (this.tables.size > 10_000) this.tables.delete(this.tables.keys().next().value!);
        this.tables.set(l.table, table);
      }
      for (const i of [...l.writableIndexes, ...l.readonlyIndexes]) if (table[i]) keys.push(table[i]!);
    }
    return keys;
  }

  private async onEntries(msg: ShredstreamEntryMessage): Promise<void> {
    this.shredStats.messages += 1;
    let entries;
    try {
      entries = decodeEntries(new Uint8Array(msg.entries.buffer, msg.entries.byteOffset, msg.entries.byteLength));
    } catch (err) {
      this.shredStats.decodeErrors += 1;
      if (isSolrulesError(err)) this.sink?.error(err);
      return;
    }
    const touched = new Set<string>();
    for (const e of entries) {
      for (const tx of e.transactions) {
        this.shredStats.transactions += 1;
        for (const key of await this.resolve(tx)) if (this.watchedSet.has(key)) touched.add(key);
      }
    }
    if (!touched.size) return;
    this.shredStats.touched += touched.size;
    const t = setTimeout(() => {
      this.refreshTimers.delete(t);
      void this.refresh([...touched]);
    }, this.cfg.shredstream.refreshDelayMs);
    this.refreshTimers.add(t);
  }

  private async refresh(addresses: string[]): Promise<void> {
    if (this.stopping) return;
    try {
      const { updates } = await fetchAccounts(this.connection, addresses, { commitment: 'processed', batchSize: this.cfg.polling.batchSize, via: 'shred', now: this.now });
      this.shredStats.refreshes += 1;
      for (const u of updates) this.sink?.account(u);
    } catch (err) {
      if (isSolrulesError(err)) this.sink?.error(err);
    }
  }

  override async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const t of this.refreshTimers) clearTimeout(t);
    this.stream?.cancel();
    this.stream = undefined;
    this.client?.close();
    await super.stop();
  }
}

/**
 * Account sources: how updates reach the scanner (WebSocket subscriptions, batched polling, or
 * shredstream-triggered refreshes). A source delivers raw account updates and slot ticks; the
 * scanner filters, dedups, decodes and publishes.
 */
import type { Connection } from '@solana/web3.js';
import type { AccountSnapshot } from '../accounts/index.ts';
import type { SolrulesError } from '../errors/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { ScannerConfig, SubscriptionMode } from './config.ts';

export interface AccountUpdate {
  address: string;
  /** The account as of `slot`; a missing account is owned by the System program with no data. */
  account: AccountSnapshot;
  /** Slot of the notification / response context. */
  slot: number;
  /** Local time the update arrived (ms since the epoch). */
  receivedAt: number;
  /**
   * The chain's time of `slot` (its block time, ms since the epoch), when known: a scanner with
   * `chainTime` resolves it and forwards it with the account, so every process times its facts alike.
   */
  blockTimeMs?: number;
  /** How it arrived: a subscription, a program subscription, a poll, a resync after a reconnect, a shred-triggered fetch. */
  via: 'account' | 'program' | 'poll' | 'resync' | 'shred' | 'initial';
  /** Program subscription it matched (for `via: 'program'`). */
  programId?: string;
}

export interface SourceSink {
  account(update: AccountUpdate): void;
  /** The chain reached `slot` and the source is live (every watched account is current as of it). */
  slot(slot: number, receivedAt: number): void;
  /**
   * A snapshot batch ended (a scanner republished its share: a planner joined, or a share moved):
   * the updates since the last publication are published now, not with the next slot.
   */
  synced?(): void;
  /** The source lost its connection: watched accounts are current only as of the last live slot. */
  disconnected(reason: string): void;
  /** The source is live again (after resubscribing and resyncing). */
  reconnected(): void;
  error(err: SolrulesError): void;
}

/** How updates reach the scanner: a subscription mode of the config, or the bus (a planner fed by scanner processes). */
export type SourceMode = SubscriptionMode | 'bus';

export interface SourceStats {
  mode: SourceMode;
  connected: boolean;
  reconnects: number;
  /** Accounts watched individually. */
  watched: number;
  lastMessageAt: number | undefined;
}

export interface AccountSource {
  readonly mode: SourceMode;
  start(sink: SourceSink): Promise<void>;
  /** Sets the accounts watched individually (pools, their vaults / tick arrays, oracles). */
  watch(addresses: readonly string[]): Promise<void>;
  stop(): Promise<void>;
  stats(): SourceStats;
}

/** What every source is built from. */
export interface SourceOptions {
  config: ScannerConfig;
  /** Default: a Connection on config.rpcUrl (and wsUrl). */
  connection?: Connection;
  now?: () => number;
  /** Jitter of the reconnect backoff. */
  random?: () => number;
  log?: Logger;
  /**
   * The account the scanner holds for an address (its market state). A polling source hands back
   * the held bytes when the chain's are the same, and does not deliver an account again whose
   * bytes, owner and lamports are unchanged: the poll's slot vouches for it.
   */
  known?: (address: string) => AccountSnapshot | undefined;
}

/** Reconnect / retry delay of the `attempt`-th failure in a row: doubling from `initialMs` up to `maxMs`, with 50–100 % jitter. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(base * (0.5 + random() / 2)));
}

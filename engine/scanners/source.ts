/**
 * Account sources: how updates reach the scanner (WebSocket subscriptions, batched polling, or
 * shredstream-triggered refreshes). A source delivers raw account updates and slot ticks; the
 * scanner filters, dedups, decodes and publishes.
 */
import type { AccountSnapshot } from '../accounts/index.ts';
import type { SolrulesError } from '../errors/index.ts';
import type { SubscriptionMode } from './config.ts';

export interface AccountUpdate {
  address: string;
  /** The account as of `slot`; a missing account is owned by the System program with no data. */
  account: AccountSnapshot;
  /** Slot of the notification / response context. */
  slot: number;
  /** Local time the update arrived (ms since the epoch). */
  receivedAt: number;
  /** How it arrived: a subscription, a program subscription, a poll, a resync after a reconnect, a shred-triggered fetch. */
  via: 'account' | 'program' | 'poll' | 'resync' | 'shred' | 'initial';
  /** Program subscription it matched (for `via: 'program'`). */
  programId?: string;
}

export interface SourceSink {
  account(update: AccountUpdate): void;
  /** The chain reached `slot` and the source is live (every watched account is current as of it). */
  slot(slot: number, receivedAt: number): void;
  /** The source lost its connection: watched accounts are current only as of the last live slot. */
  disconnected(reason: string): void;
  /** The source is live again (after resubscribing and resyncing). */
  reconnected(): void;
  error(err: SolrulesError): void;
}

export interface SourceStats {
  mode: SubscriptionMode;
  connected: boolean;
  reconnects: number;
  /** Accounts watched individually. */
  watched: number;
  lastMessageAt: number | undefined;
}

export interface AccountSource {
  readonly mode: SubscriptionMode;
  start(sink: SourceSink): Promise<void>;
  /** Sets the accounts watched individually (pools, their vaults / tick arrays, oracles). */
  watch(addresses: readonly string[]): Promise<void>;
  stop(): Promise<void>;
  stats(): SourceStats;
}

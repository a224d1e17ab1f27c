/**
 * Every bus subject solrules uses, with the payload each carries. Publishers and subscribers
 * name subjects through `SUBJECTS` (never a string literal), so the table below is the whole
 * traffic of the engine. Which subjects JetStream stores is the bus adapter's business
 * (engine/infra/bus/nats/streams.ts), checked against this table by test/messages.
 *
 *   market.prices.<mint>                 PriceEvent (a superset from the chain scanner)
 *   market.events.<venue>.pool|trade     scanner facts (JSON, atoms as strings)
 *   market.events.pyth.price             oracle price
 *   market.volume.<mint>                 volume fact
 *   trade.opportunities.<strategy>       OrderJson: a decided order
 *   execution.orders                     RoutedOrderJson: a routed order, to the executor workers
 *   execution.submitted                  SubmittedMessage
 *   execution.confirmed | .failed        ExecutionResultMessage
 *   execution.dlq                        DeadLetterMessage
 *   control.<action>                     ControlMessage (core NATS, every instance)
 *   control.sync                         request { instance } → ControlSnapshot | null
 *   market.accounts                      MarketSourceMessage: raw account updates and slots from scanner-role processes
 *   cluster.members.<group>              MemberHeartbeat (core NATS, every instance)
 *   cluster.sync.<member>                request { requester } → MarketSyncReply (a scanner republishes its accounts)
 */
import type { OrderJson, Route } from '../orders/index.ts';
import type { ExecutionReportJson, RoutedOrderJson } from './codec.ts';

export const SUBJECTS = {
  /** Prefix of `market.prices.<mint>`. */
  prices: 'market.prices',
  marketEvents: 'market.events',
  volume: 'market.volume',
  /** Prefix of `trade.opportunities.<strategy>`. */
  opportunities: 'trade.opportunities',
  orders: 'execution.orders',
  submitted: 'execution.submitted',
  confirmed: 'execution.confirmed',
  failed: 'execution.failed',
  dlq: 'execution.dlq',
  /** Prefix of `control.<action>`. */
  control: 'control',
  controlSync: 'control.sync',
  /** Raw account updates a scanner-role process publishes for planners, which hold no chain connection. */
  accounts: 'market.accounts',
  /** Prefix of `cluster.members.<group>`. */
  members: 'cluster.members',
  /** Prefix of `cluster.sync.<member>`: ask one scanner to republish its share of the accounts. */
  sync: 'cluster.sync',
} as const;

/** `market.prices.<mint>` */
export const pricesSubject = (mint: string): string => `${SUBJECTS.prices}.${mint}`;
/** `market.events.<venue>.<kind>` (kind: pool, trade, price). */
export const marketEventSubject = (venue: string, kind: 'pool' | 'trade' | 'price'): string => `${SUBJECTS.marketEvents}.${venue}.${kind}`;
/** `market.volume.<mint>` */
export const volumeSubject = (mint: string): string => `${SUBJECTS.volume}.${mint}`;
/** `trade.opportunities.<strategy>` */
export const opportunitySubject = (strategy: string): string => `${SUBJECTS.opportunities}.${strategy}`;
/** `cluster.members.<group>`: heartbeats of the instances sharing one kind of work. */
export const membersSubject = (group: string): string => `${SUBJECTS.members}.${group}`;
/** `cluster.sync.<member>`: the resync request a planner sends one scanner. */
export const syncSubject = (member: string): string => `${SUBJECTS.sync}.${member}`;
/** `control.<action>` */
export const controlSubject = (action: ControlAction): string => `${SUBJECTS.control}.${action}`;

/** A price tick (`market.prices.<mint>`). */
export interface PriceEvent {
  /** The tick's identity (also its bus msgId): a redelivered tick is processed once. */
  id?: string;
  mint: string;
  symbol: string;
  usd: number;
  time: string;
  /** `time` as epoch ms, when the producer has it as a number (a backtest): read instead of parsing `time`. */
  timeMs?: number;
  source: string;
  slot?: number;
  /** Chain runs (the scanners' price feed): best bid and ask across venues. */
  bidUsd?: number;
  askUsd?: number;
  /** Chain runs with two venues or more: the `spread` fact. */
  spread?: { mint: string; spreadBps: number; bestBidVenue: string; bestAskVenue: string; venues: string[] } | null;
  /** Chain runs: the deepest decoded pool trading the mint (the `pool` fact; atoms as decimal strings). */
  pool?: { address: string; venue: string; mintA: string; mintB: string; reserveA: string; reserveB: string; priceUsd: number; liquidityUsd: number; feeBps: number; slot: number; ageSlots: number };
  /** Chain runs: the volume monitor's figures for the mint (the `volume` fact). */
  volume?: { mint: string; volume24hUsd: number; trades24h: number; averageTradeUsd: number; spikeRatio: number; spike: boolean };
  /** The closed bar this event reports (a backtest fills it at bar close); absent: the price is a bar with open = high = low = close = usd. */
  bar?: PriceBar;
  /** Bars of other markets closed at the same time, by the name strategies declare them under (`market:` of an indicator). */
  otherBars?: Readonly<Record<string, PriceBar>>;
}

/** One closed OHLC bar, prices in human units (quote per base), `time` its open time in ms UTC. */
export interface PriceBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

/** `execution.submitted`: an order handed to the chain or block engine. */
export interface SubmittedMessage {
  orderId: string;
  executor: string;
  /** The routed executor name. */
  route: string;
}

/** `execution.confirmed` / `execution.failed`: an order's final outcome. */
export interface ExecutionResultMessage {
  order: OrderJson;
  report: ExecutionReportJson;
  route?: Route;
  /** Realized vs expected, for live fills (JSON-safe). */
  reconciliation?: unknown;
}

/** `execution.dlq`: an order no executor could take, with why. */
export interface DeadLetterMessage {
  order: OrderJson;
  reason: string;
  attempts?: number;
  executor?: string;
  route?: Route;
}

/** The control plane's messages (engine/control applies them). */
export type ControlAction = 'pause' | 'resume' | 'kill' | 'release' | 'reload' | 'rollback';

/** The `control` fact rules read. */
export interface ControlFact {
  killSwitch: boolean;
  paused: boolean;
}

export interface ControlSnapshot extends ControlFact {
  instance: string;
  /** Why the engine is paused or killed, as given by the operator. */
  reason?: string;
  /** Epoch ms of the last change applied (0: never changed). */
  changedAtMs: number;
  /** Instance the last change came from. */
  changedBy?: string;
}

/** A control message on the bus. */
export interface ControlMessage {
  action: ControlAction;
  reason?: string;
  /** Sender instance id. */
  instance: string;
  /** Epoch ms when the operator asked. */
  atMs: number;
  /** rollback: the rule-set hash every instance goes back to (resolved where the operator asked). */
  hash?: string;
}

/** `control.sync` request. */
export interface ControlSyncRequest {
  instance: string;
}

/** The payload type of each fixed subject (prefix subjects: of their children). */
export interface SubjectPayloads {
  'market.prices': PriceEvent;
  'trade.opportunities': OrderJson;
  'execution.orders': RoutedOrderJson;
  'execution.submitted': SubmittedMessage;
  'execution.confirmed': ExecutionResultMessage;
  'execution.failed': ExecutionResultMessage;
  'execution.dlq': DeadLetterMessage;
  control: ControlMessage;
  'control.sync': ControlSyncRequest;
  'cluster.members': MemberHeartbeat;
  'market.accounts': MarketSourceMessage;
  'cluster.sync': MarketSyncRequest;
}

/** What a `control.sync` request is answered with. */
export type ControlSyncReply = ControlSnapshot | null;

/** An instance saying it is alive and sharing the work of `group` (`cluster.members.<group>`). */
export interface MemberHeartbeat {
  group: string;
  member: string;
  /** When the instance started (ms UTC): tells a restarted member from the one that died. */
  startedAt: number;
  /** Ready: it has seen the others for a full window and takes its share; joining members say false. */
  ready: boolean;
  /** Leaving now (a clean stop): the others take its share at once instead of waiting for silence. */
  leaving?: boolean;
}

/**
 * What a scanner-role process publishes on `market.accounts`: an account as it read it (data in
 * base64, lamports as a decimal string) or a slot it vouches every one of its accounts is current
 * at. `seq` counts that scanner's messages from 1 without gaps, so a planner that sees a jump knows
 * it missed something and asks for a resync; `epoch` (the process's start time) tells a restarted
 * scanner, whose count starts again, from a gap.
 */
export type MarketSourceMessage =
  | { kind: 'account'; scanner: string; epoch: number; seq: number; address: string; slot: number; owner: string; lamports: string | null; data: string; executable: boolean; rentEpoch: string | null; resync?: boolean; receivedAt?: number; blockTime?: number }
  | { kind: 'slot'; scanner: string; epoch: number; seq: number; slot: number; receivedAt?: number }
  | { kind: 'synced'; scanner: string; epoch: number; seq: number };
// blockTime: the chain's time of the account's slot (ms UTC). Planners time their facts by it, not by their
// own clock, so every planner — and a single-process run — derives the same facts (and order ids) from the same slot.
// slot: the scanner's chain reached this slot: it has forwarded every update of its share for the slots before.
// synced: the end of a republished share (a resync): planners publish what it changed at once.

/** A planner asking a scanner for its accounts (`cluster.sync.<member>`). */
export interface MarketSyncRequest {
  requester: string;
}

/** A scanner's answer: it has republished its share on `market.accounts`; the last of them has `seq`. */
export interface MarketSyncReply {
  scanner: string;
  accounts: number;
  seq: number;
}

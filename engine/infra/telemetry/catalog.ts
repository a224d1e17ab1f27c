/**
 * The metrics catalog: every metric solrules exports, by domain, declared up front with its
 * type, help, unit and bounded labels. `metrics.ts` turns it into prom-client objects; the
 * dashboards and alert rules are checked against it (test/infra/telemetry/queries.test.ts).
 *
 * Conventions (https://prometheus.io/docs/practices/naming/): `solrules_` prefix, snake_case,
 * the unit in the name as a suffix (`_seconds`, `_usd`, `_sol`, `_lamports`, `_slots`, `_ratio`),
 * counters end in `_total`, and every label is bounded (see labels.ts).
 */
import { VENUES } from '../../venues/index.ts';
import { declaredOf, enumOf, info, named, type LabelBound } from './labels.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec<L extends string = string, T extends MetricType = MetricType> {
  readonly type: T;
  readonly name: string;
  readonly help: string;
  /** Unit suffix the name carries ('' for a plain count). */
  readonly unit: string;
  readonly labels: { readonly [K in L]: LabelBound };
  readonly buckets?: readonly number[];
}

type Labels<L extends string> = { readonly [K in L]: LabelBound };

const counter = <L extends string = never>(name: string, help: string, labels: Labels<L> = {} as Labels<L>, unit = ''): MetricSpec<L, 'counter'> => ({
  type: 'counter',
  name,
  help,
  unit,
  labels,
});
const gauge = <L extends string = never>(name: string, help: string, labels: Labels<L> = {} as Labels<L>, unit = ''): MetricSpec<L, 'gauge'> => ({
  type: 'gauge',
  name,
  help,
  unit,
  labels,
});
const histogram = <L extends string = never>(name: string, help: string, labels: Labels<L>, unit: string, buckets: readonly number[]): MetricSpec<L, 'histogram'> => ({
  type: 'histogram',
  name,
  help,
  unit,
  labels,
  buckets,
});

/** Shared label bounds, so one label means the same thing on every metric. */
export const L = {
  mode: enumOf('websocket', 'rpc-polling', 'shredstream', 'bus', 'replay'),
  // the DEX venues from their registry; besides them, the oracle, the aggregator and the replay
  venue: enumOf(...VENUES.map((v) => v.id), 'pyth', 'jupiter', 'replay'),
  eventKind: enumOf('pool', 'vault', 'tick-array', 'bin-array', 'oracle', 'token-account', 'mint', 'price', 'candle', 'slot'),
  scannerError: enumOf('timeout', 'disconnect', 'decode', 'rate-limited', 'rpc', 'stale', 'filtered'),
  // why the market-data initializer left a pool out (engine/market/initializer NOT_READY_REASONS)
  notReady: enumOf('not-found', 'wrong-owner', 'decode', 'mismatch', 'rpc', 'not-quotable'),
  strategy: named('strategies.yaml `strategies:` keys', 32),
  ruleId: named('rule ids in rules/*.yaml', 500),
  file: named('rule file ids (the `id:` header of rules/*.yaml)', 64),
  evaluator: enumOf('reference', 'compiled'),
  executor: named('strategies.yaml `executors:` keys', 16),
  route: named('routing rule ids in rules/routing.yaml', 64),
  side: enumOf('buy', 'sell', 'roundtrip'),
  executionStatus: enumOf('filled', 'failed', 'expired', 'rejected'),
  retryReason: enumOf('dropped', 'blockhash-expired', 'bundle-failed', 'rpc-error', 'timeout'),
  guardReason: enumOf('would-fail', 'shortfall'),
  // The planners' own reasons, plus the exit reasons the loaded strategy rule files declare (a signal rule's `exit:`).
  completion: declaredOf('the exit reasons of the loaded strategy rule files', 64, 'take-profit', 'stop-loss', 'trailing-stop', 'max-holding', 'position-limit', 'replay-end', 'stopped'),
  quoteSource: enumOf('local', 'jupiter', 'cache'),
  quoteResult: enumOf('ok', 'no-route', 'stale', 'error', 'timeout', 'rate-limited', 'circuit-open'),
  cache: enumOf('quotes', 'prices', 'volume', 'balances', 'dedup', 'blockhash'),
  hitMiss: enumOf('hit', 'miss'),
  tier: enumOf('treasure', 'controller', 'proxy', 'worker'),
  wallet: named('wallets.yaml wallet names (never an address)', 256),
  endpoint: named('configured RPC endpoint names or hosts (never a URL: it may carry an API key)', 32),
  rpcMethod: named('JSON-RPC method names', 64),
  rpcCode: enumOf('timeout', 'network', 'http-429', 'http-4xx', 'http-5xx', 'rpc-error', 'blockhash-expired'),
  subject: named('bus subjects cut to their first two tokens (market.events, execution.orders, ...)', 32),
  busResult: enumOf('ack', 'nak', 'term', 'error'),
  reloadOutcome: enumOf('applied', 'refused'),
  controlAction: enumOf('pause', 'resume', 'kill', 'release', 'reload', 'rollback'),
  adminAction: enumOf('pause', 'resume', 'kill', 'release', 'reload', 'rollback', 'status', 'versions', 'analyze'),
  adminResult: enumOf('ok', 'unauthorized', 'disabled', 'error'),
  refusedBy: enumOf('kill-switch', 'paused'),
  fact: named('fact names of the fact catalog', 64),
  check: named('readiness check names (rules, bus, store, cache, ...)', 16),
  hash: info('active rule-set hash (first 16 hex), one live series'),
  version: info('solrules version, one live series'),
} as const;

const LATENCY_FAST = [0.000_001, 0.000_005, 0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1];
const LATENCY_NET = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CONFIRMATION = [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/** Every metric, by domain. Keys are what components use: `metrics.rules.hits.inc({ rule_id, file })`. */
export const CATALOG = {
  engine: {
    info: gauge('solrules_build_info', 'Always 1; the running version as a label.', { version: L.version }),
    ready: gauge('solrules_ready', '1 when rules are loaded and configured services are reachable (as /readyz), else 0.'),
    readinessCheck: gauge('solrules_readiness_check', '1 when a readiness check passes, else 0.', { check: L.check }),
    replayTicks: counter('solrules_replay_ticks_total', 'Price ticks replayed (replay runs only; the fills are simulated).'),
    replayProgress: gauge('solrules_replay_progress_ratio', 'Share of the replay series done, 0..1.', {}, 'ratio'),
  },
  scanner: {
    events: counter('solrules_scanner_events_total', 'Market events received, after dedup.', { mode: L.mode, venue: L.venue, kind: L.eventKind }),
    latency: histogram('solrules_scanner_event_latency_seconds', 'Time from the slot being seen on chain to the event being received.', { mode: L.mode }, 'seconds', LATENCY_NET),
    lagSlots: histogram('solrules_scanner_event_lag_slots', 'Slots between the slot an update was seen at and the slot when it was received.', { mode: L.mode }, 'slots', [0, 1, 2, 3, 5, 8, 13, 21, 50]),
    errors: counter('solrules_scanner_errors_total', 'Scanner errors by subscription mode.', { mode: L.mode, reason: L.scannerError }),
    reconnects: counter('solrules_scanner_reconnects_total', 'Subscription reconnects.', { mode: L.mode }),
    duplicates: counter('solrules_scanner_duplicates_dropped_total', 'Events dropped as duplicates within the dedup window.', { mode: L.mode }),
    subscriptions: gauge('solrules_scanner_subscriptions', 'Active subscriptions.', { mode: L.mode }),
    poolsReady: gauge('solrules_market_pools_ready', 'Configured pools the market-data initializer found ready at start (trading runs on these).', { venue: L.venue }),
    poolsNotReady: gauge('solrules_market_pools_not_ready', 'Configured pools left out of trading at start, by reason.', { reason: L.notReady }),
    initSeconds: gauge('solrules_market_init_seconds', 'Time the market-data initializer took to read, check and report the configured pools.', {}, 'seconds'),
    initRpcCalls: gauge('solrules_market_init_rpc_calls', 'getMultipleAccounts calls the last market initialization made (at most 100 accounts each).'),
  },
  strategy: {
    opportunities: counter('solrules_opportunities_total', 'Opportunities found (rule decisions that became orders).', { strategy: L.strategy }),
    expectedProfit: histogram('solrules_opportunity_expected_profit_usd', 'Profit potential of each opportunity.', { strategy: L.strategy }, 'usd', [0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000]),
    fills: counter('solrules_fills_total', 'Fills (paper or on chain).', { strategy: L.strategy, side: L.side }),
    filledNotional: counter('solrules_filled_notional_usd_total', 'Value of the fills.', { strategy: L.strategy, side: L.side }, 'usd'),
    fees: counter('solrules_fees_usd_total', 'Swap and network fees paid.', { strategy: L.strategy }, 'usd'),
    realizedPnl: gauge('solrules_strategy_realized_pnl_usd', 'Realized P&L so far.', { strategy: L.strategy }, 'usd'),
    unrealizedPnl: gauge('solrules_strategy_unrealized_pnl_usd', 'Unrealized P&L of what the strategy holds, at the last price.', { strategy: L.strategy }, 'usd'),
    invested: gauge('solrules_strategy_invested_usd', 'Capital the strategy has put in (cost of its buys); ROI = P&L / this.', { strategy: L.strategy }, 'usd'),
    completions: counter('solrules_strategy_completions_total', 'A strategy finished a position or a run.', { strategy: L.strategy, reason: L.completion }),
    rebalances: counter('solrules_strategy_rebalances_total', 'Strategy rebalances (a grid re-centred).', { strategy: L.strategy }),
    unplanned: counter('solrules_strategy_unplanned_total', 'An enabled strategy had no planner in this run (its rules are not evaluated; warned in the log).', { strategy: L.strategy }),
  },
  rules: {
    hits: counter('solrules_rule_hits_total', 'Rules that fired.', { rule_id: L.ruleId, file: L.file }),
    evaluations: counter('solrules_rule_evaluations_total', 'Rule-file evaluations.', { file: L.file, evaluator: L.evaluator }),
    evaluationDuration: histogram('solrules_rule_evaluation_duration_seconds', 'Time to evaluate one rule file against one fact snapshot.', { file: L.file, evaluator: L.evaluator }, 'seconds', LATENCY_FAST),
    evaluationErrors: counter('solrules_rule_evaluation_errors_total', 'Evaluations that threw.', { file: L.file }),
    reloads: counter('solrules_ruleset_reloads_total', 'Rule-set reloads, applied or refused (an invalid edit keeps the last good set).', { outcome: L.reloadOutcome }),
    active: gauge('solrules_ruleset_info', 'Always 1; the active rule-set hash as a label (one series).', { hash: L.hash }),
    appliedAt: gauge('solrules_ruleset_applied_timestamp_seconds', 'When the active rule set was applied.', {}, 'seconds'),
    count: gauge('solrules_ruleset_rules', 'Rules in the active set.', { file: L.file }),
    factsMissing: counter('solrules_rule_facts_missing_total', 'A rule file read a fact that was not produced for its evaluations for too long (warned once in the log).', { file: L.file, fact: L.fact }),
  },
  orders: {
    decided: counter('solrules_orders_decided_total', 'Orders decided by the rules.', { strategy: L.strategy, side: L.side }),
    duplicates: counter('solrules_orders_duplicate_total', 'The same decision seen again (same deterministic id): not a new order.', { strategy: L.strategy }),
    republished: counter('solrules_orders_republished_total', 'Orders a split-run planner published again from a strategy\'s outbox (its previous owner stored them and may not have published them).', { strategy: L.strategy }),
    blocked: counter('solrules_orders_blocked_total', 'Orders refused by a risk rule.', { strategy: L.strategy, rule_id: L.ruleId }),
    routed: counter('solrules_orders_routed_total', 'Orders routed to an executor.', { executor: L.executor, route: L.route }),
    deadLettered: counter('solrules_orders_dead_lettered_total', 'Orders sent to the dead-letter queue.', { executor: L.executor }),
    pending: gauge('solrules_orders_pending', 'Orders routed and not yet final.', { executor: L.executor }),
  },
  execution: {
    submissions: counter('solrules_execution_submissions_total', 'Orders handed to an executor (recorded before sending).', { executor: L.executor, route: L.route }),
    results: counter('solrules_execution_results_total', 'Final outcomes; landing rate = filled / all.', { executor: L.executor, route: L.route, status: L.executionStatus }),
    confirmationDuration: histogram('solrules_execution_confirmation_duration_seconds', 'Time from submission to a final outcome.', { executor: L.executor }, 'seconds', CONFIRMATION),
    tips: counter('solrules_execution_tips_lamports_total', 'Jito tips paid.', { executor: L.executor }, 'lamports'),
    networkFees: counter('solrules_execution_network_fees_lamports_total', 'Network and priority fees paid.', { executor: L.executor }, 'lamports'),
    expectedProfit: gauge('solrules_execution_expected_profit_usd', 'Sum of the profit expected when orders were decided (can fall).', { executor: L.executor, route: L.route }, 'usd'),
    realizedProfit: gauge('solrules_execution_realized_profit_usd', 'Sum of the profit realized at confirmation (can fall).', { executor: L.executor, route: L.route }, 'usd'),
    retries: counter('solrules_execution_retries_total', 'Resubmissions and rebroadcasts.', { executor: L.executor, reason: L.retryReason }),
    guardRefusals: counter('solrules_execution_guard_refusals_total', 'Live sends refused by the send guard before signing: the simulation failed, or its output fell short of the quote beyond maxQuoteShortfallBps.', { reason: L.guardReason }),
    inflight: gauge('solrules_execution_inflight', 'Submissions awaiting confirmation.', { executor: L.executor }),
  },
  quotes: {
    duration: histogram('solrules_quote_duration_seconds', 'Time to answer a quote.', { source: L.quoteSource }, 'seconds', LATENCY_FAST.concat([0.25, 0.5, 1])),
    requests: counter('solrules_quote_requests_total', 'Quotes asked, by source and result.', { source: L.quoteSource, result: L.quoteResult }),
    rateLimitWaits: counter('solrules_aggregator_rate_limit_waits_total', 'Aggregator requests that waited for the rate limiter.', { source: L.quoteSource }),
    rateLimitWait: histogram('solrules_aggregator_rate_limit_wait_seconds', 'Time waited for the aggregator rate limiter.', { source: L.quoteSource }, 'seconds', [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]),
    circuitOpen: gauge('solrules_aggregator_circuit_open', '1 while the aggregator circuit breaker is open.', { source: L.quoteSource }),
  },
  cache: {
    requests: counter('solrules_cache_requests_total', 'Cache lookups; hit ratio = hit / all.', { cache: L.cache, result: L.hitMiss }),
  },
  wallets: {
    balance: gauge('solrules_wallet_balance_sol', 'SOL balance.', { wallet: L.wallet, tier: L.tier }, 'sol'),
    floor: gauge('solrules_wallet_min_balance_sol', "The wallet's floor (wallets.yaml minBalanceSol).", { wallet: L.wallet, tier: L.tier }, 'sol'),
    rebalances: counter('solrules_wallet_rebalances_total', 'Wallet top-ups and sweeps.', { tier: L.tier }),
    busy: gauge('solrules_wallets_busy', 'Wallets held by an order in flight.', { tier: L.tier }),
    onHold: gauge('solrules_wallet_on_hold', '1 while a wallet is on hold: its balance differs from what our own transfers explain.', { wallet: L.wallet, tier: L.tier }),
    difference: gauge('solrules_wallet_balance_difference_lamports', 'Actual minus expected SOL at the last scan.', { wallet: L.wallet, tier: L.tier }, 'lamports'),
    discrepancies: counter('solrules_wallet_discrepancies_total', 'Balance differences beyond the tolerance found by the scanner.', { tier: L.tier }),
  },
  rpc: {
    duration: histogram('solrules_rpc_request_duration_seconds', 'JSON-RPC request latency.', { endpoint: L.endpoint, method: L.rpcMethod }, 'seconds', LATENCY_NET),
    requests: counter('solrules_rpc_requests_total', 'JSON-RPC requests.', { endpoint: L.endpoint, method: L.rpcMethod }),
    errors: counter('solrules_rpc_errors_total', 'JSON-RPC errors.', { endpoint: L.endpoint, method: L.rpcMethod, code: L.rpcCode }),
    failovers: counter('solrules_rpc_failovers_total', 'Requests moved off an endpoint after an error.', { endpoint: L.endpoint }),
  },
  bus: {
    published: counter('solrules_bus_messages_published_total', 'Messages published.', { subject: L.subject }),
    handled: counter('solrules_bus_messages_handled_total', 'Deliveries handled, by outcome.', { subject: L.subject, result: L.busResult }),
    handlerDuration: histogram('solrules_bus_handler_duration_seconds', 'Time a handler took for one delivery.', { subject: L.subject }, 'seconds', LATENCY_FAST.concat([0.5, 1, 5])),
    consumerRestarts: counter('solrules_bus_consumer_restarts_total', 'JetStream pull consumers restarted after hearing nothing (no message, heartbeat or expired pull) for 6 s.', { subject: L.subject }),
  },
  ai: {
    budgetRefusals: counter('solrules_ai_budget_refusals_total', 'AI analyses refused because the daily AI budget was exhausted (the log warns at the first of a budget day only).'),
  },
  control: {
    paused: gauge('solrules_control_paused', '1 while an operator has paused the engine.'),
    killSwitch: gauge('solrules_control_kill_switch', '1 while the kill switch is engaged.'),
    actions: counter('solrules_control_actions_total', 'Control actions applied (from the bus: every instance counts them).', { action: L.controlAction }),
    refused: counter('solrules_control_orders_refused_total', 'Orders refused because the engine was paused or killed.', { state: L.refusedBy }),
    adminRequests: counter('solrules_admin_requests_total', 'Admin HTTP requests, by result (unauthorized: missing or wrong token).', { action: L.adminAction, result: L.adminResult }),
  },
} as const;

/** Every spec in the catalog. */
export function allSpecs(): MetricSpec[] {
  return Object.values(CATALOG).flatMap((domain) => Object.values(domain) as MetricSpec[]);
}

/** The spec of a metric by its name (undefined when not in the catalog). */
export function specByName(name: string): MetricSpec | undefined {
  return allSpecs().find((s) => s.name === name);
}

/**
 * Metrics the catalog declares that no code path sets yet, with what will set them. Dashboards
 * mark the panels that read them; test/infra/telemetry/pending.test.ts fails when a metric listed
 * here is in fact set, or when a declared metric is neither set anywhere nor listed.
 */
export const PENDING_METRICS: Readonly<Record<string, string>> = {
};

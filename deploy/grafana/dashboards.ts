/**
 * The solrules Grafana dashboards: System Overview, Trading Performance, Strategy Analytics,
 * Wallet Management and RPC Health. `npm run dashboards` writes them to deploy/grafana/dashboards/;
 * test/deploy/grafana.test.ts checks the files are current and that every metric they query is one
 * the engine registers.
 */
import { buildDashboard, type DashboardSpec, type PanelSpec, type VariableSpec } from './build.ts';

const I = 'instance=~"$instance"';
const RATE = '$__rate_interval';

const instanceVar: VariableSpec = { name: 'instance', label: 'Instance', query: 'label_values(solrules_build_info, instance)' };
const strategyVar: VariableSpec = { name: 'strategy', label: 'Strategy', query: 'label_values(solrules_orders_decided_total, strategy)' };
const executorVar: VariableSpec = { name: 'executor', label: 'Executor', query: 'label_values(solrules_execution_submissions_total, executor)' };
const tierVar: VariableSpec = { name: 'tier', label: 'Tier', query: 'label_values(solrules_wallet_balance_sol, tier)' };
const walletVar: VariableSpec = { name: 'wallet', label: 'Wallet', query: 'label_values(solrules_wallet_balance_sol{tier=~"$tier"}, wallet)' };
const endpointVar: VariableSpec = { name: 'endpoint', label: 'RPC endpoint', query: 'label_values(solrules_rpc_requests_total, endpoint)' };

const ts = (title: string, targets: PanelSpec['targets'], more: Partial<PanelSpec> = {}): PanelSpec => ({ title, type: 'timeseries', targets, ...more });
const stat = (title: string, expr: string, more: Partial<PanelSpec> = {}): PanelSpec => ({ title, type: 'stat', targets: [{ expr, legend: title }], ...more });
const quantile = (q: number, metric: string, by: string, filter: string) =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${metric}_bucket{${filter}}[${RATE}])))`;
/** One target per quantile of a histogram, by one label, legends `{{label}} p50` ... */
const percentiles = (qs: number[], metric: string, label: string, filter: string): PanelSpec['targets'] =>
  qs.map((q) => ({ expr: quantile(q, metric, label, filter), legend: `{{${label}}} p${Math.round(q * 100)}` }));

/** A full-width logs panel on Loki (LogQL); labels service, role, level are Promtail's (deploy/loki). */
const logs = (title: string, expr: string, description: string): PanelSpec => ({ title, type: 'logs', targets: [{ expr }], description });

const onOff = [
  { value: 0, text: 'off', color: 'green' },
  { value: 1, text: 'ENGAGED', color: 'red' },
];

export const systemOverview: DashboardSpec = {
  uid: 'solrules-system',
  title: 'solrules / System Overview',
  description: 'Is the engine up, ready and moving: instances, control state, the pipeline end to end, and the process.',
  variables: [instanceVar],
  rows: [
    {
      title: 'Engine',
      panels: [
        stat('Instances up', `sum(up{job="solrules", ${I}})`, { thresholds: { base: 'red', steps: [[1, 'green']] } }),
        stat('Ready', `min(solrules_ready{${I}})`, { mappings: [{ value: 0, text: 'NOT READY', color: 'red' }, { value: 1, text: 'ready', color: 'green' }] }),
        stat('Kill switch', `max(solrules_control_kill_switch{${I}})`, { mappings: onOff }),
        stat('Paused', `max(solrules_control_paused{${I}})`, { mappings: [{ value: 0, text: 'no', color: 'green' }, { value: 1, text: 'PAUSED', color: 'orange' }] }),
        stat('Reloads refused (range)', `sum(increase(solrules_ruleset_reloads_total{outcome="refused", ${I}}[$__range]))`, { thresholds: { base: 'green', steps: [[1, 'orange']] } }),
        stat('Orders refused by control (range)', `sum(increase(solrules_control_orders_refused_total{${I}}[$__range]))`),
        { title: 'Version and active rule set', type: 'table', w: 12, targets: [{ expr: `solrules_build_info{${I}}` }, { expr: `solrules_ruleset_info{${I}}` }] },
        { title: 'Readiness checks', type: 'table', w: 12, targets: [{ expr: `solrules_readiness_check{${I}}` }], mappings: [{ value: 0, text: 'failing', color: 'red' }, { value: 1, text: 'ok', color: 'green' }] },
      ],
    },
    {
      title: 'Pipeline',
      panels: [
        ts('Market events /s', [{ expr: `sum by (mode, venue) (rate(solrules_scanner_events_total{${I}}[${RATE}]))`, legend: '{{mode}} {{venue}}' }], { unit: 'ops', w: 8 }),
        ts('Rule hits /s', [{ expr: `sum by (file) (rate(solrules_rule_hits_total{${I}}[${RATE}]))`, legend: '{{file}}' }], { unit: 'ops', w: 8 }),
        ts('Orders decided /s', [{ expr: `sum by (strategy) (rate(solrules_orders_decided_total{${I}}[${RATE}]))`, legend: '{{strategy}}' }], { unit: 'ops', w: 8 }),
        ts('Submissions /s', [{ expr: `sum by (executor) (rate(solrules_execution_submissions_total{${I}}[${RATE}]))`, legend: '{{executor}}' }], { unit: 'ops', w: 8 }),
        ts('Bus messages published /s', [{ expr: `sum by (subject) (rate(solrules_bus_messages_published_total{${I}}[${RATE}]))`, legend: '{{subject}}' }], { unit: 'ops', w: 8 }),
        ts('Bus deliveries not acked /s', [{ expr: `sum by (subject, result) (rate(solrules_bus_messages_handled_total{result!="ack", ${I}}[${RATE}]))`, legend: '{{subject}} {{result}}' }], { unit: 'ops', w: 8 }),
      ],
    },
    {
      title: 'Control and reloads',
      panels: [
        ts('Rule-set reloads', [{ expr: `sum by (outcome) (increase(solrules_ruleset_reloads_total{${I}}[5m]))`, legend: '{{outcome}}' }], { w: 8, description: 'Refused: an invalid edit; the last good set keeps serving.' }),
        ts('Control actions', [{ expr: `sum by (action) (increase(solrules_control_actions_total{${I}}[5m]))`, legend: '{{action}}' }], { w: 8 }),
        ts('Admin requests', [{ expr: `sum by (action, result) (increase(solrules_admin_requests_total{${I}}[5m]))`, legend: '{{action}} {{result}}' }], { w: 8, description: 'unauthorized: a missing or wrong bearer token.' }),
      ],
    },
    {
      title: 'Process',
      panels: [
        ts('CPU', [{ expr: `rate(process_cpu_seconds_total{job="solrules", ${I}}[${RATE}])`, legend: '{{instance}}' }], { unit: 'percentunit', w: 6 }),
        ts('Resident memory', [{ expr: `process_resident_memory_bytes{job="solrules", ${I}}`, legend: '{{instance}}' }], { unit: 'bytes', w: 6 }),
        ts('Heap used', [{ expr: `sum by (instance) (nodejs_heap_size_used_bytes{job="solrules", ${I}})`, legend: '{{instance}}' }], { unit: 'bytes', w: 6 }),
        ts('Event loop lag p99', [{ expr: `nodejs_eventloop_lag_p99_seconds{job="solrules", ${I}}`, legend: '{{instance}}' }], { unit: 's', w: 6 }),
      ],
    },
    {
      title: 'Logs',
      panels: [logs('Errors and warnings', '{service="solrules", level=~"error|warn"}', 'Every role\'s error and warning lines (Loki). A line inside a trace links to it in Jaeger.')],
    },
  ],
};

const S = `strategy=~"$strategy", ${I}`;
const E = `executor=~"$executor", ${I}`;
const pnl = `sum(solrules_strategy_realized_pnl_usd{${S}}) + sum(solrules_strategy_unrealized_pnl_usd{${S}})`;

export const tradingPerformance: DashboardSpec = {
  uid: 'solrules-trading',
  title: 'solrules / Trading Performance',
  description: 'P&L, ROI and success rate: what the strategies earned, and how well orders land. Paper runs report simulated fills.',
  variables: [instanceVar, strategyVar, executorVar],
  rows: [
    {
      title: 'Results',
      panels: [
        stat('Total P&L', pnl, { unit: 'currencyUSD', decimals: 2, thresholds: { base: 'red', steps: [[0, 'green']] } }),
        stat('Realized P&L', `sum(solrules_strategy_realized_pnl_usd{${S}})`, { unit: 'currencyUSD', decimals: 2, thresholds: { base: 'red', steps: [[0, 'green']] } }),
        stat('Unrealized P&L', `sum(solrules_strategy_unrealized_pnl_usd{${S}})`, { unit: 'currencyUSD', decimals: 2, thresholds: { base: 'red', steps: [[0, 'green']] } }),
        stat('ROI', `(${pnl}) / sum(solrules_strategy_invested_usd{${S}})`, { unit: 'percentunit', decimals: 2, thresholds: { base: 'red', steps: [[0, 'green']] } }),
        stat('Success rate (range)', `sum(increase(solrules_execution_results_total{status="filled", ${E}}[$__range])) / sum(increase(solrules_execution_results_total{${E}}[$__range]))`, {
          unit: 'percentunit',
          decimals: 1,
          thresholds: { base: 'red', steps: [[0.8, 'orange'], [0.95, 'green']] },
        }),
        stat('Fees paid (range)', `sum(increase(solrules_fees_usd_total{${S}}[$__range]))`, { unit: 'currencyUSD', decimals: 2, thresholds: { base: 'blue' } }),
      ],
    },
    {
      title: 'P&L and ROI',
      panels: [
        ts(
          'P&L by strategy',
          [
            { expr: `sum by (strategy) (solrules_strategy_realized_pnl_usd{${S}})`, legend: '{{strategy}} realized' },
            { expr: `sum by (strategy) (solrules_strategy_unrealized_pnl_usd{${S}})`, legend: '{{strategy}} unrealized' },
          ],
          { unit: 'currencyUSD' },
        ),
        ts(
          'ROI by strategy',
          [{ expr: `(sum by (strategy) (solrules_strategy_realized_pnl_usd{${S}}) + sum by (strategy) (solrules_strategy_unrealized_pnl_usd{${S}})) / sum by (strategy) (solrules_strategy_invested_usd{${S}})`, legend: '{{strategy}}' }],
          { unit: 'percentunit', description: 'P&L over the capital the strategy put in (cost of its buys).' },
        ),
        ts('Capital invested', [{ expr: `sum by (strategy) (solrules_strategy_invested_usd{${S}})`, legend: '{{strategy}}' }], { unit: 'currencyUSD', w: 8 }),
        ts('Filled notional /h', [{ expr: `sum by (strategy, side) (increase(solrules_filled_notional_usd_total{${S}}[1h]))`, legend: '{{strategy}} {{side}}' }], { unit: 'currencyUSD', w: 8 }),
        ts('Fills /h', [{ expr: `sum by (strategy, side) (increase(solrules_fills_total{${S}}[1h]))`, legend: '{{strategy}} {{side}}' }], { w: 8 }),
      ],
    },
    {
      title: 'Execution',
      panels: [
        ts(
          'Success (landing) rate by executor',
          [{ expr: `sum by (executor) (rate(solrules_execution_results_total{status="filled", ${E}}[${RATE}])) / sum by (executor) (rate(solrules_execution_results_total{${E}}[${RATE}]))`, legend: '{{executor}}' }],
          { unit: 'percentunit', min: 0, max: 1, w: 8 },
        ),
        ts('Outcomes /s', [{ expr: `sum by (executor, status) (rate(solrules_execution_results_total{${E}}[${RATE}]))`, legend: '{{executor}} {{status}}' }], { unit: 'ops', w: 8, stacked: true }),
        ts(
          'Confirmation time',
          percentiles([0.5, 0.95], 'solrules_execution_confirmation_duration_seconds', 'executor', E),
          { unit: 's', w: 8 },
        ),
        ts(
          'Realized vs expected profit by route',
          [
            { expr: `sum by (executor, route) (solrules_execution_realized_profit_usd{${E}})`, legend: '{{executor}} {{route}} realized' },
            { expr: `sum by (executor, route) (solrules_execution_expected_profit_usd{${E}})`, legend: '{{executor}} {{route}} expected' },
          ],
          { unit: 'currencyUSD', description: 'Cumulative: a realized line below its expected one means quotes were optimistic.' },
        ),
        ts(
          'Tips and network fees /h',
          [
            { expr: `sum by (executor) (increase(solrules_execution_tips_lamports_total{${E}}[1h])) / 1e9`, legend: '{{executor}} tips' },
            { expr: `sum by (executor) (increase(solrules_execution_network_fees_lamports_total{${E}}[1h])) / 1e9`, legend: '{{executor}} fees' },
          ],
          { unit: 'SOL', decimals: 4 },
        ),
      ],
    },
    {
      title: 'Logs',
      panels: [logs('Order log lines', '{service="solrules"} |~ `"(order_id|orderId)":`', 'Lines about an order (decided, routed, submitted, filled, failed), newest first; its trace is one click away (Jaeger).')],
    },
  ],
};

export const strategyAnalytics: DashboardSpec = {
  uid: 'solrules-strategies',
  title: 'solrules / Strategy Analytics',
  description: 'What the rules decide and why: opportunities and their profit potential, rule hits, risk blocks, routing, and rule evaluation cost.',
  variables: [instanceVar, strategyVar],
  rows: [
    {
      title: 'Opportunities',
      panels: [
        ts('Opportunities /s', [{ expr: `sum by (strategy) (rate(solrules_opportunities_total{${S}}[${RATE}]))`, legend: '{{strategy}}' }], { unit: 'ops', w: 8 }),
        ts(
          'Profit potential per opportunity',
          percentiles([0.5, 0.95], 'solrules_opportunity_expected_profit_usd', 'strategy', S),
          { unit: 'currencyUSD', w: 8 },
        ),
        ts(
          'Profit potential found /h',
          [{ expr: `sum by (strategy) (increase(solrules_opportunity_expected_profit_usd_sum{${S}}[1h]))`, legend: '{{strategy}}' }],
          { unit: 'currencyUSD', w: 8 },
        ),
        ts('Orders decided /s', [{ expr: `sum by (strategy, side) (rate(solrules_orders_decided_total{${S}}[${RATE}]))`, legend: '{{strategy}} {{side}}' }], { unit: 'ops', w: 8 }),
        ts('Same decision seen again /s', [{ expr: `sum by (strategy) (rate(solrules_orders_duplicate_total{${S}}[${RATE}]))`, legend: '{{strategy}}' }], { unit: 'ops', w: 8, description: 'Deterministic order ids: the same decision on the same facts never becomes a second order.' }),
        ts(
          'Completions and rebalances',
          [
            { expr: `sum by (strategy, reason) (increase(solrules_strategy_completions_total{${S}}[1h]))`, legend: '{{strategy}} {{reason}}' },
            { expr: `sum by (strategy) (increase(solrules_strategy_rebalances_total{${S}}[1h]))`, legend: '{{strategy}} rebalance' },
          ],
          { w: 8 },
        ),
      ],
    },
    {
      title: 'Rules',
      panels: [
        { title: 'Top rule hits (range)', type: 'table', targets: [{ expr: `topk(20, sum by (file, rule_id) (increase(solrules_rule_hits_total{${I}}[$__range])))` }] },
        ts('Rule hits /s', [{ expr: `sum by (file, rule_id) (rate(solrules_rule_hits_total{${I}}[${RATE}]))`, legend: '{{file}}/{{rule_id}}' }], { unit: 'ops' }),
        ts(
          'Evaluation latency p99',
          [{ expr: quantile(0.99, 'solrules_rule_evaluation_duration_seconds', 'file, evaluator', I), legend: '{{file}} ({{evaluator}})' }],
          { unit: 's', w: 8 },
        ),
        ts('Evaluations /s', [{ expr: `sum by (file, evaluator) (rate(solrules_rule_evaluations_total{${I}}[${RATE}]))`, legend: '{{file}} ({{evaluator}})' }], { unit: 'ops', w: 8 }),
        ts('Evaluation errors /s', [{ expr: `sum by (file) (rate(solrules_rule_evaluation_errors_total{${I}}[${RATE}]))`, legend: '{{file}}' }], { unit: 'ops', w: 8 }),
        ts('Rules in the active set', [{ expr: `sum by (file) (solrules_ruleset_rules{${I}})`, legend: '{{file}}' }], { w: 8 }),
      ],
    },
    {
      title: 'Risk and routing',
      panels: [
        ts('Blocked by risk rule /h', [{ expr: `sum by (rule_id) (increase(solrules_orders_blocked_total{${S}}[1h]))`, legend: '{{rule_id}}' }], { w: 8 }),
        ts('Routed by executor and route /h', [{ expr: `sum by (executor, route) (increase(solrules_orders_routed_total{${I}}[1h]))`, legend: '{{executor}} via {{route}}' }], { w: 8 }),
        ts('Refused by control /h', [{ expr: `sum by (state) (increase(solrules_control_orders_refused_total{${I}}[1h]))`, legend: '{{state}}' }], { w: 8 }),
        ts('Orders pending', [{ expr: `sum by (executor) (solrules_orders_pending{${I}})`, legend: '{{executor}}' }], { w: 8 }),
        ts('Dead-lettered /h', [{ expr: `sum by (executor) (increase(solrules_orders_dead_lettered_total{${I}}[1h]))`, legend: '{{executor}}' }], { w: 8 }),
        ts(
          'Replay progress',
          [{ expr: `max(solrules_replay_progress_ratio{${I}})`, legend: 'done' }],
          { unit: 'percentunit', min: 0, max: 1, w: 8, description: 'Replays only (the fills are simulated).' },
        ),
      ],
    },
    {
      title: 'Logs',
      panels: [logs('Planner log lines', '{service="solrules", role=~"planner|all", level=~"error|warn|info"}', 'What the planners and the rule reloader said (Loki).')],
    },
  ],
};

const W = `wallet=~"$wallet", tier=~"$tier", ${I}`;

export const walletManagement: DashboardSpec = {
  uid: 'solrules-wallets',
  title: 'solrules / Wallet Management',
  description: 'Balances per wallet and tier against their floors, rebalancing, and wallets held by orders in flight. Wallets are named as in wallets.yaml.',
  variables: [instanceVar, tierVar, walletVar],
  rows: [
    {
      title: 'Balances',
      panels: [
        stat('Wallets below their floor', `count(solrules_wallet_balance_sol{${W}} < solrules_wallet_min_balance_sol{${W}}) or vector(0)`, { thresholds: { base: 'green', steps: [[1, 'red']] } }),
        stat('SOL across wallets', `sum(solrules_wallet_balance_sol{${W}})`, { unit: 'SOL', decimals: 3, thresholds: { base: 'blue' } }),
        stat('Rebalances (range)', `sum(increase(solrules_wallet_rebalances_total{tier=~"$tier", ${I}}[$__range]))`, { thresholds: { base: 'blue' } }),
        stat('Wallets busy', `sum(solrules_wallets_busy{tier=~"$tier", ${I}})`, { thresholds: { base: 'blue' } }),
        { title: 'Balance by wallet', type: 'bargauge', w: 24, h: 8, unit: 'SOL', decimals: 3, targets: [{ expr: `max by (wallet, tier) (solrules_wallet_balance_sol{${W}})`, legend: '{{wallet}} ({{tier}})' }] },
        ts('Balance over time', [{ expr: `max by (wallet) (solrules_wallet_balance_sol{${W}})`, legend: '{{wallet}}' }], { unit: 'SOL' }),
        ts(
          'Headroom above the floor',
          [{ expr: `max by (wallet) (solrules_wallet_balance_sol{${W}} - solrules_wallet_min_balance_sol{${W}})`, legend: '{{wallet}}' }],
          { unit: 'SOL', thresholds: { base: 'red', steps: [[0, 'green']] }, description: 'Below zero: the wallet is under its wallets.yaml minBalanceSol.' },
        ),
        ts('Balance by tier', [{ expr: `sum by (tier) (solrules_wallet_balance_sol{${W}})`, legend: '{{tier}}' }], { unit: 'SOL', stacked: true }),
        ts(
          'Rebalances and busy wallets',
          [
            { expr: `sum by (tier) (increase(solrules_wallet_rebalances_total{tier=~"$tier", ${I}}[1h]))`, legend: '{{tier}} rebalances /h' },
            { expr: `sum by (tier) (solrules_wallets_busy{tier=~"$tier", ${I}})`, legend: '{{tier}} busy' },
          ],
          {},
        ),
      ],
    },
    {
      title: 'Logs',
      panels: [logs('Wallet log lines', '{service="solrules"} |~ `(?i)wallet`', 'Lines that mention a wallet: balances, floors, rebalancing (Loki; keys are never logged).')],
    },
  ],
};

const R = `endpoint=~"$endpoint", ${I}`;

export const rpcHealth: DashboardSpec = {
  uid: 'solrules-rpc',
  title: 'solrules / RPC Health',
  description: 'RPC endpoints (latency, errors, failovers), market-data subscriptions (event rate, latency, errors per mode), quotes and caches.',
  variables: [instanceVar, endpointVar],
  rows: [
    {
      title: 'RPC endpoints',
      panels: [
        ts('Requests /s', [{ expr: `sum by (endpoint) (rate(solrules_rpc_requests_total{${R}}[${RATE}]))`, legend: '{{endpoint}}' }], { unit: 'reqps', w: 8 }),
        ts(
          'Error ratio',
          [{ expr: `sum by (endpoint) (rate(solrules_rpc_errors_total{${R}}[${RATE}])) / sum by (endpoint) (rate(solrules_rpc_requests_total{${R}}[${RATE}]))`, legend: '{{endpoint}}' }],
          { unit: 'percentunit', w: 8, thresholds: { base: 'green', steps: [[0.05, 'red']] } },
        ),
        ts('Errors by code /s', [{ expr: `sum by (endpoint, code) (rate(solrules_rpc_errors_total{${R}}[${RATE}]))`, legend: '{{endpoint}} {{code}}' }], { unit: 'ops', w: 8 }),
        ts(
          'Latency',
          percentiles([0.5, 0.95, 0.99], 'solrules_rpc_request_duration_seconds', 'endpoint', R),
          { unit: 's' },
        ),
        { title: 'Slowest methods p95', type: 'table', targets: [{ expr: `topk(10, ${quantile(0.95, 'solrules_rpc_request_duration_seconds', 'endpoint, method', R)})` }], unit: 's' },
        ts('Failovers /h', [{ expr: `sum by (endpoint) (increase(solrules_rpc_failovers_total{${R}}[1h]))`, legend: 'off {{endpoint}}' }], { w: 24, h: 6 }),
      ],
    },
    {
      title: 'Market data',
      panels: [
        ts('Events /s', [{ expr: `sum by (mode, kind) (rate(solrules_scanner_events_total{${I}}[${RATE}]))`, legend: '{{mode}} {{kind}}' }], { unit: 'ops', w: 8 }),
        ts(
          'Event latency (slot seen → received)',
          percentiles([0.5, 0.95], 'solrules_scanner_event_latency_seconds', 'mode', I),
          { unit: 's', w: 8 },
        ),
        ts('Event lag p95 (slots)', [{ expr: quantile(0.95, 'solrules_scanner_event_lag_slots', 'mode', I), legend: '{{mode}}' }], { w: 8 }),
        ts('Scanner errors /s', [{ expr: `sum by (mode, reason) (rate(solrules_scanner_errors_total{${I}}[${RATE}]))`, legend: '{{mode}} {{reason}}' }], { unit: 'ops', w: 8 }),
        ts(
          'Reconnects and duplicates dropped /h',
          [
            { expr: `sum by (mode) (increase(solrules_scanner_reconnects_total{${I}}[1h]))`, legend: '{{mode}} reconnects' },
            { expr: `sum by (mode) (increase(solrules_scanner_duplicates_dropped_total{${I}}[1h]))`, legend: '{{mode}} duplicates' },
          ],
          { w: 8 },
        ),
        ts('Active subscriptions', [{ expr: `sum by (mode) (solrules_scanner_subscriptions{${I}})`, legend: '{{mode}}' }], { w: 8 }),
      ],
    },
    {
      title: 'Quotes and caches',
      panels: [
        ts('Quote latency p95', [{ expr: quantile(0.95, 'solrules_quote_duration_seconds', 'source', I), legend: '{{source}}' }], { unit: 's', w: 8 }),
        ts('Quote results /s', [{ expr: `sum by (source, result) (rate(solrules_quote_requests_total{${I}}[${RATE}]))`, legend: '{{source}} {{result}}' }], { unit: 'ops', w: 8 }),
        ts(
          'Cache hit ratio',
          [{ expr: `sum by (cache) (rate(solrules_cache_requests_total{result="hit", ${I}}[${RATE}])) / sum by (cache) (rate(solrules_cache_requests_total{${I}}[${RATE}]))`, legend: '{{cache}}' }],
          { unit: 'percentunit', min: 0, max: 1, w: 8 },
        ),
        ts(
          'Aggregator rate-limit waits',
          [
            { expr: `sum by (source) (rate(solrules_aggregator_rate_limit_waits_total{${I}}[${RATE}]))`, legend: '{{source}} waits /s' },
            { expr: quantile(0.95, 'solrules_aggregator_rate_limit_wait_seconds', 'source', I), legend: '{{source}} wait p95 (s)' },
          ],
          {},
        ),
        ts('Aggregator circuit open', [{ expr: `max by (source) (solrules_aggregator_circuit_open{${I}})`, legend: '{{source}}' }], { min: 0, max: 1 }),
      ],
    },
    {
      title: 'Logs',
      panels: [logs('RPC and submission log lines', '{service="solrules"} | json | component=~`rpc-.*|jito-.*|scanner|jupiter`', 'Lines of the RPC and Jito submitters, the scanners and the Jupiter client: errors, failovers, reconnects (Loki).')],
    },
  ],
};

export const DASHBOARDS: Record<string, DashboardSpec> = {
  'solrules-system-overview.json': systemOverview,
  'solrules-trading-performance.json': tradingPerformance,
  'solrules-strategy-analytics.json': strategyAnalytics,
  'solrules-wallet-management.json': walletManagement,
  'solrules-rpc-health.json': rpcHealth,
};

/** File name → dashboard JSON text, as committed under deploy/grafana/dashboards/. */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(Object.entries(DASHBOARDS).map(([file, spec]) => [file, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`]));
}

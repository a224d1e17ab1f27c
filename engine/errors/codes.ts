/**
 * The registry of error codes: every code a SolrulesError can carry, with the type of its
 * context (as Solana Kit's SolanaErrorCode → context map). `new SolrulesError(code, …)` only
 * accepts a code listed here, and its context must have the listed type; `isSolrulesError(err,
 * code)` narrows `err.context` to it. test/errors/codes.test.ts fails on a code used but not
 * listed (the compiler already does) and on a listed code nothing uses.
 *
 * A code never changes meaning once released; scripts and tests match on it. Codes start with
 * the prefix of the area that raises them (ERROR_PREFIXES); validate's diagnostics use the same
 * codes. Contexts hold what a user needs to act (file/line/column, field and value), never a
 * secret. Most contexts are still the open `Context`; a code whose context program logic reads
 * gets its exact type.
 */

/** An open context: what the raising code put there. */
export type Context = Readonly<Record<string, unknown>>;

/** Code prefixes, by area. */
export const ERROR_PREFIXES = {
  RULES_: 'rule files: shape, facts, operators, evaluation (validate diagnostics and run time)',
  YAML_: 'YAML syntax of any project file',
  CONFIG_: 'the project configuration as a whole',
  STRATEGIES_: 'strategy parameters in strategies.yaml',
  ARB_: 'the arbitrage strategy (historical: would be STRATEGIES_ARB_)',
  TEST_: 'rule test files (solrules test)',
  ORDER_: 'order building and order JSON',
  RISK_: 'risk rules',
  ROUTING_: 'routing rules',
  REPLAY_: 'replayed price series',
  SCAN_: 'market scanners (RPC, websocket, ShredStream)',
  ACCOUNTS_: 'account snapshot files',
  DEX_: 'venue decoders and swap math',
  QUOTE_: 'quotes: local router, Jupiter, cache, limiter, breaker',
  EXEC_: 'executors: building, sending, confirming, reconciling',
  WALLET_: 'wallets and keys at run time',
  WALLETS_: 'wallets.yaml (historical: WALLET_ at run time)',
  STORE_: 'the store',
  BUS_: 'the bus',
  CACHE_: 'the cache',
  TELEMETRY_: 'telemetry server and admin endpoints',
  SANDBOX_: 'the local Solana sandbox',
  FILE_: 'reading a project file (encoding)',
  SCHEMA_: 'JSON-schema checks of project files',
  INDICATOR_: 'indicator declarations and bars',
  CANDLES_: 'candle files (columns, rows, timeframes)',
  AI_: 'AI analysis: charts, client, budget, queue, record/replay',
  BACKTEST_: 'backtests: the runner, its data and fill model, and the report',
  DIFF_: 'solrules diff (what-if backtests)',
  MARKET_: 'market data: the chain fact source, and the sandbox market (pools, flows, replays it builds)',
  SERVICE_: 'the servers a run depends on (NATS, Redis, PostgreSQL), checked before start',
  DEMO_: 'solrules demo (the engine live on the sandbox) and its hooks',
} as const;

export type ErrorPrefix = keyof typeof ERROR_PREFIXES;

/** Every error code, with the type of its context. */
export interface ErrorContext {
  // RULES_
  RULES_COMPILE_INVALID: Context;
  RULES_CONDITION_CYCLE: Context;
  RULES_DUPLICATE_FILE_ID: Context;
  RULES_DUPLICATE_RULE_ID: Context;
  RULES_EVALUATION_FAILED: Context;
  RULES_EVENT_TYPE: Context;
  RULES_FACT_NOT_PRODUCED: Context;
  RULES_JSONPATH: Context;
  RULES_NOT_A_RULE_FILE: Context;
  RULES_NO_STRATEGIES: Context;
  RULES_OPERATOR_TYPE_MISMATCH: Context;
  RULES_ORDER_PARAM: Context;
  RULES_PATH_NOT_SCALAR: Context;
  RULES_UNKNOWN_CONDITION: Context;
  RULES_UNKNOWN_DECORATOR: Context;
  RULES_UNKNOWN_EVALUATOR: Context;
  RULES_UNKNOWN_FACT: Context;
  RULES_UNKNOWN_INDICATOR: Context;
  RULES_UNKNOWN_OPERATOR: Context;
  RULES_UNKNOWN_PARAM: Context;
  RULES_UNKNOWN_PATH: Context;
  RULES_UNKNOWN_STRATEGY: Context;
  RULES_VALUE_TYPE_MISMATCH: Context;
  // YAML_
  YAML_DUPLICATE_KEY: Context;
  YAML_MERGE_CONFLICT: Context;
  YAML_SYNTAX: Context;
  // CONFIG_
  CONFIG_NO_STRATEGIES: Context;
  CONFIG_RELOAD_NEEDS_RESTART: Context;
  CONFIG_ROLLBACK_UNKNOWN: Context;
  CONFIG_ROLLBACK_UNUSABLE: Context;
  // STRATEGIES_
  STRATEGIES_AI_SCHEDULE: Context;
  STRATEGIES_AI_UNREAD: Context;
  STRATEGIES_DCA_AMOUNT: Context;
  STRATEGIES_FACT_CLASH: Context;
  STRATEGIES_KIND_CLASH: Context;
  STRATEGIES_GRID_BELOW_ZERO: Context;
  STRATEGIES_GRID_SPACING: Context;
  STRATEGIES_INDICATORS_UNUSED: Context;
  STRATEGIES_KIND_NOT_IN_MODE: Context;
  STRATEGIES_NEEDS_POOLS: Context;
  STRATEGIES_RULES_NOT_FOUND: Context;
  STRATEGIES_SAME_MINT: Context;
  STRATEGIES_SIGNAL_ATR: Context;
  STRATEGIES_SIGNAL_EXIT_UNREAD: Context;
  STRATEGIES_SIGNAL_RISK_NO_STOP: Context;
  STRATEGIES_SIGNAL_SIZING: Context;
  STRATEGIES_UNKNOWN_KIND: Context;
  // ARB_
  ARB_INVALID_PARAM: Context;
  ARB_ROUTE_INVALID: Context;
  // TEST_
  TEST_EXPECT_BOTH: Context;
  TEST_FACT_TYPE: Context;
  TEST_PARAMS_AS_FACT: Context;
  TEST_RULES_NOT_FOUND: Context;
  TEST_UNKNOWN_FACT: Context;
  TEST_UNKNOWN_FIELD: Context;
  TEST_UNKNOWN_RULE: Context;
  // ORDER_
  ORDER_INVALID: Context;
  ORDER_INVALID_PARAM: Context;
  // RISK_
  RISK_NO_REASON: Context;
  // ROUTING_
  ROUTING_NO_EXECUTOR: Context;
  ROUTING_UNKNOWN_EXECUTOR: Context;
  // REPLAY_
  REPLAY_BAD_CSV: Context;
  // SCAN_
  SCAN_CONFIG_INVALID: Context;
  SCAN_CONNECT_FAILED: Context;
  SCAN_NOT_A_POOL: Context;
  SCAN_PUBLISH_FAILED: Context;
  SCAN_RPC_FAILED: Context & { status?: number; timeout?: true };
  SCAN_SHRED_DECODE: Context;
  // ACCOUNTS_
  ACCOUNTS_BAD_FILE: Context;
  // DEX_
  DEX_ACCOUNT_BAD_DISCRIMINATOR: Context;
  DEX_ACCOUNT_BAD_VALUE: Context;
  DEX_ACCOUNT_MISMATCH: Context;
  DEX_ACCOUNT_MISSING: Context;
  DEX_ACCOUNT_TOO_SHORT: Context;
  DEX_ACCOUNT_WRONG_OWNER: Context;
  DEX_AMOUNT_INVALID: Context;
  DEX_BIN_ARRAY_MISSING: Context;
  DEX_INSUFFICIENT_LIQUIDITY: Context;
  DEX_MINT_NOT_IN_POOL: Context;
  DEX_POOL_NOT_TRADING: Context;
  DEX_SWAP_REJECTED: Context;
  DEX_TICK_ARRAY_MISSING: Context;
  DEX_TOKEN_NOT_TRANSFERABLE: Context;
  DEX_TRANSFER_FEE_EPOCH_REQUIRED: Context;
  DEX_UNKNOWN_VENUE: Context;
  // QUOTE_
  QUOTE_BAD_RESPONSE: Context;
  QUOTE_CIRCUIT_OPEN: Context;
  QUOTE_CONFIG_INVALID: Context;
  QUOTE_INVALID_REQUEST: Context;
  QUOTE_NO_ROUTE: Context;
  QUOTE_RATE_LIMITED: Context;
  QUOTE_STATE_STALE: Context;
  QUOTE_TIMEOUT: Context;
  QUOTE_UPSTREAM_HTTP: Context;
  QUOTE_UPSTREAM_UNREACHABLE: Context;
  // EXEC_
  EXEC_GUARD_WOULD_FAIL: Context;
  EXEC_GUARD_SHORTFALL: Context;
  EXEC_ZERO_OUTPUT: Context;
  EXEC_ALREADY_SUBMITTED: Context;
  EXEC_BAD_AMOUNT: Context;
  EXEC_BAD_CONFIG: Context;
  EXEC_BAD_MARKET: Context;
  EXEC_BAD_POLICY: Context;
  EXEC_BAD_REPORT: Context;
  EXEC_BAD_TIP_POLICY: Context;
  EXEC_BAD_TIP_FLOOR: Context;
  EXEC_BLOCKHASH_EXPIRED: Context;
  EXEC_BUNDLE_REFUSED: Context;
  EXEC_BUNDLE_TOO_LARGE: Context;
  EXEC_COMPUTE_LIMIT: Context;
  EXEC_EMPTY_TRANSACTION: Context;
  EXEC_FLASH_BAD_RESERVE: Context;
  EXEC_FLASH_DISABLED: Context;
  EXEC_FLASH_INDEX: Context;
  EXEC_FLASH_UNAVAILABLE: Context;
  EXEC_FLASH_MINT: Context;
  EXEC_INSUFFICIENT_BALANCE: Context;
  EXEC_JITO_RATE_LIMITED: Context;
  EXEC_JITO_UNAVAILABLE: Context;
  EXEC_JUPITER_SIMULATION: Context;
  EXEC_LOOKUP_TABLE_INACTIVE: Context;
  EXEC_LOOKUP_TABLE_MISSING: Context;
  EXEC_MINT_NOT_IN_POOL: Context;
  EXEC_NOT_LIVE: Context;
  EXEC_NO_BIN_ARRAYS: Context;
  EXEC_NO_META: Context;
  EXEC_NO_ROUTE: Context;
  EXEC_NO_RPC: Context;
  EXEC_NO_TICK_ARRAYS: Context;
  EXEC_NO_TIP_ACCOUNTS: Context;
  EXEC_RECOVER_IN_GROUP: Context;
  EXEC_RPC_ERROR: { rpcCode: number; method: string; endpoint: string };
  EXEC_RPC_UNAVAILABLE: Context;
  EXEC_SIGNATURE_MISMATCH: Context;
  EXEC_SIMULATION_FAILED: Context;
  EXEC_SLIPPAGE: Context;
  EXEC_TX_FAILED: Context;
  EXEC_TX_NOT_FOUND: Context;
  EXEC_TX_TOO_LARGE: Context;
  EXEC_UNSUPPORTED: Context;
  // WALLET_
  WALLET_KEY_INLINE: Context;
  WALLET_UNKNOWN_MINT: Context;
  WALLET_UNKNOWN_EXECUTION: Context;
  WALLET_TX_UNREADABLE: Context;
  WALLET_TREASURE_COUNT: Context;
  WALLET_TRANSFER_FAILED: Context;
  WALLET_ON_HOLD: Context;
  WALLET_NOT_TOKEN_ACCOUNT: Context;
  WALLET_MINT_MISSING: Context;
  WALLET_MINT_INVALID: Context;
  WALLET_KEY_FILE_EXISTS: Context;
  WALLET_KEY_COMMAND_TIMEOUT: Context;
  WALLET_KEY_COMMAND_NOT_FOUND: Context;
  WALLET_KEY_COMMAND_GARBAGE: Context;
  WALLET_KEY_COMMAND_FAILED: Context;
  WALLET_KEY_COMMAND_EMPTY: Context;
  WALLET_JOURNAL_CORRUPT: Context;
  WALLET_FUNDING_SHORTFALL: Context;
  WALLET_EXPLAIN_REASON: Context;
  WALLET_BUSY: Context;
  WALLET_ADDRESS_MISMATCH: Context;
  WALLET_BAD_AMOUNT: Context;
  WALLET_DUPLICATE: Context;
  WALLET_HELD: Context;
  WALLET_KEY_ENV_MISSING: Context;
  WALLET_KEY_FILE_MISSING: Context;
  WALLET_KEY_FILE_PERMISSIONS: Context;
  WALLET_KEY_FORMAT: Context;
  WALLET_KEY_MISMATCH: Context;
  WALLET_NOT_TREASURE: Context;
  WALLET_NO_FREE_WORKER: Context;
  WALLET_NO_WORKERS: Context;
  WALLET_UNKNOWN: Context;
  // WALLETS_
  WALLETS_INVALID: Context;
  WALLETS_DUPLICATE_ADDRESS: Context;
  WALLETS_DUPLICATE_NAME: Context;
  WALLETS_INLINE_SECRET: Context;
  // STORE_
  STORE_CONFIG: Context;
  STORE_FENCED: { resource: string; token: number; current: number };
  STORE_INVALID: Context;
  STORE_LOCKED: Context;
  STORE_MIGRATION_CHANGED: Context;
  STORE_MIGRATION_FAILED: Context;
  STORE_MIGRATION_NAME: Context;
  STORE_OPEN: Context;
  STORE_SCHEMA_NEWER: Context;
  STORE_UNAVAILABLE: Context;
  STORE_UNKNOWN_ORDER: Context;
  // BUS_
  BUS_CLOSED: Context;
  BUS_CONFIG: Context;
  BUS_CONNECT: Context;
  BUS_CONSUMER: Context;
  BUS_ENCODE: Context;
  BUS_JETSTREAM: Context;
  BUS_PUBLISH: Context;
  BUS_STREAM: Context;
  BUS_TIMEOUT: Context;
  // CACHE_
  CACHE_CONFIG: Context;
  CACHE_CONNECT: Context;
  CACHE_INVALID: Context;
  CACHE_UNAVAILABLE: Context;
  // TELEMETRY_
  TELEMETRY_BAD_BODY: Context;
  TELEMETRY_BAD_PORT: Context;
  TELEMETRY_BODY_TOO_LARGE: Context;
  TELEMETRY_LISTEN: Context;
  // SANDBOX_
  SANDBOX_AIRDROP_FAILED: Context;
  SANDBOX_BAD_ACCOUNT: Context;
  SANDBOX_BAD_ADDRESS: Context;
  SANDBOX_BAD_ARGUMENT: Context;
  SANDBOX_BAD_FAULT: Context;
  SANDBOX_BAD_OPTION: Context;
  SANDBOX_BAD_TRANSACTION: Context;
  SANDBOX_LITESVM: Context;
  SANDBOX_PORT_IN_USE: Context;
  SANDBOX_TLS: Context;
  // FILE_
  FILE_NOT_UTF8: Context;
  // SCHEMA_
  SCHEMA_ADDITIONAL_PROPERTIES: Context;
  // INDICATOR_
  INDICATOR_ARITY: Context;
  INDICATOR_BAD_BAR: Context;
  INDICATOR_BAD_DECLARATION: Context;
  INDICATOR_BAD_NAME: Context;
  INDICATOR_BAD_PARAM: Context;
  INDICATOR_BAD_PERIOD: Context;
  INDICATOR_BAR_ORDER: Context;
  INDICATOR_DECLARATIONS_NOT_MAP: Context;
  INDICATOR_NEEDS_VOLUME: Context;
  INDICATOR_UNKNOWN: Context;
  INDICATOR_VOLUME_MISSING: Context;
  // CANDLES_
  CANDLES_BAD_COLUMNS: Context;
  CANDLES_BAD_JSON: Context;
  CANDLES_BAD_ROW: Context;
  CANDLES_BAD_SIDECAR: Context;
  CANDLES_BAD_TIMEFRAME: Context;
  CANDLES_BAD_TIMESTAMP: Context;
  CANDLES_COLUMNS_MISMATCH: Context;
  CANDLES_CONFLICTING_DUPLICATE: Context;
  CANDLES_EMPTY_FILE: Context;
  CANDLES_HIGH_BELOW_LOW: Context;
  CANDLES_KIND_MISMATCH: Context;
  CANDLES_MARKET_MISMATCH: Context;
  CANDLES_MISSING_COLUMN: Context;
  CANDLES_NEGATIVE_PRICE: Context;
  CANDLES_NEGATIVE_VOLUME: Context;
  CANDLES_NON_MONOTONIC: Context;
  CANDLES_NOT_A_NUMBER: Context;
  CANDLES_OHLC_INCONSISTENT: Context;
  CANDLES_TIMEFRAME_MISMATCH: Context;
  CANDLES_TOO_MANY_ERRORS: Context;
  CANDLES_UNREADABLE: Context;
  // AI_
  AI_ANSWER_INVALID: Context;
  AI_BUDGET_EXHAUSTED: Context;
  AI_CANDLES_FILE: Context;
  AI_CHART_INPUT: Context;
  AI_CONFIG: Context;
  AI_HTTP: Context;
  AI_LANGUAGE: Context;
  AI_NO_CHART: Context;
  AI_NOT_CONFIGURED: Context;
  AI_NETWORK: Context;
  AI_QUEUE_FULL: Context;
  AI_RATE_LIMITED: Context;
  AI_REPLAY_FILE: Context;
  AI_REPLAY_MISSING: Context;
  AI_RESPONSE: Context;
  AI_SERVER_ERROR: Context;
  AI_TIMEFRAME: Context;
  AI_TIMEOUT: Context;
  AI_UNEXPECTED: Context;
  // BACKTEST_
  BACKTEST_REPORT_INPUT: Context;
  BACKTEST_BAD_FILL_MODEL: Context;
  BACKTEST_BAD_PERIOD: Context;
  BACKTEST_DATA_NOT_FOUND: Context;
  BACKTEST_NO_BARS: Context;
  BACKTEST_NO_STRATEGY: Context;
  BACKTEST_UNKNOWN_MARKET: Context;
  BACKTEST_UNKNOWN_STRATEGY: Context;
  BACKTEST_DATA_AMBIGUOUS: Context;
  BACKTEST_NO_MARKET_DATA: Context;
  BACKTEST_QUOTE_MISMATCH: Context;
  BACKTEST_TIMEFRAME_MISMATCH: Context;
  // DIFF_
  DIFF_BAD_FAIL_IF: Context;
  // SERVICE_
  SERVICE_UNAVAILABLE: Context;
  // DEMO_
  /** A caller's hook into the demo threw; the demo tore everything down before rethrowing (cause: what the hook threw). */
  DEMO_HOOK_FAILED: { hook: 'onStarted' | 'beforeStop' };
  // MARKET_
  MARKET_SOURCE_RUNNING: Context;
  MARKET_NO_POOLS: Context;
  MARKET_TX_FAILED: Context;
  MARKET_POOL_MISSING: Context;
  MARKET_FIXTURES_MISSING: Context;
  MARKET_BAD_REPLAY: Context;
  MARKET_BAD_OPTION: Context;
  MARKET_BAD_MINT: Context;
  MARKET_ACCOUNT_NOT_FOUND: Context;
  MARKET_RESERVE_INVALID: Context;
  MARKET_KAMINO_SETUP: Context;
}

export type ErrorCode = keyof ErrorContext;

/** The context type of `C` (still open to extra fields, so an error of unknown code reads any field as unknown). */
export type ContextOf<C extends ErrorCode> = ErrorContext[C] & Context;

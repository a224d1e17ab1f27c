-- Orders and their lifecycle, submissions, executions and fills, P&L, strategy state,
-- rule-set versions, wallet balance history and fencing tokens.
-- Atoms are numeric (exact, arbitrary size); times are timestamptz (UTC).
-- Rows written by retried calls carry a client-made id or nonce so a retry never applies twice.

CREATE TABLE orders (
  id            text PRIMARY KEY,
  strategy      text NOT NULL,
  rule          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('decided', 'blocked', 'routed', 'submitted', 'filled', 'failed', 'expired', 'dead-lettered')),
  executor      text,
  reason        text,
  order_json    jsonb NOT NULL,
  insert_nonce  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  seq           bigserial
);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_strategy_idx ON orders (strategy, created_at);

CREATE TABLE submissions (
  order_id   text NOT NULL,
  attempt    integer NOT NULL CHECK (attempt >= 1),
  executor   text NOT NULL,
  worker_id  text,
  wallet     text,
  signature  text,
  bundle_id  text,
  at         timestamptz NOT NULL,
  nonce      text NOT NULL,
  PRIMARY KEY (order_id, attempt)
);

CREATE TABLE executions (
  order_id              text PRIMARY KEY,
  executor              text NOT NULL,
  status                text NOT NULL CHECK (status IN ('filled', 'failed', 'expired', 'rejected')),
  amount_in             numeric NOT NULL CHECK (amount_in >= 0),
  amount_out            numeric NOT NULL CHECK (amount_out >= 0),
  fee_atoms             numeric NOT NULL CHECK (fee_atoms >= 0),
  network_fee_lamports  numeric NOT NULL CHECK (network_fee_lamports >= 0),
  fill_price_usd        double precision,
  signature             text,
  bundle_id             text,
  slot                  bigint,
  reason                text,
  simulated             boolean NOT NULL,
  at                    timestamptz NOT NULL,
  nonce                 text NOT NULL
);
CREATE INDEX executions_at_idx ON executions (at);

CREATE TABLE fills (
  order_id     text NOT NULL REFERENCES executions (order_id),
  leg          integer NOT NULL,
  input_mint   text NOT NULL,
  output_mint  text NOT NULL,
  amount_in    numeric NOT NULL CHECK (amount_in >= 0),
  amount_out   numeric NOT NULL CHECK (amount_out >= 0),
  venue        text,
  PRIMARY KEY (order_id, leg)
);

CREATE TABLE pnl (
  id              text PRIMARY KEY,
  strategy        text NOT NULL,
  order_id        text,
  mint            text NOT NULL,
  realized_atoms  numeric NOT NULL,
  realized_usd    double precision,
  at              timestamptz NOT NULL,
  seq             bigserial
);
CREATE INDEX pnl_strategy_idx ON pnl (strategy, at);

CREATE TABLE strategy_state (
  strategy    text PRIMARY KEY,
  state       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rule_sets (
  id          text PRIMARY KEY,
  hash        text NOT NULL,
  content     text NOT NULL,
  source      text NOT NULL,
  applied_at  timestamptz NOT NULL,
  seq         bigserial
);
CREATE INDEX rule_sets_hash_idx ON rule_sets (hash);

CREATE TABLE wallet_balances (
  id      text PRIMARY KEY,
  wallet  text NOT NULL,
  mint    text NOT NULL,
  atoms   numeric NOT NULL CHECK (atoms >= 0),
  slot    bigint,
  at      timestamptz NOT NULL,
  seq     bigserial
);
CREATE INDEX wallet_balances_idx ON wallet_balances (wallet, mint, at);

CREATE TABLE fences (
  resource  text PRIMARY KEY,
  token     bigint NOT NULL
);

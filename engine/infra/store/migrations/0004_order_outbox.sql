-- A planner's outbox (split roles): the orders a strategy decided, written in the same transaction
-- as the strategy state that counts them as sent, and deleted once published. The strategy's next
-- owner publishes what is left (a planner killed between the two); order ids are deterministic, so
-- a copy that did go out dies at the bus msgId and at the orders primary key.

CREATE TABLE order_outbox (
  order_id    text PRIMARY KEY,
  strategy    text NOT NULL,
  order_json  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  seq         bigserial
);
CREATE INDEX order_outbox_strategy_idx ON order_outbox (strategy, seq);

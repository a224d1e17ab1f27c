-- The bounded history reads at start (RECENT_HISTORY_SQL in sql/store.ts) take the newest rows
-- since a time from pnl, wallet_balances and rule_sets. Their existing indexes lead with strategy,
-- wallet or hash, so those reads scanned and sorted the whole table; these serve the time range
-- and the newest-first order (a backward index scan that stops at the limit).
CREATE INDEX pnl_at_idx ON pnl (at, seq);
CREATE INDEX wallet_balances_at_idx ON wallet_balances (at, seq);
CREATE INDEX rule_sets_applied_at_idx ON rule_sets (applied_at, seq);

-- Which journal line settled each wallet send. The wallet ledger applies a settlement (a send's
-- confirmed deltas, or its failure) to the expected balances in the cache once per signature; the
-- cache's marker is a fast path that a cache losing data forgets, so the claim here decides: a
-- second process settling the same signature is refused even when the marker is gone.

CREATE TABLE wallet_settlements (
  namespace   text NOT NULL,
  signature   text NOT NULL,
  claimant    text NOT NULL,
  settled_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, signature)
);

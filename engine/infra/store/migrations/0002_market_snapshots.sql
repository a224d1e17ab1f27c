-- Time-series market snapshots. A TimescaleDB hypertable (1-day chunks) when the extension
-- can be created here; otherwise native range partitioning by day, one partition per UTC day,
-- which the store creates before writing into a new day.

DO $$
DECLARE
  timescale boolean := false;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
      timescale := true;
    EXCEPTION WHEN OTHERS THEN
      -- Installed but not loadable (e.g. not in shared_preload_libraries): use partitions.
      RAISE NOTICE 'timescaledb not usable (%); using native partitions', SQLERRM;
    END;
  END IF;

  IF timescale THEN
    CREATE TABLE market_snapshots (
      market  text NOT NULL,
      kind    text NOT NULL,
      at      timestamptz NOT NULL,
      data    jsonb NOT NULL,
      PRIMARY KEY (market, kind, at)
    );
    PERFORM create_hypertable('market_snapshots', 'at', chunk_time_interval => interval '1 day');
  ELSE
    CREATE TABLE market_snapshots (
      market  text NOT NULL,
      kind    text NOT NULL,
      at      timestamptz NOT NULL,
      data    jsonb NOT NULL,
      PRIMARY KEY (market, kind, at)
    ) PARTITION BY RANGE (at);
  END IF;
END
$$;

/**
 * Scanner configuration: how to reach the chain, what to watch (pools, programs, oracles), the
 * tokens prices are expressed in, and the tuning of dedup, reconnects, polling, the price feed
 * and the volume monitor. `parseScannerConfig` checks a plain object (errors name the field and
 * value); `loadScannerConfig` reads a YAML file (errors name file, line and column).
 */
import { isAddress } from '../accounts/index.ts';
import { readFileSync } from 'node:fs';
import { parseYaml, positionOf, type PathSegment } from '../config/index.ts';
import { SolrulesError } from '../errors/index.ts';

export type SubscriptionMode = 'websocket' | 'rpc-polling' | 'shredstream';
export type Commitment = 'processed' | 'confirmed' | 'finalized';

export type AccountFilter = { dataSize: number } | { memcmp: { offset: number; bytes: string } };

export interface ProgramWatch {
  programId: string;
  /** Server-side filters (also re-checked client-side: some RPCs ignore them). */
  filters: AccountFilter[];
  /** Client-side: keep only pools trading two of these mints (empty = any). */
  mints: string[];
}

export interface OracleWatch {
  address: string;
  mint: string;
}

/** A Kamino reserve flash loans borrow from (scanner.yaml `reserves:`): read and checked by the initializer. */
export interface ReserveSpec {
  address: string;
  /** The mint it must lend. */
  mint: string;
  /** The lending market it must belong to (checked when given). */
  lendingMarket?: string;
  /** An address lookup table holding the reserve's fixed accounts (a flash-wrapped two-venue route does not fit a transaction without one). */
  lookupTable?: string;
}

export interface TokenSpec {
  mint: string;
  symbol: string;
  decimals: number;
  /** Fixed USD price (stablecoins), used when no oracle prices the token. */
  usd?: number;
}

export interface ScannerConfig {
  subscriptionMode: SubscriptionMode;
  rpcUrl: string;
  /** Default: the RPC URL with ws(s) and port + 1, as web3.js derives it. */
  wsUrl?: string;
  commitment: Commitment;
  pools: string[];
  programs: ProgramWatch[];
  oracles: OracleWatch[];
  /** Kamino reserves flash loans borrow from (none: a round trip asking for a flash loan is refused). */
  reserves: ReserveSpec[];
  tokens: TokenSpec[];
  /** Drop an update seen again within this window (default 5 s). */
  dedupWindowMs: number;
  /** Name shared by scanners that should dedup against each other through a shared cache. */
  dedupScope: string;
  polling: { intervalMs: number; batchSize: number };
  reconnect: { initialMs: number; maxMs: number; staleAfterMs: number };
  shredstream: { url: string | undefined; refreshDelayMs: number };
  /** Slot duration used to estimate the current slot between observations (default 400 ms). */
  slotMs: number;
  /**
   * How long a slot's updates wait for more of the same slot before the scanner publishes them,
   * when nothing has closed the slot (the next slot's notification or first update closes it at
   * once). 0: at the end of the current burst of messages. Default 20 ms.
   */
  settleMs: number;
  /**
   * When a slot's updates are published: `settle` (default) when the slot closes or after
   * `settleMs` without anything closing it (lowest latency); `slot` only when the slot closes (the
   * next slot's notice or update) — one batch per slot whatever the timing, so a single process
   * and processes split by role (`run --role`) publish the same batches, and decide the same.
   */
  batching: 'settle' | 'slot';
  priceFeed: { impactSizesUsd: number[]; historySize: number; minIntervalMs: number };
  volume: { bucketMs: number; spikeWindowMs: number; spikeRatio: number };
}

export const SCANNER_DEFAULTS = {
  commitment: 'confirmed' as Commitment,
  dedupWindowMs: 5_000,
  dedupScope: 'scanner',
  polling: { intervalMs: 1_000, batchSize: 100 },
  reconnect: { initialMs: 250, maxMs: 30_000, staleAfterMs: 10_000 },
  shredstream: { refreshDelayMs: 400 },
  slotMs: 400,
  settleMs: 20,
  batching: 'settle' as 'settle' | 'slot',
  priceFeed: { impactSizesUsd: [1_000, 10_000], historySize: 24, minIntervalMs: 0 },
  volume: { bucketMs: 60_000, spikeWindowMs: 300_000, spikeRatio: 3 },
};

const ADDRESS = { type: 'string', pattern: '^[1-9A-HJ-NP-Za-km-z]{32,44}$', description: 'A base58 address.' } as const;
const MS = (description: string, minimum = 0) => ({ type: 'integer', minimum, description });
const RESERVE_SCHEMA = {
  type: 'object',
  required: ['address', 'mint'],
  additionalProperties: false,
  properties: {
    address: { ...ADDRESS, description: 'The Kamino (klend) reserve account.' },
    mint: { ...ADDRESS, description: 'The mint it must lend (one reserve per mint).' },
    lendingMarket: { ...ADDRESS, description: 'The lending market it must belong to (checked when given).' },
    lookupTable: { ...ADDRESS, description: "An address lookup table holding the reserve's fixed accounts: a flash-wrapped two-venue round trip does not fit a transaction without one." },
  },
} as const;

/**
 * The JSON Schema of a scanner file (schemas/scanner.schema.json, written by `npx solrules schemas`)
 * for editors; `parseScannerConfig` is the authority (its errors carry file, line and column) and
 * takes its known keys from here, so the two cannot drift.
 */
export const SCANNER_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://solrules.dev/schemas/scanner.schema.json',
  title: 'solrules scanner file (scanner.yaml)',
  description: 'What `run --rpc` and `scan` watch: pools, programs, oracles, Kamino reserves, the tokens prices are in, and the scanners\' tuning (docs/market-data.md). Generated from engine/market/config.ts.',
  type: 'object',
  required: ['subscriptionMode', 'rpcUrl'],
  additionalProperties: false,
  properties: {
    subscriptionMode: { enum: ['websocket', 'rpc-polling', 'shredstream'] },
    rpcUrl: { type: 'string', pattern: '^https?://', description: '`run --rpc` replaces it.' },
    wsUrl: { type: 'string', pattern: '^wss?://', description: 'Default: the RPC URL with ws(s) and port + 1; `run --ws` replaces it.' },
    commitment: { enum: ['processed', 'confirmed', 'finalized'], default: SCANNER_DEFAULTS.commitment },
    pools: { type: 'array', items: ADDRESS, description: 'Pools to watch.' },
    programs: {
      type: 'array',
      description: 'Programs whose pools are discovered (programSubscribe / getProgramAccounts).',
      items: {
        type: 'object',
        required: ['programId'],
        additionalProperties: false,
        properties: {
          programId: ADDRESS,
          filters: { type: 'array', items: { oneOf: [{ type: 'object', required: ['dataSize'], properties: { dataSize: { type: 'integer', minimum: 0 } } }, { type: 'object', required: ['memcmp'], properties: { memcmp: { type: 'object', required: ['bytes'], properties: { offset: { type: 'integer', minimum: 0 }, bytes: { type: 'string', pattern: '^[1-9A-HJ-NP-Za-km-z]+$' } } } } }] } },
          mints: { type: 'array', items: ADDRESS, description: 'Keep only pools trading two of these (client-side).' },
        },
      },
    },
    oracles: { type: 'array', items: { type: 'object', required: ['address', 'mint'], additionalProperties: false, properties: { address: ADDRESS, mint: ADDRESS } } },
    reserves: { type: 'array', items: RESERVE_SCHEMA, description: 'Kamino reserves flash loans borrow from: checked by the market-data initializer (ready / NOT READY); a --live run borrows from the ready ones. None: a round trip asking for a flash loan is refused.' },
    tokens: { type: 'array', items: { type: 'object', required: ['mint', 'symbol', 'decimals'], additionalProperties: false, properties: { mint: ADDRESS, symbol: { type: 'string', minLength: 1 }, decimals: { type: 'integer', minimum: 0, maximum: 18 }, usd: { type: 'number', exclusiveMinimum: 0, description: 'Fixed USD price (stablecoins) when no oracle prices it.' } } } },
    dedupWindowMs: MS('Drop an update seen again within this window.', 1),
    dedupScope: { type: 'string', minLength: 1, description: 'Scanners sharing a cache and a scope dedup against each other.' },
    polling: { type: 'object', additionalProperties: false, properties: { intervalMs: MS('rpc-polling interval.', 10), batchSize: { type: 'integer', minimum: 1, maximum: 100 } } },
    reconnect: { type: 'object', additionalProperties: false, properties: { initialMs: MS('First reconnect delay.', 1), maxMs: MS('Longest reconnect delay.', 1), staleAfterMs: MS('A subscription silent this long is reconnected.', 100) } },
    shredstream: { type: 'object', additionalProperties: false, properties: { url: { type: 'string', description: 'host:port of a shredstream proxy (shredstream mode).' }, refreshDelayMs: MS('Delay before a shred-signalled account is read.') } },
    slotMs: MS('Slot duration used between observations.', 1),
    settleMs: MS("How long a slot's updates wait for more of the same slot (0: the end of the burst)."),
    batching: { enum: ['settle', 'slot'], default: 'settle', description: "How updates become market events: 'settle' publishes a burst once it settles; 'slot' closes each slot once (every scanner of a split run past it), so a single process and a split run group updates alike (docs/market-data.md)." },
    priceFeed: { type: 'object', additionalProperties: false, properties: { impactSizesUsd: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 } }, historySize: { type: 'integer', minimum: 1 }, minIntervalMs: MS('Least time between two prices of a mint.') } },
    volume: { type: 'object', additionalProperties: false, properties: { bucketMs: MS('Volume bucket.', 1000), spikeWindowMs: MS('Spike window.', 1000), spikeRatio: { type: 'number', exclusiveMinimum: 1 } } },
  },
} as const;

class Checker {
  constructor(private readonly where: (path: PathSegment[]) => Record<string, unknown>) {}

  fail(path: PathSegment[], value: unknown, expected: string): never {
    const field = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(root)';
    const at = this.where(path);
    const loc = at.file ? `${at.file}:${at.line}:${at.column}: ` : '';
    throw new SolrulesError('SCAN_CONFIG_INVALID', `${loc}scanner config '${field}' must be ${expected}; got ${JSON.stringify(value)}`, { field, value, expected, ...at });
  }

  object(v: unknown, path: PathSegment[]): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, v, 'a mapping');
    return v as Record<string, unknown>;
  }

  known(o: Record<string, unknown>, path: PathSegment[], keys: readonly string[]): void {
    for (const k of Object.keys(o)) if (!keys.includes(k)) this.fail([...path, k], o[k], `one of the known keys (${keys.join(', ')}), not an unknown key`);
  }

  address(v: unknown, path: PathSegment[]): string {
    if (!isAddress(v)) this.fail(path, v, 'a base58 address');
    return v as string;
  }

  number(v: unknown, path: PathSegment[], dflt: number, check: (n: number) => boolean, expected: string): number {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) this.fail(path, v, expected);
    return v as number;
  }

  list(v: unknown, path: PathSegment[]): unknown[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(path, v, 'a list');
    return v as unknown[];
  }

  url(v: unknown, path: PathSegment[], schemes: RegExp): string {
    if (typeof v !== 'string' || !schemes.test(v)) this.fail(path, v, `a URL (${schemes.source})`);
    return v as string;
  }
}

const int = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

/** Checks and completes a scanner config; `SCAN_CONFIG_INVALID` names the field and value. */
export function parseScannerConfig(value: unknown, where: (path: PathSegment[]) => Record<string, unknown> = () => ({})): ScannerConfig {
  const c = new Checker(where);
  const o = c.object(value, []);
  c.known(o, [], Object.keys(SCANNER_CONFIG_SCHEMA.properties));
  const mode = o.subscriptionMode;
  if (mode !== 'websocket' && mode !== 'rpc-polling' && mode !== 'shredstream') c.fail(['subscriptionMode'], mode, "'websocket', 'rpc-polling' or 'shredstream'");
  const commitment = o.commitment ?? SCANNER_DEFAULTS.commitment;
  if (commitment !== 'processed' && commitment !== 'confirmed' && commitment !== 'finalized') c.fail(['commitment'], commitment, "'processed', 'confirmed' or 'finalized'");
  const sub = (key: string) => (o[key] === undefined ? {} : c.object(o[key], [key]));
  const polling = sub('polling');
  c.known(polling, ['polling'], ['intervalMs', 'batchSize']);
  const reconnect = sub('reconnect');
  c.known(reconnect, ['reconnect'], ['initialMs', 'maxMs', 'staleAfterMs']);
  const shred = sub('shredstream');
  c.known(shred, ['shredstream'], ['url', 'refreshDelayMs']);
  const feed = sub('priceFeed');
  c.known(feed, ['priceFeed'], ['impactSizesUsd', 'historySize', 'minIntervalMs']);
  const volume = sub('volume');
  c.known(volume, ['volume'], ['bucketMs', 'spikeWindowMs', 'spikeRatio']);
  if (mode === 'shredstream' && typeof shred.url !== 'string') c.fail(['shredstream', 'url'], shred.url, 'host:port of a shredstream proxy (needed in shredstream mode)');

  const cfg: ScannerConfig = {
    subscriptionMode: mode as SubscriptionMode,
    rpcUrl: c.url(o.rpcUrl, ['rpcUrl'], /^https?:\/\//),
    commitment: commitment as Commitment,
    pools: c.list(o.pools, ['pools']).map((p, i) => c.address(p, ['pools', i])),
    programs: c.list(o.programs, ['programs']).map((p, i) => {
      const po = c.object(p, ['programs', i]);
      c.known(po, ['programs', i], ['programId', 'filters', 'mints']);
      return {
        programId: c.address(po.programId, ['programs', i, 'programId']),
        filters: c.list(po.filters, ['programs', i, 'filters']).map((f, j) => {
          const fo = c.object(f, ['programs', i, 'filters', j]);
          if ('dataSize' in fo) return { dataSize: c.number(fo.dataSize, ['programs', i, 'filters', j, 'dataSize'], 0, int(0), 'a byte count') };
          const m = c.object(fo.memcmp, ['programs', i, 'filters', j, 'memcmp']);
          const bytes = m.bytes;
          if (typeof bytes !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]+$/.test(bytes)) c.fail(['programs', i, 'filters', j, 'memcmp', 'bytes'], bytes, 'base58 bytes');
          return { memcmp: { offset: c.number(m.offset, ['programs', i, 'filters', j, 'memcmp', 'offset'], 0, int(0), 'a byte offset'), bytes: bytes as string } };
        }),
        mints: c.list(po.mints, ['programs', i, 'mints']).map((m, j) => c.address(m, ['programs', i, 'mints', j])),
      };
    }),
    oracles: c.list(o.oracles, ['oracles']).map((p, i) => {
      const oo = c.object(p, ['oracles', i]);
      c.known(oo, ['oracles', i], ['address', 'mint']);
      return { address: c.address(oo.address, ['oracles', i, 'address']), mint: c.address(oo.mint, ['oracles', i, 'mint']) };
    }),
    reserves: c.list(o.reserves, ['reserves']).map((p, i) => {
      const ro = c.object(p, ['reserves', i]);
      c.known(ro, ['reserves', i], Object.keys(RESERVE_SCHEMA.properties));
      const r: ReserveSpec = { address: c.address(ro.address, ['reserves', i, 'address']), mint: c.address(ro.mint, ['reserves', i, 'mint']) };
      if (ro.lendingMarket !== undefined) r.lendingMarket = c.address(ro.lendingMarket, ['reserves', i, 'lendingMarket']);
      if (ro.lookupTable !== undefined) r.lookupTable = c.address(ro.lookupTable, ['reserves', i, 'lookupTable']);
      return r;
    }),
    tokens: c.list(o.tokens, ['tokens']).map((p, i) => {
      const to = c.object(p, ['tokens', i]);
      c.known(to, ['tokens', i], ['mint', 'symbol', 'decimals', 'usd']);
      if (typeof to.symbol !== 'string' || !to.symbol) c.fail(['tokens', i, 'symbol'], to.symbol, 'a token symbol');
      const t: TokenSpec = {
        mint: c.address(to.mint, ['tokens', i, 'mint']),
        symbol: to.symbol as string,
        decimals: c.number(to.decimals, ['tokens', i, 'decimals'], NaN, (n) => Number.isInteger(n) && n >= 0 && n <= 18, 'an integer from 0 to 18'),
      };
      if (Number.isNaN(t.decimals)) c.fail(['tokens', i, 'decimals'], to.decimals, 'an integer from 0 to 18');
      if (to.usd !== undefined) t.usd = c.number(to.usd, ['tokens', i, 'usd'], 0, (n) => n > 0, 'a positive USD price');
      return t;
    }),
    dedupWindowMs: c.number(o.dedupWindowMs, ['dedupWindowMs'], SCANNER_DEFAULTS.dedupWindowMs, int(1), 'a positive number of ms'),
    dedupScope: typeof o.dedupScope === 'string' && o.dedupScope ? o.dedupScope : o.dedupScope === undefined ? SCANNER_DEFAULTS.dedupScope : c.fail(['dedupScope'], o.dedupScope, 'a name'),
    polling: {
      intervalMs: c.number(polling.intervalMs, ['polling', 'intervalMs'], SCANNER_DEFAULTS.polling.intervalMs, int(10), 'at least 10 ms'),
      batchSize: c.number(polling.batchSize, ['polling', 'batchSize'], SCANNER_DEFAULTS.polling.batchSize, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100 (getMultipleAccounts takes at most 100 keys)'),
    },
    reconnect: {
      initialMs: c.number(reconnect.initialMs, ['reconnect', 'initialMs'], SCANNER_DEFAULTS.reconnect.initialMs, int(1), 'a positive number of ms'),
      maxMs: c.number(reconnect.maxMs, ['reconnect', 'maxMs'], SCANNER_DEFAULTS.reconnect.maxMs, int(1), 'a positive number of ms'),
      staleAfterMs: c.number(reconnect.staleAfterMs, ['reconnect', 'staleAfterMs'], SCANNER_DEFAULTS.reconnect.staleAfterMs, int(100), 'at least 100 ms'),
    },
    shredstream: {
      url: typeof shred.url === 'string' ? shred.url : undefined,
      refreshDelayMs: c.number(shred.refreshDelayMs, ['shredstream', 'refreshDelayMs'], SCANNER_DEFAULTS.shredstream.refreshDelayMs, int(0), 'a number of ms'),
    },
    slotMs: c.number(o.slotMs, ['slotMs'], SCANNER_DEFAULTS.slotMs, int(1), 'a positive number of ms'),
    settleMs: c.number(o.settleMs, ['settleMs'], SCANNER_DEFAULTS.settleMs, int(0), 'a number of ms (0: the end of the current burst)'),
    batching: o.batching === undefined ? SCANNER_DEFAULTS.batching : o.batching === 'settle' || o.batching === 'slot' ? o.batching : c.fail(['batching'], o.batching, 'settle or slot'),
    priceFeed: {
      impactSizesUsd: feed.impactSizesUsd === undefined ? [...SCANNER_DEFAULTS.priceFeed.impactSizesUsd] : c.list(feed.impactSizesUsd, ['priceFeed', 'impactSizesUsd']).map((n, i) => c.number(n, ['priceFeed', 'impactSizesUsd', i], 0, (x) => x > 0, 'a positive USD size')),
      historySize: c.number(feed.historySize, ['priceFeed', 'historySize'], SCANNER_DEFAULTS.priceFeed.historySize, int(1), 'a positive integer'),
      minIntervalMs: c.number(feed.minIntervalMs, ['priceFeed', 'minIntervalMs'], SCANNER_DEFAULTS.priceFeed.minIntervalMs, int(0), 'a number of ms'),
    },
    volume: {
      bucketMs: c.number(volume.bucketMs, ['volume', 'bucketMs'], SCANNER_DEFAULTS.volume.bucketMs, int(1_000), 'at least 1000 ms'),
      spikeWindowMs: c.number(volume.spikeWindowMs, ['volume', 'spikeWindowMs'], SCANNER_DEFAULTS.volume.spikeWindowMs, int(1_000), 'at least 1000 ms'),
      spikeRatio: c.number(volume.spikeRatio, ['volume', 'spikeRatio'], SCANNER_DEFAULTS.volume.spikeRatio, (n) => n > 1, 'a ratio above 1'),
    },
  };
  if (o.wsUrl !== undefined) cfg.wsUrl = c.url(o.wsUrl, ['wsUrl'], /^wss?:\/\//);
  if (cfg.reconnect.maxMs < cfg.reconnect.initialMs) c.fail(['reconnect', 'maxMs'], cfg.reconnect.maxMs, `at least reconnect.initialMs (${cfg.reconnect.initialMs})`);
  if (cfg.volume.spikeWindowMs < cfg.volume.bucketMs) c.fail(['volume', 'spikeWindowMs'], cfg.volume.spikeWindowMs, `at least volume.bucketMs (${cfg.volume.bucketMs})`);
  const lent = new Map<string, number>();
  cfg.reserves.forEach((r, i) => {
    // One provider per mint: a second reserve of the same mint would never be borrowed from.
    if (lent.has(r.mint)) c.fail(['reserves', i, 'mint'], r.mint, `a mint no other reserve lends (reserves[${lent.get(r.mint)}] lends it already)`);
    lent.set(r.mint, i);
  });
  if (!cfg.pools.length && !cfg.programs.length && !cfg.oracles.length) c.fail(['pools'], o.pools, 'at least one pool, program or oracle to watch');
  return cfg;
}

/** Reads a scanner config from YAML; errors name file, line and column. */
export function loadScannerConfig(file: string, text = readFileSync(file, 'utf8')): ScannerConfig {
  const src = parseYaml(text, file);
  const diag = src.syntaxErrors[0];
  if (diag) throw new SolrulesError('SCAN_CONFIG_INVALID', `${diag.file}:${diag.line}:${diag.column}: ${diag.message}`, { file: diag.file, line: diag.line, column: diag.column });
  return parseScannerConfig(src.value, (path) => ({ file, ...positionOf(src, path) }));
}

/**
 * Jito's tip floor: the percentiles of tips that landed recently, as the block engine's REST
 * endpoint serves them (`GET …/api/v1/bundles/tip_floor`, values in SOL). Read from a URL the
 * configuration names (the sandbox's block engine in tests and the demo — never the real Jito
 * from tests) or from a JSON file in that format (../shared/fixtures/jito/).
 */
import { readFileSync } from 'node:fs';
import { SolrulesError } from '../../errors/index.ts';

/** Landed-tip percentiles in lamports (exact integers), with when Jito computed them. */
export interface TipFloor {
  time: string;
  p25: bigint;
  p50: bigint;
  p75: bigint;
  p95: bigint;
  p99: bigint;
  emaP50: bigint;
}

const FIELDS = {
  p25: 'landed_tips_25th_percentile',
  p50: 'landed_tips_50th_percentile',
  p75: 'landed_tips_75th_percentile',
  p95: 'landed_tips_95th_percentile',
  p99: 'landed_tips_99th_percentile',
  emaP50: 'ema_landed_tips_50th_percentile',
} as const;

/** SOL (a float, as Jito sends it) to lamports, rounded to the nearest lamport. */
function lamportsOf(sol: unknown, field: string, where: string): bigint {
  if (typeof sol !== 'number' || !Number.isFinite(sol) || sol < 0) throw new SolrulesError('EXEC_BAD_TIP_FLOOR', `${where}: ${field} must be a non-negative number of SOL; got ${JSON.stringify(sol)}`, { field, value: sol, where });
  return BigInt(Math.round(sol * 1e9));
}

/** The latest sample of a tip_floor response (an array of samples, as Jito answers); undefined when empty. */
export function parseTipFloor(json: unknown, where = 'tip_floor'): TipFloor | undefined {
  const list = Array.isArray(json) ? json : [json];
  if (!list.length) return undefined;
  const last = list[list.length - 1] as Record<string, unknown> | null;
  if (!last || typeof last !== 'object') throw new SolrulesError('EXEC_BAD_TIP_FLOOR', `${where}: expected tip-floor samples (objects); got ${JSON.stringify(last)}`, { field: '[]', value: last, where });
  const out = { time: typeof last.time === 'string' ? last.time : new Date(0).toISOString() } as TipFloor;
  for (const [key, field] of Object.entries(FIELDS)) out[key as keyof typeof FIELDS] = lamportsOf(last[field], field, where);
  return out;
}

/** A tip floor from a JSON file: a tip_floor response, or an object holding one as `tipFloorResponseExample` (the fixture's layout). */
export function tipFloorFromFile(path: string): TipFloor | undefined {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return parseTipFloor(json && typeof json === 'object' && 'tipFloorResponseExample' in json ? json.tipFloorResponseExample : json, path);
}

/** Where tip floors come from. */
export interface TipFloorSource {
  /** The latest floor, fetched at most every `refreshMs`; undefined while none is known. */
  current(): TipFloor | undefined;
  /** Fetches now (errors are kept as `lastError`, the previous floor stays). */
  refresh(): Promise<void>;
  close(): void;
}

/** A fixed floor (a fixture file, a test). */
export class StaticTipFloor implements TipFloorSource {
  constructor(private readonly floor: TipFloor | undefined) {}
  current(): TipFloor | undefined {
    return this.floor;
  }
  async refresh(): Promise<void> {}
  close(): void {}
}

/** The block engine's REST tip floor, polled every `refreshMs` (default 10 s; Jito updates it about once a minute). */
export class HttpTipFloor implements TipFloorSource {
  private floor: TipFloor | undefined;
  private timer: NodeJS.Timeout | undefined;
  lastError: string | undefined;

  constructor(
    readonly url: string,
    private readonly opts: { refreshMs?: number; timeoutMs?: number } = {},
  ) {}

  current(): TipFloor | undefined {
    return this.floor;
  }

  async refresh(): Promise<void> {
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.floor = parseTipFloor(await res.json(), this.url) ?? this.floor;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  /** Fetches once, then keeps polling in the background (the timer does not hold the process). */
  async start(): Promise<this> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs ?? 10_000);
    this.timer.unref();
    return this;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

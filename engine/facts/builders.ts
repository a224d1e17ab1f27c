/**
 * Normalized facts: typed shapes of what the catalog (catalog.ts) declares, and
 * builders for the facts every strategy shares (price, time, wallet). Planners build their own.
 */
export interface PriceFact {
  mint: string;
  symbol: string;
  usd: number;
  bidUsd?: number;
  askUsd?: number;
  confidenceUsd?: number;
  recentUsd: number[];
  changePct: number;
  slot: number;
  timestamp: number;
  source: string;
}

export interface TimeFact {
  unix: number;
  iso: string;
  hourUtc: number;
  dayOfWeek: number;
}

export interface WalletFact {
  available: boolean;
  tier?: string;
  solBalance?: number;
  baseBalance: number;
  quoteBalance: number;
  baseAtoms: string;
  quoteAtoms: string;
}

/** Price fact from the latest price and a window of recent ones (oldest first). */
export function priceFact(input: { mint: string; symbol: string; recentUsd: readonly number[]; time: Date; source: string; slot?: number }): PriceFact {
  const recent = [...input.recentUsd];
  const usd = recent[recent.length - 1]!;
  const first = recent[0]!;
  return {
    mint: input.mint,
    symbol: input.symbol,
    usd,
    recentUsd: recent,
    changePct: first ? ((usd - first) / first) * 100 : 0,
    slot: input.slot ?? 0,
    timestamp: Math.floor(input.time.getTime() / 1000),
    source: input.source,
  };
}

/** Time fact for an evaluation at `time`. */
export function timeFact(time: Date): TimeFact {
  return { unix: Math.floor(time.getTime() / 1000), iso: time.toISOString(), hourUtc: time.getUTCHours(), dayOfWeek: time.getUTCDay() };
}

/** Wallet fact from atom balances. */
export function walletFact(input: { baseAtoms: bigint; quoteAtoms: bigint; baseDecimals: number; quoteDecimals: number; available?: boolean; tier?: string }): WalletFact {
  return {
    available: input.available ?? true,
    ...(input.tier ? { tier: input.tier } : {}),
    baseBalance: Number(input.baseAtoms) / 10 ** input.baseDecimals,
    quoteBalance: Number(input.quoteAtoms) / 10 ** input.quoteDecimals,
    baseAtoms: input.baseAtoms.toString(),
    quoteAtoms: input.quoteAtoms.toString(),
  };
}

/** Scanner test helpers: the local sandbox loaded with the fixture pools, a config for it, and a bus recorder. */
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { MemoryBus, type BusMessage } from '../../engine/infra/bus/index.ts';
import { parseScannerConfig, type AccountSource, type MarketScanner, type ScannerConfig, type SourceSink, type SourceStats } from '../../engine/market/index.ts';
import type { AccountSnapshot } from '../../engine/accounts/index.ts';
import { orcaAccounts, ORCA_POOL, PYTH_SOL_USD, pythAccount, raydiumAccounts, RAYDIUM_POOL, SOL, USDC } from '../quotes/support.ts';
import { waitUntil } from '../support/wait.ts';

export const TOKENS = [
  { mint: SOL, symbol: 'SOL', decimals: 9 },
  { mint: USDC, symbol: 'USDC', decimals: 6, usd: 1 },
];

/** A sandbox (manual slots unless told) holding the Raydium and Orca SOL/USDC pools and the Pyth SOL/USD account. */
export async function fixtureSandbox(opts: { slotMs?: number | 'manual'; raydium?: Map<string, AccountSnapshot> } = {}): Promise<Sandbox> {
  const accounts = [...(opts.raydium ?? raydiumAccounts()).values(), ...orcaAccounts().values(), pythAccount()];
  return startSandbox({ slotMs: opts.slotMs ?? 'manual', accounts });
}

export function sandboxConfig(sb: Sandbox, extra: Record<string, unknown> = {}): ScannerConfig {
  return parseScannerConfig({
    subscriptionMode: 'websocket',
    rpcUrl: sb.rpcUrl,
    wsUrl: sb.wsUrl,
    pools: [RAYDIUM_POOL, ORCA_POOL],
    oracles: [{ address: PYTH_SOL_USD, mint: SOL }],
    tokens: TOKENS,
    reconnect: { initialMs: 50, maxMs: 400, staleAfterMs: 60_000 },
    polling: { intervalMs: 100 },
    ...extra,
  });
}

/** Records every message published under `pattern`. */
export async function recorder(bus: MemoryBus, pattern = '>'): Promise<{ messages: BusMessage<any>[]; on(subject: string): any[] }> {
  const messages: BusMessage<any>[] = [];
  await bus.subscribe(pattern, (m) => {
    messages.push(m);
  });
  return { messages, on: (subject: string) => messages.filter((m) => m.subject === subject).map((m) => m.data) };
}

/** Resolves once `check()` is true; rejects after `timeoutMs`. */
export function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  return waitUntil(check, { what, timeoutMs });
}

/** An account source a test drives by hand through the sink the scanner hands it (`mode`: the source it stands for). */
export class HandSource implements AccountSource {
  sink!: SourceSink;
  constructor(readonly mode: AccountSource['mode'] = 'websocket') {}
  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
  }
  async watch(): Promise<void> {}
  async stop(): Promise<void> {}
  stats(): SourceStats {
    return { mode: this.mode, connected: true, reconnects: 0, watched: 0, lastMessageAt: undefined };
  }
}

/** Every pool's exact quote of 1 SOL and 100 USDC, both ways, as a comparable string. */
export function poolQuotes(scanner: MarketScanner, sol: string, usdc: string): string {
  return scanner.market
    .poolsFor(sol, usdc)
    .map((e) => `${e.state.address}:${e.venue.quoteExactIn(e.state, sol, 1_000_000_000n).amountOut}:${e.venue.quoteExactIn(e.state, usdc, 100_000_000n).amountOut}`)
    .sort()
    .join(' ');
}

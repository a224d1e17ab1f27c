/** Scanner test helpers: the local sandbox loaded with the fixture pools, a config for it, and a bus recorder. */
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { MemoryBus, type BusMessage } from '../../engine/infra/bus/index.ts';
import { parseScannerConfig, type ScannerConfig } from '../../engine/market/index.ts';
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

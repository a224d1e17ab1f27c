/** The initializer's report as lines for the start banner, and as metrics. */
import { metrics } from '../../infra/telemetry/index.ts';
import { NOT_READY_REASONS, type MarketReadiness } from './initializer.ts';
import { VENUES } from '../../venues/index.ts';

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/** Sets the readiness gauges: ready pools per venue, not-ready pools per reason, the time, the calls. */
export function recordReadinessMetrics(r: MarketReadiness): void {
  for (const v of VENUES) metrics.scanner.poolsReady.set({ venue: v.id }, r.pools.filter((p) => p.ready && p.venue === v.id).length);
  for (const reason of NOT_READY_REASONS) metrics.scanner.poolsNotReady.set({ reason }, r.pools.filter((p) => !p.ready && p.reason === reason).length);
  metrics.scanner.initSeconds.set(r.durationMs / 1000);
  metrics.scanner.initRpcCalls.set(r.rpc.calls);
}

/** The report for people: one summary line, then one line per pool, oracle, reserve and route. */
export function describeReadiness(r: MarketReadiness, opts: { symbols?: ReadonlyMap<string, string>; concurrency?: number } = {}): string[] {
  const sym = (m: string) => opts.symbols?.get(m) ?? short(m);
  const notReady = r.pools.length - r.ready.length;
  const lines = [
    `market data ready in ${Math.round(r.durationMs)} ms: ${r.ready.length} of ${r.pools.length} pool(s) ready${notReady ? `, ${notReady} NOT READY (excluded from trading)` : ''}; ${r.rpc.accounts} account(s) in ${r.rpc.calls} getMultipleAccounts call(s) of at most ${r.rpc.maxKeysPerCall} keys${r.rpc.failures ? `, ${r.rpc.failures} failed call(s)` : ''}${r.cached ? `; ${r.cached} readiness entr${r.cached === 1 ? 'y' : 'ies'} cached` : ''}`,
  ];
  for (const p of r.pools) {
    if (p.ready) {
      const [a, b] = p.mints!;
      const fees = [a, b].filter((m) => m.transferFeeBps).map((m) => `${sym(m.address)} transfer fee ${m.transferFeeBps} bps`);
      lines.push(`  ready      ${(p.venue ?? '?').padEnd(15)} ${p.address} ${sym(a.address)}/${sym(b.address)} reserves ${p.reserves!.reserveA}/${p.reserves!.reserveB} atoms, ${p.accounts.length} accounts${fees.length ? `; ${fees.join(', ')}` : ''}`);
    } else {
      lines.push(`  NOT READY  ${(p.venue ?? '?').padEnd(15)} ${p.address} — ${p.reason} (${p.code}): ${p.detail}`);
    }
  }
  for (const o of r.oracles) lines.push(o.ready ? `  oracle     ${o.address} (${sym(o.mint)}) ready` : `  oracle     ${o.address} (${sym(o.mint)}) NOT READY — ${o.code}: ${o.detail}`);
  for (const s of r.reserves) {
    lines.push(s.ready
      ? `  reserve    ${s.address} (Kamino, ${sym(s.mint)}) ready: ${s.reserve!.availableAmount} atoms available, flash-loan fee ${s.flashLoanFeeBps?.toFixed(4)} bps`
      : `  reserve    ${s.address} (Kamino, ${sym(s.mint)}) NOT READY — ${s.code}: ${s.detail}`);
  }
  if (r.routesError) lines.push(`  routes from history: not read (${r.routesError})`);
  else if (r.routes.length) {
    const ready = new Set(r.ready);
    lines.push(`  routes from history: ${r.routes.length} that made money before`);
    for (const t of r.routes) lines.push(`    ${t.key} ${t.legs.map((l) => `${l.venue} ${short(l.pool)}`).join(' → ')}: ${t.profitableFills} fill(s), +${t.profitAtoms} ${sym(t.inputMint)} atoms${t.legs.every((l) => ready.has(l.pool)) ? '' : ' (a pool of it is not ready)'}`);
  }
  return lines;
}

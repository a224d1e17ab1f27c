/** `wallets status`: per wallet and asset, actual against expected, with the target, tier, use and hold. */
import type { MintInfo } from './chain.ts';
import { SOL, type WalletLedger } from './ledger.ts';
import type { Holding, ManagedWallet } from './plan.ts';

export interface StatusRow {
  wallet: string;
  tier: string;
  address: string;
  /** `SOL` or the mint's name from wallets.yaml. */
  asset: string;
  mint: string;
  decimals: number;
  /** Exact atoms (lamports for SOL) as decimal strings. */
  actual: string;
  expected: string | null;
  difference: string | null;
  target: string | null;
  reservedFor: string;
  onHold: boolean;
  /** A transfer touching this wallet is sent but not settled in the journal. */
  pending: boolean;
}

/** One row per wallet for SOL and per mint it has a target for, a token account of, or an expectation about. */
export function walletStatus(managed: readonly ManagedWallet[], mints: readonly MintInfo[], holdings: Map<string, Holding>, ledger: WalletLedger): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const w of managed) {
    const h = holdings.get(w.address)!;
    const base = { wallet: w.name, tier: w.tier, address: w.address, reservedFor: w.reservedFor, onHold: ledger.hold(w.address) !== undefined, pending: ledger.isPending(w.address) };
    const row = (asset: string, mint: string, decimals: number, actual: bigint, target: bigint | undefined): StatusRow => {
      const expected = ledger.expected(w.address, mint);
      return { ...base, asset, mint, decimals, actual: actual.toString(), expected: expected?.toString() ?? null, difference: expected === undefined ? null : (actual - expected).toString(), target: target?.toString() ?? null };
    };
    rows.push(row('SOL', SOL, 9, h.lamports, w.targetLamports));
    for (const m of mints) {
      const t = h.tokens.get(m.address)!;
      if (!t.exists && !w.targetTokens.has(m.address) && ledger.expected(w.address, m.address) === undefined) continue;
      rows.push(row(m.name, m.address, m.decimals, t.atoms, w.targetTokens.get(m.address)));
    }
  }
  return rows;
}

/** Atoms as a decimal amount, exactly (no floats). */
export function formatAtoms(atoms: string | null, decimals: number): string {
  if (atoms === null) return '—';
  const neg = atoms.startsWith('-');
  const digits = (neg ? atoms.slice(1) : atoms).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = decimals ? `.${digits.slice(-decimals)}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/** A text table (amounts in whole units with every decimal; atoms in JSON). */
export function formatStatus(rows: readonly StatusRow[]): string {
  const head = ['wallet', 'tier', 'asset', 'actual', 'expected', 'difference', 'target', 'state', 'reserved for'];
  const body = rows.map((r) => [
    r.wallet,
    r.tier,
    r.asset,
    formatAtoms(r.actual, r.decimals),
    formatAtoms(r.expected, r.decimals),
    r.difference === null ? 'not recorded' : r.difference === '0' ? '0' : formatAtoms(r.difference, r.decimals),
    formatAtoms(r.target, r.decimals),
    r.onHold ? 'ON HOLD' : r.pending ? 'pending' : r.difference === null || r.difference === '0' ? 'ok' : 'differs',
    r.reservedFor,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = new Set([3, 4, 5, 6]);
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}

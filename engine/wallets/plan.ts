/**
 * Funding and sweep plans: what each managed wallet should hold (wallets.yaml targets, exact
 * atoms), what it holds now (one batched read), and the transfers that close the gap — checked
 * against what the treasure can give before anything is sent.
 */
import { SolrulesError } from '../errors/index.ts';
import type { WalletsConfig, WalletTier } from './config.ts';
import { solToLamports, type Keystore, type WalletSigner } from './keystore.ts';
import { ataOf, getAccounts, tokenAmount, type JsonRpc, type MintInfo } from './chain.ts';
import { SOL, type Asset } from './ledger.ts';

const TIER_USE: Record<WalletTier, string> = {
  treasure: 'reserve: funds controllers and workers',
  controller: 'controls workers, pays lookup tables',
  proxy: 'funding hops',
  worker: 'signs orders',
};

/** A wallet under management with its resolved targets. */
export interface ManagedWallet {
  signer: WalletSigner;
  name: string;
  tier: WalletTier;
  address: string;
  reservedFor: string;
  minLamports: bigint;
  /** Target lamports, undefined when none is configured. */
  targetLamports: bigint | undefined;
  /** Target atoms by mint address. */
  targetTokens: Map<string, bigint>;
  /** wallets.yaml maxBalanceSol in lamports. */
  capLamports: bigint | undefined;
}

function atoms(v: string, field: string): bigint {
  if (!/^(0|[1-9]\d*)$/.test(v)) throw new SolrulesError('WALLET_BAD_AMOUNT', `${field} must be a whole number of atoms as a string; got '${v}'`, { field, value: v });
  return BigInt(v);
}

/** Resolves every wallet's targets (its own `target`, else its tier's) against the configured mints. */
export function managedWallets(cfg: WalletsConfig, keystore: Keystore): ManagedWallet[] {
  const mints = cfg.mints ?? {};
  return cfg.wallets.map((w) => {
    const signer = keystore.get(w.name);
    const t = w.target ?? (w.tier === 'treasure' ? undefined : cfg.targets?.[w.tier]);
    const targetTokens = new Map<string, bigint>();
    for (const [name, v] of Object.entries(t?.tokens ?? {})) {
      const mint = mints[name];
      if (!mint) throw new SolrulesError('WALLET_UNKNOWN_MINT', `wallet '${w.name}': target names mint '${name}', which is not under mints:`, { wallet: w.name, field: 'tokens', value: name });
      targetTokens.set(mint, atoms(v, `${w.name}.target.tokens.${name}`));
    }
    return {
      signer,
      name: w.name,
      tier: w.tier,
      address: signer.address,
      reservedFor: w.reservedFor ?? TIER_USE[w.tier],
      minLamports: signer.minBalanceLamports,
      targetLamports: t?.lamports !== undefined ? atoms(t.lamports, `${w.name}.target.lamports`) : signer.targetBalanceLamports,
      targetTokens,
      capLamports: w.maxBalanceSol !== undefined ? solToLamports(w.maxBalanceSol) : undefined,
    };
  });
}

/** One wallet's holdings: lamports, and per mint its associated token account. */
export interface Holding {
  lamports: bigint;
  /** By mint address: the ATA, whether it exists, its amount and rent lamports. */
  tokens: Map<string, { ata: string; exists: boolean; atoms: bigint; lamports: bigint }>;
}

/** Reads every managed wallet and its token accounts (getMultipleAccounts, ≤100 a call). */
export async function readHoldings(rpc: JsonRpc, wallets: readonly ManagedWallet[], mints: readonly MintInfo[]): Promise<{ holdings: Map<string, Holding>; calls: number; accounts: number; slot: number }> {
  const addrs: string[] = [];
  for (const w of wallets) {
    addrs.push(w.address);
    for (const m of mints) addrs.push(ataOf(w.address, m));
  }
  const { accounts, calls, slot } = await getAccounts(rpc, addrs);
  const holdings = new Map<string, Holding>();
  let i = 0;
  for (const w of wallets) {
    const h: Holding = { lamports: accounts[i++]?.lamports ?? 0n, tokens: new Map() };
    for (const m of mints) {
      const acc = accounts[i];
      h.tokens.set(m.address, { ata: addrs[i]!, exists: acc !== null, atoms: tokenAmount(acc ?? null), lamports: acc?.lamports ?? 0n });
      i++;
    }
    holdings.set(w.address, h);
  }
  return { holdings, calls, accounts: addrs.length, slot };
}

/** One transaction of a plan: everything that moves between the treasure and one wallet. */
export interface PlanStep {
  wallet: ManagedWallet;
  lamports: bigint;
  /** Token atoms by mint address. */
  tokens: Map<string, bigint>;
  /** Mints whose token account must be created (for the wallet when funding, the treasure when sweeping). */
  createAccounts: string[];
  /** Where a top-up comes from when not the treasure (a controller, by a wallet rule); it signs and pays the fee. */
  source?: ManagedWallet;
}

export interface Plan {
  op: 'fund' | 'sweep';
  steps: PlanStep[];
  /** What the treasure pays or receives, by asset, fees and rent included. */
  treasureNeeds: Map<Asset, bigint>;
}

/** What a base signature costs (agave's and LiteSVM's default; no priority fee is added). */
export const LAMPORTS_PER_SIGNATURE = 5_000n;

/** Tops every wallet with a target up to it; creates each token account a token target needs. */
export function fundingPlan(wallets: readonly ManagedWallet[], holdings: Map<string, Holding>, opts: { tokenAccountRent: bigint }): Plan {
  const steps: PlanStep[] = [];
  const needs = new Map<Asset, bigint>([[SOL, 0n]]);
  const need = (a: Asset, v: bigint) => needs.set(a, (needs.get(a) ?? 0n) + v);
  for (const w of wallets) {
    if (w.tier === 'treasure') continue;
    const h = holdings.get(w.address)!;
    const step: PlanStep = { wallet: w, lamports: 0n, tokens: new Map(), createAccounts: [] };
    if (w.targetLamports !== undefined && h.lamports < w.targetLamports) step.lamports = w.targetLamports - h.lamports;
    for (const [mint, target] of w.targetTokens) {
      const t = h.tokens.get(mint)!;
      if (!t.exists) step.createAccounts.push(mint);
      if (t.atoms < target) step.tokens.set(mint, target - t.atoms);
    }
    if (step.lamports === 0n && step.tokens.size === 0 && step.createAccounts.length === 0) continue;
    steps.push(step);
    need(SOL, step.lamports + BigInt(step.createAccounts.length) * opts.tokenAccountRent + LAMPORTS_PER_SIGNATURE);
    for (const [mint, v] of step.tokens) need(mint, v);
  }
  return { op: 'fund', steps, treasureNeeds: needs };
}

/** Returns to the treasure what each wallet holds above its target; wallets without a target are left alone. */
export function sweepPlan(wallets: readonly ManagedWallet[], holdings: Map<string, Holding>, treasure: ManagedWallet, opts: { tokenAccountRent: bigint }): Plan {
  const steps: PlanStep[] = [];
  const th = holdings.get(treasure.address)!;
  const created = new Set<string>();
  let fees = 0n;
  for (const w of wallets) {
    if (w.tier === 'treasure') continue;
    const h = holdings.get(w.address)!;
    const step: PlanStep = { wallet: w, lamports: 0n, tokens: new Map(), createAccounts: [] };
    if (w.targetLamports !== undefined && h.lamports > w.targetLamports) step.lamports = h.lamports - w.targetLamports;
    for (const [mint, target] of w.targetTokens) {
      const t = h.tokens.get(mint)!;
      if (t.atoms > target) {
        step.tokens.set(mint, t.atoms - target);
        if (!th.tokens.get(mint)!.exists && !created.has(mint)) {
          created.add(mint);
          step.createAccounts.push(mint);
        }
      }
    }
    if (step.lamports === 0n && step.tokens.size === 0) continue;
    steps.push(step);
    // The treasure pays the fee (both sign), so a swept wallet ends exactly at its target.
    fees += 2n * LAMPORTS_PER_SIGNATURE + BigInt(step.createAccounts.length) * opts.tokenAccountRent;
  }
  return { op: 'sweep', steps, treasureNeeds: new Map([[SOL, fees]]) };
}

export interface Shortfall {
  asset: string;
  mint: Asset;
  needed: string;
  available: string;
  short: string;
}

/** Refuses a plan the treasure cannot cover (its SOL above its own floor, its token balances), naming each shortfall. */
export function checkTreasureCovers(plan: Plan, treasure: ManagedWallet, holding: Holding, mints: readonly MintInfo[]): void {
  const shortfalls: Shortfall[] = [];
  for (const [asset, needed] of plan.treasureNeeds) {
    const available = asset === SOL ? (holding.lamports > treasure.minLamports ? holding.lamports - treasure.minLamports : 0n) : (holding.tokens.get(asset)?.atoms ?? 0n);
    if (needed > available) {
      const name = asset === SOL ? 'SOL' : (mints.find((m) => m.address === asset)?.name ?? asset);
      shortfalls.push({ asset: name, mint: asset, needed: needed.toString(), available: available.toString(), short: (needed - available).toString() });
    }
  }
  if (shortfalls.length === 0) return;
  const unit = (s: Shortfall) => (s.mint === SOL ? 'lamports' : 'atoms');
  throw new SolrulesError(
    'WALLET_FUNDING_SHORTFALL',
    `the treasure '${treasure.name}' cannot cover this ${plan.op} plan; nothing was sent: ${shortfalls
      .map((s) => `${s.asset} short by ${s.short} ${unit(s)} (needs ${s.needed}, has ${s.available}${s.mint === SOL ? ` above its floor of ${treasure.minLamports}` : ''})`)
      .join('; ')}`,
    { wallet: treasure.name, op: plan.op, shortfalls },
  );
}

/**
 * Rebalancing as rules: each wallet's facts (tier, SOL balance, floor, target, cap, hold) go
 * through the `kind: wallets` rule file (rules/wallets.yaml); every `rebalance` event becomes a
 * journalled transfer — `top-up` to the wallet's SOL target from a controller (`from: controller`)
 * or the treasure, `sweep` of what is above its target back to the treasure. A wallet on hold
 * is never touched, whatever the rules say; a top-up no controller can afford is reported, not sent.
 */
import { metrics } from '../infra/telemetry/index.ts';
import type { Evaluator } from '../rules/index.ts';
import { LAMPORTS_PER_SIGNATURE, type Holding, type ManagedWallet, type Plan, type PlanStep } from './plan.ts';
import type { WalletLedger } from './ledger.ts';

export interface RebalanceDecision {
  wallet: string;
  rule: string;
  action: string;
  lamports: string;
  from?: string;
  to?: string;
  /** Why nothing is sent for it (no target, no funded controller, on hold). */
  skipped?: string;
}

const sol = (l: bigint | undefined) => (l === undefined ? 0 : Number(l) / 1e9);

/** The `wallet` fact of one managed wallet, as wallet rules see it. */
export function walletRuleFact(w: ManagedWallet, h: Holding, onHold: boolean, expectedLamports?: bigint): Record<string, unknown> {
  const difference = expectedLamports === undefined ? 0n : h.lamports - expectedLamports;
  return {
    name: w.name,
    tier: w.tier,
    onHold,
    available: !onHold,
    solBalance: sol(h.lamports),
    floorSol: sol(w.minLamports),
    targetSol: sol(w.targetLamports),
    hasCap: w.capLamports !== undefined,
    capSol: sol(w.capLamports),
    discrepancy: difference !== 0n,
    differenceSol: Number(difference) / 1e9,
  };
}

/** Evaluates the wallet rules for every wallet and turns their events into fund (top-up) and sweep plans. */
export async function rebalancePlans(evaluator: Evaluator, managed: readonly ManagedWallet[], holdings: Map<string, Holding>, ledger: WalletLedger): Promise<{ decisions: RebalanceDecision[]; topUps: Plan; sweeps: Plan }> {
  const decisions: RebalanceDecision[] = [];
  const topUps: PlanStep[] = [];
  const sweeps: PlanStep[] = [];
  const committed = new Map<string, bigint>(); // lamports already promised by each controller
  for (const w of managed) {
    const h = holdings.get(w.address)!;
    const onHold = ledger.hold(w.address) !== undefined;
    const events = await evaluator.evaluate({ wallet: walletRuleFact(w, h, onHold, ledger.expected(w.address, 'SOL')) });
    for (const e of events) {
      if (e.type !== 'rebalance') continue;
      const action = String(e.params.action);
      const d: RebalanceDecision = { wallet: w.name, rule: e.ruleId, action, lamports: '0' };
      decisions.push(d);
      if (onHold) {
        d.skipped = 'on hold';
        continue;
      }
      if (action === 'top-up') {
        if (w.targetLamports === undefined || h.lamports >= w.targetLamports) {
          d.skipped = w.targetLamports === undefined ? 'no SOL target to top up to' : 'already at its target';
          continue;
        }
        const amount = w.targetLamports - h.lamports;
        d.lamports = amount.toString();
        let source: ManagedWallet | undefined;
        if (e.params.from === 'controller') {
          source = managed.find((c) => {
            if (c.tier !== 'controller' || ledger.hold(c.address)) return false;
            const spare = holdings.get(c.address)!.lamports - c.minLamports - (committed.get(c.address) ?? 0n);
            return spare >= amount + LAMPORTS_PER_SIGNATURE;
          });
          if (!source) {
            d.skipped = `no controller holds ${amount} lamports above its floor`;
            continue;
          }
          committed.set(source.address, (committed.get(source.address) ?? 0n) + amount + LAMPORTS_PER_SIGNATURE);
          d.from = source.name;
        } else d.from = 'treasure';
        topUps.push({ wallet: w, lamports: amount, tokens: new Map(), createAccounts: [], ...(source ? { source } : {}) });
      } else if (action === 'sweep') {
        const keep = w.targetLamports ?? w.capLamports;
        if (keep === undefined || h.lamports <= keep) {
          d.skipped = keep === undefined ? 'no target or cap to sweep down to' : 'not above its target';
          continue;
        }
        d.lamports = (h.lamports - keep).toString();
        d.to = 'treasure';
        sweeps.push({ wallet: w, lamports: h.lamports - keep, tokens: new Map(), createAccounts: [] });
      } else d.skipped = `unknown action '${action}' (expected top-up or sweep)`;
    }
  }
  const need = (steps: PlanStep[], perStep: bigint) => new Map([['SOL', steps.filter((s) => !s.source).reduce((a, s) => a + s.lamports + perStep, 0n)]]);
  return {
    decisions,
    topUps: { op: 'fund', steps: topUps, treasureNeeds: need(topUps, LAMPORTS_PER_SIGNATURE) },
    sweeps: { op: 'sweep', steps: sweeps, treasureNeeds: new Map([['SOL', BigInt(sweeps.length) * 2n * LAMPORTS_PER_SIGNATURE]]) },
  };
}

/** Counts carried-out rebalances on solrules_wallet_rebalances_total. */
export function countRebalances(steps: readonly PlanStep[]): void {
  for (const s of steps) metrics.wallets.rebalances.inc({ tier: s.wallet.tier });
}

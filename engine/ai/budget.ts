/**
 * The daily spending limit: API calls and estimated cost per UTC day, from configured per-token
 * prices. Every HTTP attempt reserves a call first; once a limit is reached no call is made until
 * the next UTC day and analyses end with status `budget-exhausted`.
 */
import { SolrulesError } from '../errors/index.ts';
import type { Clock } from './support.ts';

/** USD per million tokens (what the provider's price list says). */
export interface TokenPrices {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface BudgetLimits {
  maxCallsPerDay: number;
  maxCostUsdPerDay: number;
  prices: TokenPrices;
}

export interface BudgetStatus {
  day: string;
  calls: number;
  costUsd: number;
  maxCallsPerDay: number;
  maxCostUsdPerDay: number;
  exhausted: boolean;
  reason?: string;
}

/** Estimated cost of a call's usage. */
export function costOf(usage: Usage, prices: TokenPrices): number {
  return (usage.promptTokens * prices.inputPerMillion + usage.completionTokens * prices.outputPerMillion) / 1e6;
}

export class DailyBudget {
  private day = '';
  private calls = 0;
  private costUsd = 0;
  /** Analyses refused for this budget day's limit (the day's first is logged, the rest counted). */
  private refused = 0;
  /** A past budget day whose refusals were not summed up yet. */
  private unreported: { day: string; refused: number } | undefined;

  constructor(
    readonly limits: BudgetLimits,
    private readonly clock: Clock,
  ) {
    for (const [k, v] of Object.entries({ maxCallsPerDay: limits.maxCallsPerDay, maxCostUsdPerDay: limits.maxCostUsdPerDay, inputPerMillion: limits.prices.inputPerMillion, outputPerMillion: limits.prices.outputPerMillion })) {
      if (!(Number.isFinite(v) && v >= 0)) throw new SolrulesError('AI_CONFIG', `budget ${k} must be a number >= 0; got ${v}`, { field: k, value: v });
    }
  }

  private roll(): void {
    const day = new Date(this.clock.now()).toISOString().slice(0, 10);
    if (day !== this.day) {
      if (this.refused > 0) this.unreported = { day: this.day, refused: this.refused };
      this.day = day;
      this.calls = 0;
      this.costUsd = 0;
      this.refused = 0;
    }
  }

  /** Why no call may be made now, or undefined when one may. */
  refusal(): string | undefined {
    this.roll();
    if (this.calls >= this.limits.maxCallsPerDay) return `daily call limit reached (${this.calls}/${this.limits.maxCallsPerDay} calls on ${this.day} UTC)`;
    if (this.costUsd >= this.limits.maxCostUsdPerDay) return `daily cost limit reached ($${this.costUsd.toFixed(4)} of $${this.limits.maxCostUsdPerDay} on ${this.day} UTC)`;
    return undefined;
  }

  /** Counts one call, or throws AI_BUDGET_EXHAUSTED when a limit is reached. */
  reserveCall(): void {
    const reason = this.refusal();
    if (reason) throw new SolrulesError('AI_BUDGET_EXHAUSTED', `AI analysis stopped: ${reason}`, { day: this.day, calls: this.calls, costUsd: this.costUsd });
    this.calls++;
  }

  /** Adds a call's token usage to today's estimated cost; returns the call's cost. */
  charge(usage: Usage): number {
    this.roll();
    const cost = costOf(usage, this.limits.prices);
    this.costUsd += cost;
    return cost;
  }

  /** Counts an analysis refused for the limit; returns how many this budget day has refused (1: the first, the one to log). */
  countRefused(): number {
    this.roll();
    return ++this.refused;
  }

  /**
   * The refusals of a budget window that has ended, once (then undefined): the current day's after
   * the budget allowed a call again, or a past day's. For one summary line per window.
   */
  takeRefusalSummary(): { day: string; refused: number } | undefined {
    this.roll();
    let out = this.unreported;
    this.unreported = undefined;
    if (!out && this.refused > 0 && this.refusal() === undefined) out = { day: this.day, refused: this.refused };
    if (out && out.day === this.day) this.refused = 0;
    return out;
  }

  status(): BudgetStatus {
    const reason = this.refusal();
    return { day: this.day, calls: this.calls, costUsd: this.costUsd, maxCallsPerDay: this.limits.maxCallsPerDay, maxCostUsdPerDay: this.limits.maxCostUsdPerDay, exhausted: reason !== undefined, ...(reason ? { reason } : {}) };
  }
}

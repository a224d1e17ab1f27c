/** The DCA strategy kind: periodic buys under a price cap and position limit, one exit on stop-loss or take-profit. */
import { field as f, type FactCatalog } from '../../facts/index.ts';
import type { ParamsFinding, StrategyKind } from '../kind.ts';
import { DcaPlanner, type DcaParams } from './dca.ts';

const facts: FactCatalog = {
  dca: {
    description: 'Dollar-cost-averaging position and schedule.',
    fields: {
      due: f('boolean', 'The interval since the last buy has elapsed.'),
      minutesSinceLastBuy: f('number', 'Minutes since the last buy (very large before the first).', 'minutes'),
      buyAmountUsd: f('number', 'Size of the next buy from the amount rule.', 'USD'),
      buyAmountAtoms: f('atoms', 'Quote atoms of the next buy.', 'atoms'),
      positionAtoms: f('atoms', 'Base atoms held.', 'atoms'),
      positionTokens: f('number', 'Base tokens held.', 'tokens'),
      positionCostUsd: f('number', 'Cost of the position held.', 'USD'),
      positionValueUsd: f('number', 'Value of the position at the current price.', 'USD'),
      averageEntryUsd: f('number', 'Average entry price (0 without a position).', 'USD'),
      costAfterBuyUsd: f('number', 'Position cost if the next buy fills.', 'USD'),
      pnlPct: f('number', 'Unrealized P&L of the position (negative when losing).', 'pct'),
      drawdownPct: f('number', 'Unrealized loss of the position (0 when in profit).', 'pct'),
      buys: f('integer', 'Buys since the position opened.'),
    },
  },
};

/** JSON Schema of a DCA's params. */
const paramsSchema = {
  "type": "object",
  "required": [
    "intervalMinutes",
    "amount"
  ],
  "additionalProperties": false,
  "properties": {
    "intervalMinutes": {
      "type": "number",
      "minimum": 1,
      "maximum": 525600,
      "description": "Minutes between buys (1 minute to 1 year)."
    },
    "amount": {
      "type": "object",
      "required": [
        "type",
        "usd"
      ],
      "additionalProperties": false,
      "properties": {
        "type": {
          "enum": [
            "fixed",
            "scaled"
          ],
          "description": "fixed: usd each time; scaled: usd × belowAverageMultiplier when the price is below the average entry."
        },
        "usd": {
          "type": "number",
          "exclusiveMinimum": 0
        },
        "belowAverageMultiplier": {
          "type": "number",
          "minimum": 1
        }
      }
    },
    "maxPriceUsd": {
      "type": "number",
      "exclusiveMinimum": 0,
      "description": "Buy only at or below this price."
    },
    "maxPositionUsd": {
      "type": "number",
      "exclusiveMinimum": 0,
      "description": "Do not grow the position's cost beyond this."
    },
    "stopLossPct": {
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 100
    },
    "takeProfitPct": {
      "type": "number",
      "exclusiveMinimum": 0
    },
    "orderTtlHours": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 12
    },
    "maxSlippageBps": {
      "type": "number",
      "minimum": 0,
      "maximum": 5000,
      "default": 100,
      "description": "Worst price accepted relative to the trigger price, in bps."
    },
    "maxOrderUsd": {
      "type": "number",
      "exclusiveMinimum": 0,
      "description": "Exits (stop-loss, take-profit) larger than this are split into chunks."
    }
  }
};

function checkParams(params: Record<string, unknown>): ParamsFinding[] {
  const dca = params as unknown as DcaParams;
  if (dca.amount?.type === 'scaled' && dca.amount.belowAverageMultiplier === undefined) {
    return [{ at: ['amount'], code: 'STRATEGIES_DCA_AMOUNT', message: "amount type 'scaled' needs belowAverageMultiplier", expected: 'belowAverageMultiplier: <number ≥ 1>', found: 'none' }];
  }
  return [];
}

export const dcaKind: StrategyKind = {
  kind: 'dca',
  description: 'Dollar-cost averaging: a buy every interval (fixed or scaled below the average entry), the whole position exits on stop-loss or take-profit.',
  paramsSchema,
  facts,
  modes: ['replay', 'chain'],
  checkParams,
  createPlanner: (ctx) => new DcaPlanner(ctx.market, ctx.name),
};

/** The grid strategy kind: levels around a base price, buy a level on the way down, sell it one level up. */
import { field as f, type FactCatalog } from '../../facts/index.ts';
import type { ParamsFinding, StrategyKind } from '../kind.ts';
import { GridPlanner, type GridParams } from './grid.ts';

const facts: FactCatalog = {
  grid: {
    description: 'Grid strategy state at the current price.',
    fields: {
      levels: f('integer', 'Number of price levels.'),
      level: f('integer', 'Index of the highest level at or below the price (-1 below the grid).'),
      lowerUsd: f('number', 'Lowest level price.', 'USD'),
      upperUsd: f('number', 'Highest level price.', 'USD'),
      buyLevelUsd: f('number', 'Price of the level a buy would fill at.', 'USD'),
      sellLevelUsd: f('number', 'Price of the level a sell would fill at.', 'USD'),
      crossedDown: f('boolean', 'Price fell through at least one level since the last tick.'),
      crossedUp: f('boolean', 'Price rose through at least one level since the last tick.'),
      buyLevelFree: f('boolean', 'At least one level crossed downward holds no inventory and no pending order.'),
      sellLevelHolding: f('boolean', 'At least one level holds inventory whose sell level is at or below the price.'),
      outsideGrid: f('boolean', 'Price is above the top or below the bottom level.'),
      ticksOutside: f('integer', 'Consecutive ticks outside the grid.'),
      buySizeAtoms: f('atoms', 'Quote atoms to spend: orderSizeUsd for each crossed free level.', 'atoms'),
      sellSizeAtoms: f('atoms', 'Base atoms held by the levels ready to sell.', 'atoms'),
      buyNotionalUsd: f('number', 'Value of the buy for the crossed free levels.', 'USD'),
      sellNotionalUsd: f('number', 'Value of the sell for the holding levels.', 'USD'),
      inventoryAtoms: f('atoms', 'Base atoms held by the grid.', 'atoms'),
      realizedPnlUsd: f('number', 'Realized P&L of the grid so far.', 'USD'),
    },
  },
};

/** JSON Schema of a grid's params. */
const paramsSchema = {
  "type": "object",
  "required": [
    "levels",
    "spacing",
    "orderSizeUsd"
  ],
  "additionalProperties": false,
  "properties": {
    "basePriceUsd": {
      "oneOf": [
        {
          "type": "number",
          "exclusiveMinimum": 0
        },
        {
          "const": "auto"
        }
      ],
      "default": "auto",
      "description": "Grid centre; auto = the first price seen (and the price at each rebalance)."
    },
    "levels": {
      "type": "integer",
      "minimum": 2,
      "maximum": 500
    },
    "spacing": {
      "type": "object",
      "required": [
        "type",
        "value"
      ],
      "additionalProperties": false,
      "properties": {
        "type": {
          "enum": [
            "percent",
            "fixed"
          ],
          "description": "percent: geometric levels; fixed: USD apart."
        },
        "value": {
          "type": "number",
          "exclusiveMinimum": 0
        }
      }
    },
    "orderSizeUsd": {
      "type": "number",
      "exclusiveMinimum": 0,
      "description": "Value bought at each level."
    },
    "maxOrderUsd": {
      "type": "number",
      "exclusiveMinimum": 0,
      "description": "Larger orders are split into chunks of at most this value."
    },
    "orderTtlHours": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 12
    },
    "rebalanceAfterTicks": {
      "type": "integer",
      "minimum": 1,
      "description": "Re-centre the grid after this many consecutive ticks outside it."
    },
    "minBuyQuoteUsd": {
      "type": "number",
      "minimum": 0,
      "description": "Do not buy when the quote balance is below this."
    },
    "maxSlippageBps": {
      "type": "number",
      "minimum": 0,
      "maximum": 5000,
      "default": 100,
      "description": "Worst price accepted relative to the trigger price, in bps (sets the order's limit price)."
    }
  }
};

function checkParams(params: Record<string, unknown>): ParamsFinding[] {
  const grid = params as unknown as GridParams;
  const out: ParamsFinding[] = [];
  if (typeof grid.basePriceUsd === 'number' && grid.spacing.type === 'fixed') {
    const below = Math.floor(grid.levels / 2);
    if (grid.basePriceUsd - below * grid.spacing.value <= 0) {
      out.push({ at: ['spacing', 'value'], code: 'STRATEGIES_GRID_BELOW_ZERO', message: `grid of ${grid.levels} levels ${grid.spacing.value} USD apart around ${grid.basePriceUsd} reaches a price at or below zero`, expected: `spacing below ${grid.basePriceUsd / below}`, found: String(grid.spacing.value) });
    }
  }
  if (grid.spacing.type === 'percent' && grid.spacing.value >= 100) {
    out.push({ at: ['spacing', 'value'], code: 'STRATEGIES_GRID_SPACING', message: 'percent spacing must be below 100', expected: '< 100', found: String(grid.spacing.value) });
  }
  return out;
}

export const gridKind: StrategyKind = {
  kind: 'grid',
  description: 'Grid trading: levels around a base price; a level is bought when the price falls through it and sold one level up.',
  paramsSchema,
  facts,
  modes: ['replay', 'chain'],
  checkParams,
  createPlanner: (ctx) => new GridPlanner(ctx.market, ctx.name),
};

/** Grid strategy: levels around a base price, buy a level on the way down, sell it one level up. */
export { GridPlanner, levelPrices, levelIndex, waterfall, type GridParams, type GridState, type GridLevelState } from './grid.ts';

/** Paper executor: simulated fills at the market price with configured fees and slippage. */
export { PaperExecutor, feeAtoms, type PaperConfig, type MarketView } from './paper.ts';
export { Portfolio } from './portfolio.ts';

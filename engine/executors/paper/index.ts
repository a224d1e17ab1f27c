/** Paper executor: simulated fills at the market price with configured fees and slippage. */
export { PaperExecutor, PoolStateQuoter, feeAtoms, type PaperConfig, type MarketView, type PoolQuoter, type PaperSimulation, type PaperReport } from './paper.ts';
export { Portfolio } from './portfolio.ts';

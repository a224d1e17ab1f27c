/** DCA strategy: scheduled buys under a price cap and position limit, stop-loss and take-profit exits. */
export { DcaPlanner, type DcaParams, type DcaState } from './dca.ts';

/**
 * Shared shapes of the indicator folder: the bar an indicator consumes and the incremental
 * computation behind every declared indicator.
 */

/** One closed bar. Prices are human-unit floats (quote currency per base unit), not atoms. */
export interface IndicatorBar {
  /** Bar open time, ms since the epoch (UTC). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume; required only by volume indicators (vwap, obv). */
  volume?: number;
}

/**
 * The incremental state of one indicator. `update` does constant work and allocates nothing;
 * it writes the outputs into `out` (one slot per catalog field, `value` first) and sets `ready`.
 * While `ready` is false the content of `out` is meaningless.
 */
export interface IndicatorState {
  readonly out: Float64Array;
  ready: boolean;
  update(bar: IndicatorBar): void;
}

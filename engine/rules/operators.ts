/**
 * Implementations of the operators the catalog declares beyond json-rules-engine's own.
 * Every evaluator registers exactly these functions, so they agree by construction.
 * Each returns false (never throws) on values of the wrong shape, as json-rules-engine's do.
 */

/** A non-empty list of finite numbers (holes skipped, as Array.prototype.every skips them). */
function isSeries(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const n = v.length;
  for (let k = 0; k < n; k++) {
    if (!(k in v)) continue;
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  }
  return true;
}

/** Percent change from the first to the last element compared with `threshold`; false when undefined (first is 0). */
function percentChangeCompare(series: number[], threshold: number, above: boolean): boolean {
  const first = series[0]!;
  const last = series[series.length - 1]!;
  const change = first === 0 ? Number.NaN : ((last - first) / Math.abs(first)) * 100;
  return above ? change > threshold : change < threshold;
}

/**
 * A crossing on the last step of the fact series. Against a number (a level): crossesAbove ⇔
 * prev < level ≤ last (touching the level from below counts). Against a series (another line,
 * e.g. a slow average's [prev, value]): crossesAbove ⇔ left.prev ≤ right.prev ∧ left.last >
 * right.last — the left line ends strictly above after not being above; equal then above
 * counts, below then equal does not, equal then equal does not. crossesBelow mirrors both.
 * Each series needs two finite values; anything else (an unready indicator's []) is false.
 */
function crosses(factValue: unknown, jsonValue: unknown, above: boolean): boolean {
  if (!isSeries(factValue) || factValue.length < 2) return false;
  const prev = factValue[factValue.length - 2]!;
  const last = factValue[factValue.length - 1]!;
  if (typeof jsonValue === 'number') return above ? prev < jsonValue && last >= jsonValue : prev > jsonValue && last <= jsonValue;
  if (!isSeries(jsonValue) || jsonValue.length < 2) return false;
  const otherPrev = jsonValue[jsonValue.length - 2]!;
  const otherLast = jsonValue[jsonValue.length - 1]!;
  return above ? prev <= otherPrev && last > otherLast : prev >= otherPrev && last < otherLast;
}

/**
 * Written as plain loops that allocate nothing (no callbacks, no double returned from a helper):
 * they run on the compiled evaluator's hot path as they are.
 */
export const CUSTOM_OPERATORS: Readonly<Record<string, (factValue: unknown, jsonValue: unknown) => boolean>> = {
  between: (factValue, jsonValue) =>
    typeof factValue === 'number' &&
    Array.isArray(jsonValue) &&
    jsonValue.length === 2 &&
    typeof jsonValue[0] === 'number' &&
    typeof jsonValue[1] === 'number' &&
    factValue >= jsonValue[0] &&
    factValue <= jsonValue[1],
  percentChangeAbove: (factValue, jsonValue) => isSeries(factValue) && typeof jsonValue === 'number' && percentChangeCompare(factValue, jsonValue, true),
  percentChangeBelow: (factValue, jsonValue) => isSeries(factValue) && typeof jsonValue === 'number' && percentChangeCompare(factValue, jsonValue, false),
  crossesAbove: (factValue, jsonValue) => crosses(factValue, jsonValue, true),
  crossesBelow: (factValue, jsonValue) => crosses(factValue, jsonValue, false),
};

/**
 * The four order comparisons, as json-rules-engine's but false when the value side is null: an
 * unready indicator's `value` is null, and `close > null` would otherwise compare with 0 and
 * hold. (The fact side is covered by json-rules-engine's number validator: parseFloat(null) is
 * NaN.) Both evaluators register these, so they agree; this is our one documented difference
 * from stock json-rules-engine.
 */
export const NULL_SAFE_COMPARISONS: Readonly<Record<string, (factValue: unknown, jsonValue: unknown) => boolean>> = {
  lessThan: (a, b) => b !== null && (a as number) < (b as number),
  lessThanInclusive: (a, b) => b !== null && (a as number) <= (b as number),
  greaterThan: (a, b) => b !== null && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => b !== null && (a as number) >= (b as number),
};

/** Reads a dot path (`a.b.c`, numeric segments index arrays) from a value; undefined when absent. */
export function readPath(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return value;
  let cur: unknown = value;
  for (const segment of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[segment];
  }
  return cur;
}

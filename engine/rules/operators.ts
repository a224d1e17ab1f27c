/**
 * Implementations of the operators the catalog declares beyond json-rules-engine's own.
 * Every evaluator registers exactly these functions, so they agree by construction.
 * Each returns false (never throws) on values of the wrong shape, as json-rules-engine's do.
 */

function isSeries(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Percent change from the first to the last element of a numeric series; NaN when undefined. */
export function percentChange(series: readonly number[]): number {
  const first = series[0]!;
  const last = series[series.length - 1]!;
  if (first === 0) return Number.NaN;
  return ((last - first) / Math.abs(first)) * 100;
}

export const CUSTOM_OPERATORS: Readonly<Record<string, (factValue: unknown, jsonValue: unknown) => boolean>> = {
  between: (factValue, jsonValue) =>
    typeof factValue === 'number' &&
    Array.isArray(jsonValue) &&
    jsonValue.length === 2 &&
    typeof jsonValue[0] === 'number' &&
    typeof jsonValue[1] === 'number' &&
    factValue >= jsonValue[0] &&
    factValue <= jsonValue[1],
  percentChangeAbove: (factValue, jsonValue) =>
    isSeries(factValue) && typeof jsonValue === 'number' && percentChange(factValue) > jsonValue,
  percentChangeBelow: (factValue, jsonValue) =>
    isSeries(factValue) && typeof jsonValue === 'number' && percentChange(factValue) < jsonValue,
  crossesAbove: (factValue, jsonValue) => {
    if (!isSeries(factValue) || factValue.length < 2 || typeof jsonValue !== 'number') return false;
    return factValue[factValue.length - 2]! < jsonValue && factValue[factValue.length - 1]! >= jsonValue;
  },
  crossesBelow: (factValue, jsonValue) => {
    if (!isSeries(factValue) || factValue.length < 2 || typeof jsonValue !== 'number') return false;
    return factValue[factValue.length - 2]! > jsonValue && factValue[factValue.length - 1]! <= jsonValue;
  },
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

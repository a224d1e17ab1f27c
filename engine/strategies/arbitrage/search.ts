/**
 * Maximizing a concave (unimodal) function over the integers by golden-section search: each
 * step keeps the part of the interval that must hold the maximum, reusing one of the two inner
 * evaluations, so an interval of 10^12 atoms takes about 60 evaluations. `undefined` (a quote the
 * venue refuses: too small to produce output, more than the pool holds) counts as −∞.
 */

export interface SearchResult {
  x: bigint;
  value: bigint;
  evaluations: number;
}

const PHI_INV_PPM = 618_034n; // (√5 − 1) / 2 in millionths

/**
 * The integer in [lo, hi] where `f` is largest, for unimodal `f` finite on [lo, hi] (bound it with
 * `feasibleRange` first: with −∞ on both sides of the inner points the side cannot be told).
 */
export function maximizeUnimodal(f: (x: bigint) => bigint | undefined, lo: bigint, hi: bigint): SearchResult | undefined {
  if (hi < lo) return undefined;
  const memo = new Map<bigint, bigint | undefined>();
  const at = (x: bigint): bigint | undefined => {
    if (!memo.has(x)) memo.set(x, f(x));
    return memo.get(x);
  };
  const better = (a: bigint | undefined, b: bigint | undefined) => a !== undefined && (b === undefined || a > b);
  let a = lo;
  let b = hi;
  const inner = () => {
    const span = ((b - a) * PHI_INV_PPM) / 1_000_000n;
    return [b - span, a + span] as const;
  };
  let [c, d] = inner();
  while (b - a > 4n) {
    if (c >= d) [c, d] = [a + (b - a) / 3n, b - (b - a) / 3n];
    // f(c) ≥ f(d): the maximum is not right of d; otherwise it is not left of c.
    if (!better(at(d), at(c))) {
      b = d;
      d = c;
      c = b - ((b - a) * PHI_INV_PPM) / 1_000_000n;
    } else {
      a = c;
      c = d;
      d = a + ((b - a) * PHI_INV_PPM) / 1_000_000n;
    }
  }
  let best: bigint | undefined;
  for (let x = a; x <= b; x++) if (better(at(x), best === undefined ? undefined : at(best))) best = x;
  if (best === undefined) return undefined;
  return { x: best, value: at(best)!, evaluations: memo.size };
}

/**
 * The sizes in [lo, hi] a venue accepts, for `ok` false below some size (no output), true in a
 * range, false above another (more than the pool holds). A feasible point is found by halving
 * from `hi` (so the range must span a factor of two, as a venue's always does); both ends are
 * then bisected. Undefined when no probed size is feasible. `ok` may be asked a size twice:
 * memoize it when it is costly.
 */
export function feasibleRange(ok: (x: bigint) => boolean, lo: bigint, hi: bigint, hint?: { lo: bigint; hi: bigint }): { lo: bigint; hi: bigint } | undefined {
  if (hi < lo) return undefined;
  let probe: bigint | undefined;
  for (let x = hi; x >= lo; x /= 2n) {
    if (ok(x)) {
      probe = x;
      break;
    }
    if (x === 0n) break;
  }
  if (probe === undefined && ok(lo)) probe = lo;
  if (probe === undefined) return undefined;
  return { lo: edge(ok, probe, lo, hint?.lo), hi: edge(ok, probe, hi, hint?.hi) };
}

/**
 * The accepted size nearest `limit` (either side of `from`, which is accepted): `limit` itself, or
 * bisected. A `hint` (the edge found last time, e.g. for the same pool pair before its last update)
 * is taken when it still is one — accepted, and its neighbour towards `limit` refused: two probes
 * instead of ~30. Feasibility being one interval, there is exactly one such size between `from`
 * and `limit`, so the answer is the one bisecting finds.
 */
function edge(ok: (x: bigint) => boolean, from: bigint, limit: bigint, hint?: bigint): bigint {
  if (ok(limit)) return limit;
  if (hint !== undefined) {
    const towards = limit > from ? 1n : -1n;
    const inside = towards > 0n ? hint >= from && hint < limit : hint <= from && hint > limit;
    if (inside && ok(hint) && !ok(hint + towards)) return hint;
  }
  let good = from;
  let bad = limit;
  while (good - bad > 1n || bad - good > 1n) {
    const mid = (good + bad) / 2n;
    if (ok(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

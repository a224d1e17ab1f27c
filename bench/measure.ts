/**
 * Timing for the micro-benchmarks (bench:quotes, bench:market): each function is warmed up for
 * 100 ms, then timed in batches of ~5 ms for `budgetMs`; the figure is the median µs per call over
 * the batches (robust against GC pauses and other jobs on the machine).
 */

/** Median µs per call of `fn`. */
export function measure(fn: () => unknown, budgetMs = 400): number {
  const warmEnd = performance.now() + 100;
  let calls = 0;
  while (performance.now() < warmEnd) {
    fn();
    calls += 1;
  }
  const perCallMs = 100 / Math.max(1, calls);
  const batch = Math.max(1, Math.floor(5 / perCallMs));
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples.length < 5) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** µs with as many decimals as are meaningful. */
export function fmt(us: number): string {
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2);
}

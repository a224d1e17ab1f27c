/**
 * Rolling-window primitives the indicators are built from: fixed-size typed-array rings, running
 * sums that resynchronise from the ring (so float drift cannot accumulate over long series), and
 * monotonic deques for rolling max / min. Every `push` is constant (amortized) work and allocates
 * nothing.
 */

/** A fixed-capacity ring of the last `size` values. */
export class Ring {
  readonly size: number;
  readonly values: Float64Array;
  /** Values pushed so far (not capped). */
  count = 0;
  private head = 0;

  constructor(size: number) {
    this.size = size;
    this.values = new Float64Array(size);
  }

  /** Pushes `x`; returns the value that fell out of the window (NaN while the ring is filling). */
  push(x: number): number {
    const h = this.head;
    const old = this.count >= this.size ? this.values[h]! : NaN;
    this.values[h] = x;
    this.head = h + 1 === this.size ? 0 : h + 1;
    this.count++;
    return old;
  }

  /** True once `size` values were pushed. */
  get full(): boolean {
    return this.count >= this.size;
  }

  /** The value pushed `back` pushes ago (0 = the latest); requires back < min(count, size). */
  ago(back: number): number {
    let i = this.head - 1 - back;
    if (i < 0) i += this.size;
    return this.values[i]!;
  }

  /** Sum of the values in the window, recomputed (used to resynchronise running sums). */
  exactSum(): number {
    const n = Math.min(this.count, this.size);
    let s = 0;
    for (let i = 0; i < n; i++) s += this.ago(i);
    return s;
  }
}

/**
 * Running sum over the last `size` values. Adding and subtracting floats drifts, so the sum is
 * recomputed from the ring every max(size, 4096) pushes: amortized one extra add per push.
 */
export class RollingSum {
  readonly ring: Ring;
  sum = 0;
  private untilResync: number;
  private readonly resyncEvery: number;

  constructor(size: number) {
    this.ring = new Ring(size);
    this.resyncEvery = Math.max(size, 4096);
    this.untilResync = this.resyncEvery;
  }

  push(x: number): void {
    const old = this.ring.push(x);
    this.sum += this.ring.count > this.ring.size ? x - old : x;
    if (--this.untilResync === 0) {
      this.untilResync = this.resyncEvery;
      this.sum = this.ring.exactSum();
    }
  }

  get full(): boolean {
    return this.ring.full;
  }
}

/**
 * Rolling mean and population variance over the last `size` values, updated with the
 * add-one/remove-one form of Welford's algorithm (no sum of squares, so no cancellation when the
 * variance is tiny next to the squared mean, e.g. a 0.01 USD spread on a 200 USD price), and
 * recomputed from the ring every max(size, 4096) pushes.
 */
export class RollingVariance {
  readonly ring: Ring;
  mean = 0;
  /** Sum of squared deviations from the mean (population variance × n). */
  m2 = 0;
  private untilResync: number;
  private readonly resyncEvery: number;

  constructor(size: number) {
    this.ring = new Ring(size);
    this.resyncEvery = Math.max(size, 4096);
    this.untilResync = this.resyncEvery;
  }

  push(x: number): void {
    const ring = this.ring;
    const old = ring.push(x);
    const n = Math.min(ring.count, ring.size);
    if (ring.count <= ring.size) {
      const d = x - this.mean;
      this.mean += d / n;
      this.m2 += d * (x - this.mean);
    } else {
      const prevMean = this.mean;
      this.mean = prevMean + (x - old) / n;
      this.m2 += (x - old) * (x - this.mean + old - prevMean);
    }
    if (--this.untilResync === 0) {
      this.untilResync = this.resyncEvery;
      this.resync();
    }
  }

  /** Population variance of the window (never negative). */
  get variance(): number {
    const n = Math.min(this.ring.count, this.ring.size);
    return n > 0 && this.m2 > 0 ? this.m2 / n : 0;
  }

  get full(): boolean {
    return this.ring.full;
  }

  private resync(): void {
    const n = Math.min(this.ring.count, this.ring.size);
    const mean = this.ring.exactSum() / n;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const d = this.ring.ago(i) - mean;
      m2 += d * d;
    }
    this.mean = mean;
    this.m2 = m2;
  }
}

/**
 * Rolling extreme (max or min) over the last `size` values: a monotonic deque of candidate
 * positions kept in typed arrays. Each value enters and leaves the deque once: amortized O(1).
 * A min is kept as the max of negated values, so one branch-free loop serves both.
 */
export class RollingExtreme {
  readonly size: number;
  private readonly sign: number;
  private readonly vals: Float64Array;
  private readonly pos: Float64Array;
  private head = 0;
  private len = 0;
  /** Values pushed so far. */
  count = 0;

  constructor(size: number, kind: 'max' | 'min') {
    this.size = size;
    this.sign = kind === 'max' ? 1 : -1;
    this.vals = new Float64Array(size);
    this.pos = new Float64Array(size);
  }

  push(raw: number): void {
    const cap = this.size;
    const vals = this.vals;
    const pos = this.pos;
    const x = raw * this.sign;
    const i = this.count;
    let head = this.head;
    let len = this.len;
    // Drop the front if it left the window.
    if (len > 0 && pos[head]! <= i - cap) {
      head = head + 1 === cap ? 0 : head + 1;
      len--;
    }
    // Drop dominated candidates from the back.
    let back = head + len - 1;
    if (back >= cap) back -= cap;
    while (len > 0 && vals[back]! <= x) {
      len--;
      back = back === 0 ? cap - 1 : back - 1;
    }
    let slot = head + len;
    if (slot >= cap) slot -= cap;
    vals[slot] = x;
    pos[slot] = i;
    this.head = head;
    this.len = len + 1;
    this.count = i + 1;
  }

  /** The extreme of the window (of the values pushed so far while it fills). */
  get value(): number {
    return this.vals[this.head]! * this.sign;
  }

  get full(): boolean {
    return this.count >= this.size;
  }
}

/**
 * Exponential moving average with smoothing factor `alpha`, seeded with the first value (the
 * convention of Tulip Indicators, Achelis' book and trading-signals). `count` says how many values
 * it has seen so a caller can decide readiness.
 */
export class Ema {
  readonly alpha: number;
  value = NaN;
  count = 0;

  constructor(alpha: number) {
    this.alpha = alpha;
  }

  push(x: number): number {
    this.value = this.count++ === 0 ? x : this.value + this.alpha * (x - this.value);
    return this.value;
  }
}

/**
 * Wilder's smoothing (an EMA with alpha = 1/period) seeded with the simple mean of the first
 * `period` values: the RSI / ATR convention of Wilder, Tulip and trading-signals. NaN until seeded.
 */
export class WilderAverage {
  readonly period: number;
  value = NaN;
  count = 0;
  private seedSum = 0;

  constructor(period: number) {
    this.period = period;
  }

  push(x: number): number {
    const n = ++this.count;
    if (n < this.period) this.seedSum += x;
    else if (n === this.period) this.value = (this.seedSum + x) / this.period;
    else this.value += (x - this.value) / this.period;
    return this.value;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }
}

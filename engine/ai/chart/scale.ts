/** Axis arithmetic for charts: "nice" value ticks, UTC time ticks and number formatting. */

/** Ticks at 1, 2 or 5 × 10^k covering [min, max], about `target` of them. */
export function niceTicks(min: number, max: number, target: number): { step: number; ticks: number[] } {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * 0.7) ?? 10 * magnitude;
  const ticks: number[] = [];
  // Integer multiples of the step so float drift never produces 0.30000000000000004 labels.
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) ticks.push(k * step);
  return { step, ticks };
}

/** Decimals needed to tell ticks `step` apart (and at most 8). */
export function decimalsFor(step: number): number {
  if (!(step > 0)) return 2;
  return Math.min(8, Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0)));
}

/** A price with enough significant digits for its magnitude (e.g. 134.52, 1.2345, 0.0001234). */
export function formatPrice(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  if (abs >= 1) return value.toFixed(3);
  if (abs === 0) return '0';
  return value.toFixed(Math.min(10, 3 - Math.floor(Math.log10(abs))));
}

/** A large count compactly: 1.2K, 3.4M. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}K`;
  return value.toFixed(abs >= 10 ? 0 : 1);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIME_STEPS = [15 * 60_000, 30 * 60_000, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 364 * DAY];

/** Indices of bars to label on the time axis: bars on a UTC boundary of a step giving at most `maxLabels`. */
export function timeTicks(times: readonly number[], maxLabels: number): { indices: number[]; step: number } {
  if (times.length === 0) return { indices: [], step: HOUR };
  const span = times[times.length - 1]! - times[0]!;
  const step = TIME_STEPS.find((s) => span / s <= maxLabels) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const indices: number[] = [];
  let lastBucket = Number.NaN;
  for (let i = 0; i < times.length; i++) {
    // Weekly steps align to Mondays (epoch day 0 is a Thursday: shift by 3 days).
    const offset = step >= 7 * DAY && step < 28 * DAY ? 3 * DAY : 0;
    const bucket = Math.floor((times[i]! - offset) / step);
    if (bucket !== lastBucket && i > 0) indices.push(i);
    lastBucket = bucket;
  }
  return { indices, step };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** UTC label for a tick: dates for day steps and more, day + time below. */
export function formatTime(ms: number, step: number): string {
  const d = new Date(ms);
  const date = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (step >= 28 * DAY) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  if (step >= DAY) return date;
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) return date;
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Full UTC timestamp, e.g. 2025-12-01 14:00. */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

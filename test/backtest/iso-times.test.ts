/** The runner's bar-time formatter: the text Date#toISOString gives, for every time a bar can have. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsoTimes } from '../../engine/backtest/index.ts';

test('IsoTimes formats like toISOString: day edges, before 1970, fractional ms, across days in any order', () => {
  const f = new IsoTimes();
  const times = [0, -1, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, -86_400_000, -86_400_001, 1597618800000, 1.5, -1.5, 253402300799999, -62198755200000, 951782400000 /* 2000-02-29 */];
  // A pseudo-random walk of times (deterministic), forwards and backwards, so the cached day changes both ways.
  let x = 1_600_000_000_000;
  for (let i = 0; i < 20_000; i++) {
    x += ((i * 7919) % 200_003) * 997 - 90_000_000;
    times.push(x);
  }
  for (const t of times) assert.equal(f.format(t), new Date(t).toISOString(), `time ${t}`);
});

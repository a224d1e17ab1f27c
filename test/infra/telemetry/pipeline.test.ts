/** Evaluation telemetry: per evaluation, or batched (a backtest) with the same totals and buckets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvaluationTelemetry, HistogramBatch, metrics, registry, resetMetrics } from '../../../engine/infra/telemetry/index.ts';
import { EVALUATION_BATCH, LATENCY_SAMPLE } from '../../../engine/infra/telemetry/pipeline.ts';

/** The exported text of the rule-evaluation metrics for one file (the series a scrape sees). */
async function ruleSeries(file: string): Promise<string[]> {
  const text = await registry.metrics();
  return text.split('\n').filter((l) => l.includes(`file="${file}"`) && /^solrules_rule_(evaluations_total|hits_total|evaluation_duration_seconds_(bucket|count))/.test(l)).sort();
}

test('HistogramBatch merges to the same buckets, sum and count as one observe per value', async () => {
  resetMetrics();
  const values = [0.00001, 0.00002, 0.0004, 0.003, 0.02, 0.5, 7, 1e6, 0.0004, 0.00001];
  for (const v of values) metrics.rules.evaluationDuration.observe({ file: 'one-by-one', evaluator: 'compiled' }, v);
  const batch = new HistogramBatch(metrics.rules.evaluationDuration, { file: 'batched', evaluator: 'compiled' });
  for (const v of values) batch.observe(v);
  assert.equal(batch.pending, values.length);
  assert.deepEqual(await ruleSeries('batched'), [], 'nothing is exported before the flush');
  batch.flush();
  assert.equal(batch.pending, 0);
  const norm = (lines: string[]) => lines.map((l) => l.replace('batched', 'one-by-one'));
  assert.deepEqual(norm(await ruleSeries('batched')), await ruleSeries('one-by-one'));
  const json = (await metrics.rules.evaluationDuration.get()).values.filter((v) => v.metricName?.endsWith('_sum'));
  const sums = Object.fromEntries(json.map((v) => [v.labels.file, v.value]));
  assert.ok(Math.abs(sums.batched! - sums['one-by-one']!) < 1e-9);
  batch.flush(); // nothing pending: no change
  assert.deepEqual(norm(await ruleSeries('batched')), await ruleSeries('one-by-one'));
});

test('batched EvaluationTelemetry reports the same counts, hits and bucket counts, in batches and at flush', async () => {
  resetMetrics();
  const plain = new EvaluationTelemetry('plain', 'compiled');
  const batched = new EvaluationTelemetry('batched', 'compiled', { batched: true });
  const evaluate = (fired: Array<{ ruleId: string }>) => fired;
  const n = EVALUATION_BATCH + 10;
  for (let i = 0; i < n; i++) {
    const fired = i % 3 === 0 ? [{ ruleId: 'enter' }] : i % 7 === 0 ? [{ ruleId: 'exit' }, { ruleId: 'enter' }] : [];
    plain.evaluate(evaluate, undefined, fired);
    batched.evaluate(evaluate, undefined, fired);
  }
  const count = async (file: string) => Number((await ruleSeries(file)).find((l) => l.startsWith('solrules_rule_evaluations_total'))?.split(' ')[1] ?? 0);
  assert.equal(await count('plain'), n);
  assert.equal(await count('batched'), EVALUATION_BATCH, 'a full batch is added as soon as it is complete; the rest waits for the flush');
  batched.flush();
  assert.equal(await count('batched'), n);
  // Same evaluation count and hits. The latency histogram: every evaluation unbatched; batched, one
  // evaluation in LATENCY_SAMPLE is timed (the 1st, 17th, …), so its count is that many exactly.
  // (Bucket counts are latencies measured separately, so only their totals are compared.)
  const shape = (lines: string[]) => lines.filter((l) => !l.includes('_bucket') && !l.includes('_count')).map((l) => l.replace(/file="\w+"/, ''));
  assert.deepEqual(shape(await ruleSeries('batched')), shape(await ruleSeries('plain')));
  const inf = async (file: string) => (await ruleSeries(file)).find((l) => l.includes('le="+Inf"'));
  const durationCount = async (file: string) => (await ruleSeries(file)).find((l) => l.startsWith('solrules_rule_evaluation_duration_seconds_count'))?.split(' ')[1];
  assert.equal((await inf('plain'))?.split(' ')[1], String(n));
  assert.equal(await durationCount('plain'), String(n));
  const timed = Math.ceil(n / LATENCY_SAMPLE);
  assert.equal((await inf('batched'))?.split(' ')[1], String(timed));
  assert.equal(await durationCount('batched'), String(timed));
});

test('a batched evaluation that throws is counted at once, with what was pending', async () => {
  resetMetrics();
  const t = new EvaluationTelemetry('failing', 'compiled', { batched: true });
  t.evaluate(() => [{ ruleId: 'r' }], undefined, {});
  assert.throws(() => t.evaluate(() => { throw new Error('bad fact'); }, undefined, {}));
  const text = await registry.metrics();
  assert.match(text, /solrules_rule_evaluation_errors_total\{file="failing"\} 1/);
  assert.match(text, /solrules_rule_evaluations_total\{file="failing",evaluator="compiled"\} 2/);
  assert.match(text, /solrules_rule_hits_total\{rule_id="r",file="failing"\} 1/);
});

/**
 * `npm run bench:quotes [-- <venue filter>] [-- --json]`: per venue, our µs per quote beside the
 * official SDK's, measured in the same process and run. Discovers `bench/quotes/<venue>.ts`.
 *
 * Method: each function is warmed up, then timed in batches for ~400 ms; the figure is the median
 * µs per call over the batches (robust against GC pauses and other engineers' jobs on the machine).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, measure } from './measure.ts';
import type { QuoteBench, QuoteBenchExport } from './quotes/_shape.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const filters = args.filter((a) => !a.startsWith('--'));

const files = readdirSync(join(here, 'quotes'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const rows: Record<string, unknown>[] = [];
for (const file of files) {
  const mod = (await import(join(here, 'quotes', file))) as { default: QuoteBenchExport };
  const bench: QuoteBench = typeof mod.default === 'function' ? await mod.default() : mod.default;
  for (const c of bench.cases) {
    c.ours();
    c.baseline?.run();
    const ours = measure(c.ours);
    const base = c.baseline ? measure(c.baseline.run) : undefined;
    rows.push({
      venue: bench.venue,
      case: c.name,
      oursMicros: Number(fmt(ours)),
      baseline: c.baseline?.name ?? null,
      baselineMicros: base === undefined ? null : Number(fmt(base)),
      speedup: base === undefined ? null : Number((base / ours).toFixed(1)),
      targetMicros: c.targetMicros ?? null,
      meetsTarget: c.targetMicros === undefined ? null : ours <= c.targetMicros,
    });
    if (!asJson) {
      const r = rows[rows.length - 1]!;
      const target = c.targetMicros === undefined ? '' : `  target ≤ ${c.targetMicros} µs: ${r.meetsTarget ? 'met' : 'MISSED'}`;
      const baseline = base === undefined ? '' : `   ${c.baseline!.name}: ${fmt(base)} µs (×${r.speedup})`;
      console.log(`${bench.venue.padEnd(16)} ${c.name.padEnd(58)} ours ${fmt(ours).padStart(7)} µs${baseline}${target}`);
    }
  }
}
if (asJson) console.log(JSON.stringify({ node: process.version, rows }, null, 2));
else console.log(`\n${rows.length} cases, node ${process.version}; µs per quote = median over ~5 ms batches after warm-up, same process for ours and the SDK.`);

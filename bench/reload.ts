/**
 * `npm run bench:reload`: how long a hot reload takes, p50 / p99 over many reloads, on the
 * shipped project and on the same project with a 1,000-rule file added.
 *
 * - reload(): `Reloader.reload` called directly — read, validate, run the rule tests, compile,
 *   swap — for a threshold edit in strategies.yaml (alternating values, so each one applies).
 * - write -> applied: the file is saved (temp file renamed over it) and the clock stops when
 *   the holder serves the new set: watcher latency and debounce included.
 * - baseline (same run): reading and parsing every project file, nothing else — the floor any
 *   reload pays.
 *
 * Options (environment): BENCH_RELOADS (direct reloads per project, default 200),
 * BENCH_WRITES (watched saves per project, default 40).
 */
import os from 'node:os';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig, ConfigHolder, parseYaml, projectFiles, Reloader } from '../engine/config/index.ts';
import { compiledEvaluator } from '../engine/rules/index.ts';
import { createLogger } from '../engine/infra/telemetry/index.ts';

const RELOADS = Number(process.env.BENCH_RELOADS ?? 200);
const WRITES = Number(process.env.BENCH_WRITES ?? 40);
const REPO = new URL('..', import.meta.url).pathname;

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const fmt = (ms: number) => ms.toFixed(1).padStart(7);

/** A risk file of `n` rules (two conditions each): a realistic size for a large rule base. */
function manyRules(n: number): string {
  const lines = ['id: bench-guards', 'kind: risk', 'rules:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - id: guard-${i}`, '    conditions:', '      all:');
    lines.push(`        - { fact: order, path: strategy, operator: equal, value: s${i} }`);
    lines.push(`        - { fact: order, path: notionalUsd, operator: greaterThan, value: ${1000 + i} }`);
    lines.push(`    event: { type: block, params: { reason: guard ${i} } }`);
  }
  return lines.join('\n') + '\n';
}

function project(extraRules: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-bench-reload-'));
  cpSync(join(REPO, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO, 'wallets.yaml'), join(dir, 'wallets.yaml'));
  cpSync(join(REPO, 'rules'), join(dir, 'rules'), { recursive: true });
  if (extraRules) writeFileSync(join(dir, 'rules', 'bench-guards.yaml'), manyRules(extraRules));
  return dir;
}

function save(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function benchProject(label: string, extraRules: number): Promise<void> {
  const dir = project(extraRules);
  const log = createLogger({ level: 'silent' });
  try {
    const built = await buildActiveConfig(dir, compiledEvaluator, 'startup');
    if (!built.active) throw new Error(`bench project invalid: ${JSON.stringify(built.diagnostics.slice(0, 3))} ${built.testFailures.slice(0, 3)}`);
    const holder = new ConfigHolder(built.active);
    const strategies = join(dir, 'strategies.yaml');
    const original = readFileSync(strategies, 'utf8');
    // Every edit differs from the one before it, so each one applies.
    let seq = 0;
    const nextVariant = () => original.replace('maxPriceUsd: 150', `maxPriceUsd: ${100 + (++seq % 40)}`);

    // Baseline: read and parse every file, nothing else.
    const files = projectFiles(dir);
    const baseline: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      const t0 = performance.now();
      for (const f of files) parseYaml(readFileSync(f, 'utf8'), f);
      baseline.push(performance.now() - t0);
    }

    const reloader = new Reloader({ root: dir, factory: compiledEvaluator, holder, log });
    const direct: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      writeFileSync(strategies, nextVariant());
      const t0 = performance.now();
      const o = await reloader.reload('bench');
      direct.push(performance.now() - t0);
      if (!o.applied) throw new Error(`reload ${i} not applied: ${JSON.stringify(o.diagnostics.slice(0, 2))}`);
    }

    await reloader.start();
    const watched: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const before = holder.current;
      save(strategies, nextVariant());
      const t0 = performance.now();
      while (holder.current === before) {
        if (performance.now() - t0 > 30_000) throw new Error(`save ${i} not applied within 30 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      watched.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 30)); // let the poller settle between saves
    }
    await reloader.stop();

    const rules = built.active.ruleSet.files.reduce((a, f) => a + f.rules.length, 0);
    console.log(`${label} (${rules} rules in ${built.active.ruleSet.files.length} files)`);
    console.log(`  baseline read+parse      p50 ${fmt(pct(baseline, 50))} ms  p99 ${fmt(pct(baseline, 99))} ms  (${RELOADS} runs)`);
    console.log(`  reload()                 p50 ${fmt(pct(direct, 50))} ms  p99 ${fmt(pct(direct, 99))} ms  (${RELOADS} reloads)`);
    console.log(`  write -> applied         p50 ${fmt(pct(watched, 50))} ms  p99 ${fmt(pct(watched, 99))} ms  (${WRITES} saves)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`bench:reload — node ${process.version}, ${os.cpus().length} cpu(s), load average ${os.loadavg()[0]!.toFixed(2)}`);
await benchProject('shipped project', 0);
await benchProject('shipped project + 1,000 rules', 1000);

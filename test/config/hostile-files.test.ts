/**
 * Hostile files dropped into rules/ of a running engine: 50 in a row (huge files, an alias
 * bomb, deep nesting, binary garbage, symlinks out of the project and in a loop, a directory,
 * a key file), each reloaded while present and again after it is deleted. Each is refused
 * with a diagnostic naming the file (and the size limit, when that is the reason), the
 * previous set keeps serving, the heap comes back to its baseline, and the event loop is never
 * stalled for long (a timer-drift probe measures it; the figures are printed, the bounds are
 * generous so a loaded machine passes). `validate` on a 50 MB file refuses it quickly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildActiveConfig, ConfigHolder, DEFAULT_MAX_FILE_BYTES, Reloader } from '../../engine/config/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { run as validate } from '../../engine/cli/validate.ts';
import { REPO_ROOT } from '../support/paths.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** Generous bounds: before the fix, one 20 MB file stalled the loop 4-19 s and kept ~660 MB. */
const STALL_BOUND_MS = 1_000;
const HEAP_GROWTH_BOUND_MB = 40;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-hostile-'));
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'wallets.yaml'), join(dir, 'wallets.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  return dir;
}

/** A file of `bytes` bytes that starts with `head` (the rest is a sparse hole: cheap to make, costly to read). */
function sized(path: string, head: string, bytes: number): void {
  writeFileSync(path, head);
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

function bigYaml(bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = `key${i}: { a: [${i}, ${i + 1}, "${'x'.repeat(40)}"], b: &anchor${i} value${i} }`;
    lines.push(line);
    n += line.length + 1;
  }
  return lines.join('\n');
}

const BOMB = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]', ''].join('\n');

/** Ten kinds of hostile file; each writes itself at `path` and says which code must refuse it. */
const KINDS: Array<{ kind: string; code: RegExp; make: (path: string) => void }> = [
  { kind: '20 MB file', code: /CONFIG_FILE_TOO_LARGE/, make: (p) => sized(p, 'id: x\n', 20 * 2 ** 20) },
  { kind: '2 MB of valid-looking YAML', code: /CONFIG_FILE_TOO_LARGE/, make: (p) => writeFileSync(p, bigYaml(2 * 2 ** 20)) },
  { kind: '50 MB file', code: /CONFIG_FILE_TOO_LARGE/, make: (p) => sized(p, 'rules:\n', 50 * 2 ** 20) },
  { kind: 'alias bomb', code: /YAML_ALIAS_LIMIT/, make: (p) => writeFileSync(p, BOMB) },
  { kind: 'deep nesting', code: /YAML_|SCHEMA_|CONFIG_/, make: (p) => writeFileSync(p, `x: ${'['.repeat(2000)}${']'.repeat(2000)}\n`) },
  { kind: 'binary garbage', code: /YAML_|SCHEMA_|CONFIG_|FILE_NOT_UTF8/, make: (p) => writeFileSync(p, randomBytes(100_000)) },
  { kind: 'symlink to /etc/passwd', code: /CONFIG_SYMLINK_OUTSIDE/, make: (p) => symlinkSync('/etc/passwd', p) },
  { kind: 'symlink loop', code: /CONFIG_SYMLINK_LOOP/, make: (p) => symlinkSync(p, p) },
  { kind: 'directory', code: /CONFIG_NOT_A_FILE/, make: (p) => mkdirSync(p) },
  { kind: 'many small documents', code: /YAML_|SCHEMA_|CONFIG_/, make: (p) => writeFileSync(p, '---\na: 1\n'.repeat(20_000)) },
];

test('50 hostile files in rules/, one after another: each refused, heap back to baseline, no long stall', { timeout: 600_000 }, async () => {
  const dir = project();
  const log = createLogger({ level: 'silent' });
  try {
    const built = await buildActiveConfig(dir, referenceEvaluator, 'startup');
    assert.ok(built.active);
    const holder = new ConfigHolder(built.active);
    const reloader = new Reloader({ root: dir, factory: referenceEvaluator, holder, log });
    await reloader.reload('warm-up');
    const baseline = heapMb();

    // The probe: a 10 ms timer; any lateness beyond it is time the event loop was blocked.
    let worstStall = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      worstStall = Math.max(worstStall, now - last - 10);
      windowWorst = Math.max(windowWorst, now - last - 10);
      last = now;
    }, 10);
    let peak = baseline;
    // Per kind: the longest stall while that file was being refused (includes the reload itself).
    const stallByKind = new Map<string, number>();
    let windowWorst = 0;
    const worstStallSince = () => {
      const w = Math.max(windowWorst, performance.now() - last - 10);
      windowWorst = 0;
      return w;
    };
    const refusals: string[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const k = KINDS[i % KINDS.length]!;
        const path = join(dir, 'rules', `hostile-${i}.yaml`);
        k.make(path);
        const refused = await reloader.reload(`rules/hostile-${i}.yaml`);
        assert.equal(refused.applied, false, `${k.kind} was applied`);
        const d = refused.diagnostics.find((x) => x.file === path);
        assert.ok(d && k.code.test(d.code), `${k.kind}: ${JSON.stringify(refused.diagnostics.slice(0, 3))}`);
        if (d.code === 'CONFIG_FILE_TOO_LARGE') assert.match(d.message, new RegExp(`${DEFAULT_MAX_FILE_BYTES}-byte limit`));
        refusals.push(d.code);
        const stallHere = worstStallSince();
        stallByKind.set(k.kind, Math.max(stallByKind.get(k.kind) ?? 0, stallHere));
        assert.equal(holder.current, built.active, 'the previous set keeps serving');
        rmSync(path, { recursive: true, force: true });
        const after = await reloader.reload(`rules/hostile-${i}.yaml deleted`);
        assert.deepEqual(after.diagnostics, [], `after deleting the ${k.kind} the project is clean again`);
        peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20);
        await new Promise((r) => setTimeout(r, 15)); // let the probe tick between files
      }
    } finally {
      clearInterval(probe);
    }
    const end = heapMb();
    console.log(`50 hostile files: heap ${baseline.toFixed(1)} MB before, ${end.toFixed(1)} MB after (peak ${peak.toFixed(1)} MB); longest event-loop stall ${worstStall.toFixed(1)} ms`);
    console.log(`longest stall by kind (ms): ${[...stallByKind].map(([k, v]) => `${k} ${v.toFixed(0)}`).join('; ')}`);
    console.log(`refusal codes: ${[...new Set(refusals)].join(', ')}`);
    assert.ok(end - baseline < HEAP_GROWTH_BOUND_MB, `heap grew ${(end - baseline).toFixed(1)} MB`);
    assert.ok(worstStall < STALL_BOUND_MS, `the event loop stalled ${worstStall.toFixed(1)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validate on a 50 MB file refuses it quickly, naming the file and the limit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-hostile-validate-'));
  const file = join(dir, 'huge.yaml');
  sized(file, 'id: huge\nrules:\n', 50 * 2 ** 20);
  const lines: string[] = [];
  const orig = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let code: number;
  try {
    code = await validate([file]);
  } finally {
    console.log = orig.log;
    console.error = orig.error;
  }
  const ms = performance.now() - t0;
  const grewMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  console.log(`validate on a 50 MB file: exit ${code}, ${ms.toFixed(0)} ms, heap +${grewMb.toFixed(1)} MB`);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 1);
  assert.match(lines.join('\n'), /huge\.yaml:1:1: CONFIG_FILE_TOO_LARGE .*52428800 bytes, over the 524288-byte limit/);
  assert.ok(ms < 5_000, `took ${ms.toFixed(0)} ms`);
  assert.ok(grewMb < 40, `heap grew ${grewMb.toFixed(1)} MB`);
});

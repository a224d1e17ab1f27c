/**
 * kill -9 at random points of `solrules run` (default PGlite store), then a final run: the same
 * orders, fills, P&L and balances to the cent as one uninterrupted run, and a summary covering the
 * whole period. The same after a SIGKILL at exact points of the first tick (a store write hook). Then a run after the replay is complete still writes that summary, and SIGTERM
 * stops a run cleanly (checkpoint kept, summary of the run so far written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { REPO_ROOT, sharedFixture } from '../support/paths.ts';
import { mulberry32 } from '../support/random.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
/** `solrules run` killing itself (SIGKILL) right after a given store write commits. */
const KILLED_AT = join(REPO_ROOT, 'test', 'cli', 'support', 'run-killed-at.ts');
const PRICES = sharedFixture('prices', 'SOL-USD.daily.yahoo.2021-01-01_2023-08-29.csv');
const TO = '2021-03-31'; // 360 ticks: long enough to be killed mid-replay (the kills land within 1 s of its start), short enough for a loaded machine

/** A temp copy of the project (strategies.yaml, rules/), so runs keep their store and out/ there. */
function project(dir: string): string {
  for (const f of ['strategies.yaml', 'rules']) cpSync(join(REPO_ROOT, f), join(dir, f), { recursive: true });
  if (existsSync(join(REPO_ROOT, 'wallets.yaml'))) cpSync(join(REPO_ROOT, 'wallets.yaml'), join(dir, 'wallets.yaml'));
  return dir;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `solrules run` in `cwd`; with `killAfterMs`, sends `signal` that long after the replay has
 * started (the "replaying …" banner), so the kill lands mid-replay.
 */
function runCli(cwd: string, opts: { killAfterMs?: number; signal?: NodeJS.Signals; killAt?: 'insertOrder' | 'recordExecution' | 'saveStrategyState'; speedDaysPerSecond?: number } = {}): Promise<Outcome> {
  return new Promise((resolveRun, reject) => {
    const args = ['run', '--no-watch', '--prices', PRICES, '--to', TO, ...(opts.speedDaysPerSecond ? ['--speed', String(opts.speedDaysPerSecond)] : [])];
    const argv = opts.killAt ? ['--import', import.meta.resolve('tsx'), KILLED_AT, opts.killAt, ...args] : [CLI, ...args];
    const child = spawn(process.execPath, argv, {
      cwd,
      env: { ...process.env, SOLRULES_STORE: '', SOLRULES_BUS: '', SOLRULES_CACHE: '', SOLRULES_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (opts.killAfterMs !== undefined && !armed && stdout.includes('replaying ')) {
        armed = true;
        setTimeout(() => child.kill(opts.signal ?? 'SIGKILL'), opts.killAfterMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));

test('kill -9 at random points mid-replay, then a final run: the summary equals one uninterrupted run', { timeout: 300_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'solrules-kill-'));
  try {
    const straightDir = project(mkdtempSync(join(tmp, 'straight-')));
    const killedDir = project(mkdtempSync(join(tmp, 'killed-')));
    const straight = runCli(straightDir); // alongside the killed series: the machine has two cores
    const seed = Number(process.env.SOLRULES_TEST_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const kills: number[] = [];
    let killedMidReplay = 0;
    for (let i = 0; i < 5; i++) {
      const delay = Math.round(random() * 1000);
      // Paced at 20 days a second, the 90 days take 4.5 s: four kills of at most 1 s each all land
      // mid-replay however fast the machine (unpaced, an idle one finished before late kills, seen with seeds 10 and 11).
      const r = await runCli(killedDir, { killAfterMs: delay, speedDaysPerSecond: 20 });
      kills.push(delay);
      if (r.signal === 'SIGKILL') killedMidReplay += 1;
      else assert.equal(r.code, 0, `run ${i + 1} (seed ${seed}) ended without the kill and failed: ${r.stderr}`);
    }
    const final = await runCli(killedDir);
    assert.equal(final.code, 0, final.stderr);
    const s = await straight;
    assert.equal(s.code, 0, s.stderr);
    const once = summaryOf(straightDir);
    const resumed = summaryOf(killedDir);
    console.log(`kill -9 x${killedMidReplay} mid-replay (seed ${seed}; ${kills.join(', ')} ms after the replay started), then a final run: equity $${resumed.portfolio.end.valueUsd} vs uninterrupted $${once.portfolio.end.valueUsd}; fills ${resumed.fills} vs ${once.fills}; ticks ${resumed.period.ticks} vs ${once.period.ticks}`);
    assert.ok(killedMidReplay >= 3, `at least three runs were killed mid-replay (seed ${seed}: ${killedMidReplay})`);
    assert.deepEqual(resumed, once, `same orders, fills, P&L and balances as one uninterrupted run (seed ${seed})`);
    assert.equal(resumed.period.from, '2021-01-01', 'the summary covers the whole period, not the last segment');

    // The replay is complete: another run says so and still writes the whole run's summary.
    rmSync(join(killedDir, 'out'), { recursive: true });
    const again = await runCli(killedDir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing left to replay/);
    assert.deepEqual(summaryOf(killedDir), once);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// The first tick's first order, its fill and the strategy state after it are stored before that
// tick's checkpoint. Without a checkpoint saved before the first tick, a kill there left the next
// run a stored order it expired and then refused as a duplicate when decided again (129 fills
// instead of 130), or a strategy state it read as "replayed up to that day" (356 ticks of 360).
test('kill -9 right after the first order, its fill or the state after it is stored: the next run equals one uninterrupted run', { timeout: 300_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'solrules-kill-first-'));
  try {
    const straightDir = project(mkdtempSync(join(tmp, 'straight-')));
    const straight = runCli(straightDir);
    const resumed: Record<string, unknown> = {};
    for (const at of ['insertOrder', 'recordExecution', 'saveStrategyState'] as const) {
      const dir = project(mkdtempSync(join(tmp, `${at}-`)));
      const killed = await runCli(dir, { killAt: at });
      assert.equal(killed.signal, 'SIGKILL', `killed right after ${at}: ${killed.stderr}`);
      assert.ok(!existsSync(join(dir, 'out', 'summary.json')), 'the kill came before the end of the run');
      const next = await runCli(dir);
      assert.equal(next.code, 0, next.stderr);
      assert.match(next.stdout, /it stopped before its first tick \(\S+\) was processed, so it starts there again/, 'the next run says it starts over from the first tick (not "as of" the instant before it)');
      resumed[at] = summaryOf(dir);
    }
    const s = await straight;
    assert.equal(s.code, 0, s.stderr);
    const once = summaryOf(straightDir);
    for (const [at, summary] of Object.entries(resumed)) assert.deepEqual(summary, once, `killed right after the first ${at}, then a run: same orders, fills, P&L, balances and ticks as one uninterrupted run`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('SIGTERM stops a run cleanly: the state is kept, a summary of the run so far is written, the next run continues', { timeout: 200_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'solrules-term-'));
  try {
    const dir = project(tmp);
    const stopped = await runCli(dir, { killAfterMs: 300, signal: 'SIGTERM' });
    assert.equal(stopped.signal, null, 'the process handled the signal');
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.match(stopped.stdout, /stopped by SIGTERM after the tick of (\S+): state saved/);
    const partial = summaryOf(dir);
    assert.ok(partial.period.to < TO, `the summary covers the run so far (to ${partial.period.to})`);
    const rest = await runCli(dir);
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stdout, /continuing from the stored state/);
    assert.equal(summaryOf(dir).period.to, TO);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

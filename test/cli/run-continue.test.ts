/**
 * `solrules run` (`npm run paper`) twice in a row with the embedded store: the second run restores grid and DCA
 * state and the paper balances from the first (PGlite under .solrules/) and continues the
 * replay where the first stopped. A run cut in two ends exactly where one uninterrupted run
 * over the same period ends — same orders, fills, P&L, balances and strategy state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openPgliteStore } from '../../engine/infra/store/pglite/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

function run(storeDir: string, out: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--out', out, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, SOLRULES_STORE: `pglite:${storeDir}`, SOLRULES_LOG_LEVEL: 'error' },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function storedState(dir: string): Promise<Record<string, unknown>> {
  const store = await openPgliteStore(dir);
  try {
    return { grid: await store.loadStrategyState('grid'), dca: await store.loadStrategyState('dca'), portfolio: await store.loadStrategyState('paper:portfolio') };
  } finally {
    await store.close();
  }
}

test('a second run continues grid and DCA state from the first, ending where one uninterrupted run ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-continue-'));
  try {
    const [split, straight] = [join(dir, 'split-store'), join(dir, 'straight-store')];
    // Two quarters (not the whole year): the first run stops at mid-year, the second continues to the end of Q3.
    run(split, join(dir, 'o1'), ['--from', '2022-04-01', '--to', '2022-06-30']);
    const s1 = JSON.parse(readFileSync(join(dir, 'o1', 'summary.json'), 'utf8'));
    const second = run(split, join(dir, 'o2'), ['--to', '2022-09-30']); // started again without --from
    assert.match(second, /continuing from the stored state \(PGlite \(embedded\) at .*split-store\): grid, dca, (?:[a-z-]+, )*paper:portfolio as of 2022-06-30T18:00:00\.000Z/);
    const s2 = JSON.parse(readFileSync(join(dir, 'o2', 'summary.json'), 'utf8'));
    assert.deepEqual([s2.period.from, s2.period.to], ['2022-04-01', '2022-09-30'], 'the summary covers the whole run, both segments');
    const afterSecond = await storedState(split);
    const third = run(split, join(dir, 'o3'), ['--to', '2022-09-30']);
    assert.match(third, /nothing left to replay: .* already reaches 2022-09-30T18:00:00\.000Z/);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'o3', 'summary.json'), 'utf8')), s2, 'a run after the replay is complete still writes the summary');

    run(straight, join(dir, 'o4'), ['--from', '2022-04-01', '--to', '2022-09-30']);
    const s4 = JSON.parse(readFileSync(join(dir, 'o4', 'summary.json'), 'utf8'));
    const once = await storedState(straight);

    const dca1 = s1.strategies.dca.inventory as number;
    const dca2 = s2.strategies.dca.inventory as number;
    console.log(
      `run continuation: DCA holds ${dca1} SOL after run 1 (to 2022-06-30), ${dca2} SOL after run 2 (to 2022-09-30),` +
        ` ${s4.strategies.dca.inventory} SOL after one uninterrupted run;` +
        ` final value split $${s2.portfolio.end.valueUsd} vs uninterrupted $${s4.portfolio.end.valueUsd}`,
    );
    assert.ok(dca2 > dca1 && dca1 > 0, 'the DCA position grew from where the first run left it');
    assert.deepEqual(afterSecond, once, 'grid, DCA and paper balances equal those of one uninterrupted run');
    assert.deepEqual(s2.strategies, s4.strategies, 'P&L per strategy equal');
    assert.deepEqual(s2, s4, 'the split run\'s summary is the uninterrupted one: orders, fills, counts, P&L, balances');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

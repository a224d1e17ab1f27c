/** `solrules doctor` on the embedded store: a directory another live process holds is reported in use, a stale lock is not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStore } from '../../../engine/infra/store/index.ts';
import { openPgliteStore } from '../../../engine/infra/store/pglite/index.ts';

test('doctor: an embedded store held by another live process is in use; a lock left by a dead one is ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-check-'));
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  try {
    const data = join(dir, 'store');
    await (await openPgliteStore(data)).close();
    writeFileSync(`${data}.lock`, String(other.pid));
    const held = await checkStore({ url: `pglite:${data}` });
    assert.equal(held.ok, true);
    assert.deepEqual(held.details, [`in use by solrules process ${other.pid} (only one process opens an embedded store; use PostgreSQL to share one)`]);

    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    const stale = await checkStore({ url: `pglite:${data}` });
    assert.equal(stale.ok, true);
    assert.match(stale.details[0]!, /^migrations: \d+ applied, 0 pending$/);
  } finally {
    other.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

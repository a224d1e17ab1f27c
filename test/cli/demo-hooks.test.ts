/**
 * A hook into the demo that throws (a test's onStarted or beforeStop steps) ends the demo with the
 * typed DEMO_HOOK_FAILED, its cause kept, after the demo tore down everything it started: the
 * process exits by itself instead of staying alive on the sandbox's servers, the scanners and timers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./support/demo-failing-hook.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

for (const hook of ['onStarted', 'beforeStop'] as const) {
  test(`demo: a ${hook} hook that throws ends in DEMO_HOOK_FAILED and the process exits by itself`, { timeout: 240_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, hook], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Printing the error comes first; then nothing may keep the process alive. Generous: a loaded machine.
    const printed = new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('\n') && resolve()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await Promise.race([printed, exited]);
    const lingered = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 30_000).unref())]);
    if (lingered) child.kill('SIGKILL');
    const code = await exited;
    assert.equal(lingered, false, `the demo process stayed alive 30 s after the hook's error was reported: something it started was not torn down\n${stdout}${stderr.slice(-2000)}`);
    const line = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.equal(code, 3, `exit code; stderr: ${stderr.slice(-2000)}`);
    assert.equal(line.code, 'DEMO_HOOK_FAILED', `a typed error: ${JSON.stringify(line)}`);
    assert.equal(line.hook, hook);
    assert.equal(line.cause, 'the hook broke on purpose', 'the hook\'s own error is the cause');
  });
}

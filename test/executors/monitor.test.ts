/** Confirmation monitor: batches of at most 100, backoff, expiry vs timeout — on a scripted chain (the sandbox runs are in faults/e2e). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfirmationMonitor } from '../../engine/executors/index.ts';
import type { SignatureStatus } from '../../engine/executors/rpc/pool.ts';
import { MAX_STATUS_BATCH, type ConfirmOutcome, type MonitorChain } from '../../engine/executors/confirm/monitor.ts';

class ScriptedChain implements MonitorChain {
  height = 100;
  statuses = new Map<string, SignatureStatus>();
  calls: number[] = [];
  callTimes: number[] = [];
  failNext = 0;
  async getSignatureStatuses(sigs: string[]) {
    this.calls.push(sigs.length);
    this.callTimes.push(Date.now());
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('rpc down');
    }
    return sigs.map((s) => this.statuses.get(s) ?? null);
  }
  async getBlockHeight() {
    return this.height;
  }
}

test('250 watched signatures are polled in batches of at most 100 and each settles with its outcome', async () => {
  const chain = new ScriptedChain();
  const m = new ConfirmationMonitor(chain, { initialIntervalMs: 5, maxIntervalMs: 20, timeoutMs: 5_000 });
  const sigs = Array.from({ length: 250 }, (_, i) => `sig${i}`);
  const waits = sigs.map((s) => m.wait(s, 200));
  setTimeout(() => {
    sigs.forEach((s, i) => chain.statuses.set(s, i % 10 === 0 ? { slot: 7, confirmations: 0, err: { InstructionError: [0, 'Custom'] }, confirmationStatus: 'confirmed' } : { slot: 7, confirmations: 1, err: null, confirmationStatus: 'confirmed' }));
  }, 30);
  const outcomes = await Promise.all(waits);
  assert.equal(MAX_STATUS_BATCH, 100);
  assert.ok(Math.max(...chain.calls) <= 100, `largest batch ${Math.max(...chain.calls)}`);
  assert.equal(m.stats.largestBatch, 100);
  assert.ok(chain.calls.includes(50), 'the remainder batch');
  assert.equal(outcomes.filter((o) => o.kind === 'confirmed').length, 225);
  assert.equal(outcomes.filter((o) => o.kind === 'failed').length, 25);
  m.close();
});

test('processed is not confirmed; the poll interval backs off while nothing changes and RPC errors are survived', async () => {
  const chain = new ScriptedChain();
  const m = new ConfirmationMonitor(chain, { initialIntervalMs: 10, backoff: 2, maxIntervalMs: 80, timeoutMs: 5_000 });
  chain.statuses.set('a', { slot: 1, confirmations: 0, err: null, confirmationStatus: 'processed' });
  chain.failNext = 2;
  const w = m.wait('a', 500);
  await new Promise((r) => setTimeout(r, 400));
  const gaps = chain.callTimes.slice(1).map((t, i) => t - chain.callTimes[i]!);
  assert.ok(gaps.length >= 3);
  assert.ok(gaps[gaps.length - 1]! >= 60, `later polls are further apart: ${gaps.join(', ')}`);
  assert.ok(gaps[0]! < 40, `first polls are close: ${gaps.join(', ')}`);
  assert.equal(m.stats.errors, 2);
  chain.statuses.set('a', { slot: 1, confirmations: 1, err: null, confirmationStatus: 'confirmed' });
  assert.deepEqual(await w, { kind: 'confirmed', signature: 'a', slot: 1 });
  m.close();
});

test('block height past lastValidBlockHeight with no status is an expiry; a deadline without it is a timeout', async () => {
  const chain = new ScriptedChain();
  const m = new ConfirmationMonitor(chain, { initialIntervalMs: 5, maxIntervalMs: 10, timeoutMs: 100 });
  const expiring = m.wait('gone', 150);
  const slow = m.wait('slow', 10_000);
  chain.height = 151;
  const e = await expiring;
  assert.equal(e.kind, 'expired');
  assert.deepEqual(e.kind === 'expired' && [e.blockHeight, e.lastValidBlockHeight], [151, 150]);
  const t = await slow;
  assert.equal(t.kind, 'timeout');
  assert.ok(t.kind === 'timeout' && t.afterMs >= 100);
  m.close();
});

test('unconfigured, the timeout is 30 s: still waiting at 29 s, a timeout by 32 s', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const chain = new ScriptedChain();
  const m = new ConfirmationMonitor(chain, { initialIntervalMs: 200, maxIntervalMs: 2_000 });
  let settled: ConfirmOutcome | undefined;
  void m.wait('never-seen', 1_000_000).then((o) => (settled = o));
  const outcome = () => settled;
  const advance = async (ms: number) => {
    for (let step = 0; step < ms && !outcome(); step += 100) {
      t.mock.timers.tick(100);
      await new Promise((r) => setImmediate(r));
    }
  };
  await advance(29_000);
  assert.ok(!outcome(), 'still waiting at 29 s');
  await advance(3_000);
  const o = outcome();
  assert.ok(o?.kind === 'timeout' && o.afterMs >= 30_000 && o.afterMs <= 32_000, `outcome ${JSON.stringify(o)}`);
  m.close();
});

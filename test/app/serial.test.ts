/**
 * The live send queue: orders sharing a mint (so possibly a pool) run one after the other in the
 * order queued — a failed one does not stop the next — while orders on disjoint mints run side by
 * side; a round trip is keyed by its legs' mints too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendQueue, sendKeys } from '../../engine/app/serial.ts';
import type { Order } from '../../engine/orders/index.ts';

const order = (inputMint: string, outputMint: string, params: Record<string, unknown> = {}) => ({ inputMint, outputMint, params }) as unknown as Order;

test('send queue: shared mints in order, disjoint mints side by side, a failure does not block', async () => {
  assert.deepEqual(sendKeys(order('USDC', 'USDC', { route: { legs: [{ pool: 'p', inputMint: 'USDC', outputMint: 'SOL' }, { pool: 'q', inputMint: 'SOL', outputMint: 'USDC' }] } })).sort(), ['SOL', 'USDC']);
  const q = new SendQueue();
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const task = (name: string, fail = false) => () => new Promise<string>((resolve, reject) => {
    log.push(`start ${name}`);
    gates.set(name, () => {
      log.push(`end ${name}`);
      if (fail) reject(new Error(name));
      else resolve(name);
    });
  });
  const tick = () => new Promise((r) => setImmediate(r));
  const a = q.run(['SOL', 'USDC'], task('a', true));
  const b = q.run(['SOL', 'USDC'], task('b'));
  const c = q.run(['JUP', 'BONK'], task('c'));
  const d = q.run(['USDC', 'USDC', 'SOL'], task('d')); // a round trip through SOL
  await tick();
  assert.deepEqual(log, ['start a', 'start c'], 'disjoint mints start together; the same pair waits');
  gates.get('c')!();
  assert.equal(await c, 'c');
  gates.get('a')!();
  await assert.rejects(a, /a/);
  await tick();
  assert.deepEqual(log.slice(-2), ['end a', 'start b'], 'the next on the pair starts once the failed one settled');
  gates.get('b')!();
  await b;
  await tick();
  assert.equal(log.at(-1), 'start d', 'the round trip waited for both');
  gates.get('d')!();
  await d;
  await tick();
  assert.equal(q.busyKeys, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rendezvousAssign, rendezvousOwner } from '../../engine/cluster/index.ts';

const keys = Array.from({ length: 10_000 }, (_, i) => `pool:${(i * 2654435761) % 1_000_003}:${i}`);

test('every key has exactly one owner, the same on every instance whatever the member order', () => {
  const members = ['scanner-a', 'scanner-b', 'scanner-c'];
  for (const key of keys.slice(0, 500)) {
    const owner = rendezvousOwner(key, members);
    assert.ok(owner && members.includes(owner));
    assert.equal(rendezvousOwner(key, [...members].reverse()), owner);
  }
  assert.equal(rendezvousOwner('k', []), undefined);
});

test('shares are balanced: 3 members each get a third of 10,000 keys within 5 %', () => {
  const shares = rendezvousAssign(keys, ['a', 'b', 'c']);
  for (const [member, owned] of shares) assert.ok(Math.abs(owned.length - keys.length / 3) < keys.length * 0.05, `${member}: ${owned.length}`);
});

test('a member leaving moves only its own keys; a member joining takes about 1/n from each', () => {
  const before = rendezvousAssign(keys, ['a', 'b', 'c', 'd']);
  const after = rendezvousAssign(keys, ['a', 'b', 'd']);
  for (const m of ['a', 'b', 'd']) {
    const kept = new Set(after.get(m));
    for (const k of before.get(m)!) assert.ok(kept.has(k), `${k} stayed with ${m}`);
  }
  const moved = keys.filter((k) => rendezvousOwner(k, ['a', 'b', 'c']) !== rendezvousOwner(k, ['a', 'b', 'c', 'e']));
  assert.ok(moved.every((k) => rendezvousOwner(k, ['a', 'b', 'c', 'e']) === 'e'), 'only keys going to the newcomer move');
  assert.ok(Math.abs(moved.length - keys.length / 4) < keys.length * 0.05, `${moved.length} keys moved to the 4th member`);
});

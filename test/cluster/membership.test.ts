import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { Membership, rendezvousOwner, type MembershipChange } from '../../engine/cluster/index.ts';

const keys = Array.from({ length: 300 }, (_, i) => `strategy-${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function owners(members: Membership[], key: string): string[] {
  return members.filter((m) => m.owns(key)).map((m) => m.member);
}

test('three members agree on the members and own each key exactly once; a joiner owns nothing until ready', async () => {
  const bus = new MemoryBus();
  const a = new Membership(bus, { group: 'planner', member: 'a', heartbeatMs: 20 });
  const b = new Membership(bus, { group: 'planner', member: 'b', heartbeatMs: 20 });
  await Promise.all([a.start(), b.start()]);
  await sleep(60);
  const c = new Membership(bus, { group: 'planner', member: 'c', heartbeatMs: 20 });
  const joining = c.start();
  await sleep(10);
  assert.equal(keys.filter((k) => c.owns(k)).length, 0, 'c listens a full window before taking a share');
  assert.deepEqual(a.members(), ['a', 'b'], 'a does not count c before it is ready');
  await joining;
  await sleep(60);
  const all = [a, b, c];
  for (const m of all) assert.deepEqual(m.members(), ['a', 'b', 'c'], m.member);
  for (const k of keys) assert.deepEqual(owners(all, k), [rendezvousOwner(k, ['a', 'b', 'c'])], k);
  const other = new Membership(bus, { group: 'scanner', member: 'x', heartbeatMs: 20 });
  await other.start();
  assert.deepEqual(a.members(), ['a', 'b', 'c'], 'another group is not counted');
  await Promise.all([...all, other].map((m) => m.stop()));
});

test('a clean stop moves the share at once; silence moves it after deadAfterMs', async () => {
  const bus = new MemoryBus();
  const a = new Membership(bus, { group: 'scanner', member: 'a', heartbeatMs: 20, deadAfterMs: 100 });
  const b = new Membership(bus, { group: 'scanner', member: 'b', heartbeatMs: 20, deadAfterMs: 100 });
  await Promise.all([a.start(), b.start()]);
  await sleep(50);
  const changes: MembershipChange[] = [];
  a.onMembershipChange((c) => changes.push(c));
  const stoppedAt = Date.now();
  await b.stop();
  assert.deepEqual(a.members(), ['a']);
  assert.equal(changes[0]?.reason, 'leaving');
  assert.ok(changes[0]!.at - stoppedAt < 50, 'taken over on the leave message, not after a timeout');
  assert.ok(keys.every((k) => a.owns(k)), 'a owns everything alone');

  // A member that goes silent (its heartbeats no longer reach a: a died) is dropped after deadAfterMs.
  const silentBus = new MemoryBus();
  const c = new Membership(silentBus, { group: 'scanner', member: 'c', heartbeatMs: 20, deadAfterMs: 100 });
  const d = new Membership(silentBus, { group: 'scanner', member: 'd', heartbeatMs: 20, deadAfterMs: 100 });
  await Promise.all([c.start(), d.start()]);
  await sleep(50);
  assert.deepEqual(c.members(), ['c', 'd']);
  const dropped: MembershipChange[] = [];
  c.onMembershipChange((ch) => dropped.push(ch));
  const publish = silentBus.publish.bind(silentBus);
  silentBus.publish = async (subject, data, opts) => ((data as { member?: string }).member === 'd' ? undefined : publish(subject, data, opts));
  const silentFrom = Date.now();
  while (c.members().includes('d') && Date.now() - silentFrom < 2_000) await sleep(5);
  const takeoverMs = Date.now() - silentFrom;
  assert.deepEqual(c.members(), ['c']);
  assert.equal(dropped[0]?.reason, 'silent');
  assert.ok(takeoverMs >= 80 && takeoverMs < 1_000, `dropped after ${takeoverMs} ms of silence (deadAfterMs 100 + one heartbeat)`);
  await Promise.all([a.stop(), c.stop(), d.stop()]);
});

/**
 * Membership across processes over the machine's NATS: two member processes and one here share
 * the keys; one process is SIGKILLed (no goodbye) and its share is taken over within the bound
 * deadAfterMs + heartbeatMs; restarted, it gets its keys back. Prints the takeover times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Membership, rendezvousOwner, type MembershipChange } from '../../engine/cluster/index.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { deleteNamespace, openTestBus, testNamespace } from '../infra/bus/nats/support.ts';

const HEARTBEAT_MS = 100;
const DEAD_AFTER_MS = 4 * HEARTBEAT_MS;
const keys = Array.from({ length: 1_000 }, (_, i) => `account-${i}`);

function startMember(name: string, busUrl: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/member-process.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, MEMBER: name, GROUP: 'scanner', SOLRULES_BUS: busUrl, HEARTBEAT_MS: String(HEARTBEAT_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(proc));
    proc.once('exit', (code) => reject(new Error(`member ${name} exited with ${code} before ready`)));
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('over NATS: a SIGKILLed member’s share is taken over within deadAfterMs + one heartbeat, and given back when it returns', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const ns = testNamespace('members');
  const busUrl = `${SERVICES.nats.url}?namespace=${ns}`;
  const bus = await openTestBus(SERVICES.nats.url, ns);
  const here = new Membership(bus, { group: 'scanner', member: 'here', heartbeatMs: HEARTBEAT_MS, deadAfterMs: DEAD_AFTER_MS });
  const procs: ChildProcess[] = [];
  try {
    procs.push(await startMember('p1', busUrl), await startMember('p2', busUrl));
    await here.start();
    await until('three members', () => here.members().length === 3);
    const mine = keys.filter((k) => here.owns(k)).length;
    assert.deepEqual(here.members(), ['here', 'p1', 'p2']);
    assert.equal(mine, keys.filter((k) => rendezvousOwner(k, ['here', 'p1', 'p2']) === 'here').length);
    assert.ok(mine > 250 && mine < 420, `a third of the keys here (${mine})`);

    const changes: MembershipChange[] = [];
    here.onMembershipChange((c) => changes.push(c));
    const killedAt = Date.now();
    procs[0]!.kill('SIGKILL');
    await until('p1 dropped', () => !here.members().includes('p1'));
    const takeoverMs = changes.at(-1)!.at - killedAt;
    const after = keys.filter((k) => here.owns(k)).length;
    process.stdout.write(`# membership over NATS: SIGKILLed member dropped after ${takeoverMs} ms (bound ${DEAD_AFTER_MS + HEARTBEAT_MS} ms + scheduling); keys here ${mine} → ${after} of ${keys.length}\n`);
    assert.equal(changes.at(-1)!.reason, 'silent');
    assert.ok(takeoverMs >= DEAD_AFTER_MS - HEARTBEAT_MS, `not before the silence window (${takeoverMs} ms)`);
    assert.ok(takeoverMs < DEAD_AFTER_MS + HEARTBEAT_MS + 1_500, `within the bound plus scheduling slack on a loaded machine (${takeoverMs} ms)`);
    for (const k of keys) if (rendezvousOwner(k, ['here', 'p1', 'p2']) === 'here') assert.ok(here.owns(k), `${k} stays here`);
    assert.equal(after, keys.filter((k) => rendezvousOwner(k, ['here', 'p2']) === 'here').length);

    const restartedAt = Date.now();
    procs[0] = await startMember('p1', busUrl);
    await until('p1 back', () => here.members().includes('p1'));
    process.stdout.write(`# membership over NATS: restarted member counted again after ${Date.now() - restartedAt} ms (process start + one listening window)\n`);
    assert.equal(keys.filter((k) => here.owns(k)).length, mine, 'the same share as before the kill');
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await once(p, 'exit');
    }
    await here.stop();
    await bus.close();
    await deleteNamespace(SERVICES.nats.url, ns);
  }
});

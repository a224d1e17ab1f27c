/**
 * The split deployment as processes over the machine's real NATS, Redis and PostgreSQL
 * (test/support/topology.ts: the sandbox market stepped in lockstep, each run isolated). 2 scanners,
 * 2 planners and 2 executors (`run --role …`, DRY RUN: simulated fills) trade the examples/live
 * market; one of each is SIGKILLed mid-run and later restarted. Every order is decided once (one
 * row, one publication), executed at most once, none is left unfinished — and one `--role all`
 * process stepped the same way decides the same orders, fills them the same and ends with the same
 * paper balances: facts are timed by the chain (each slot's block time), every topology publishes
 * one batch per slot (the harness runs examples/live with `batching: slot`; planners close a slot once every
 * live scanner has passed it), and the executors trade on one set of paper balances (each follows
 * the others' fills).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBus, type Bus } from '../../engine/infra/bus/index.ts';
import { Membership } from '../../engine/cluster/index.ts';
import { requireService } from '../support/services.ts';
import { assertExactlyOnce, runTopology, singleProcess, splitRoles, startRole, until, untilUp } from '../support/topology.ts';

const STEPS = Number(process.env.SOLRULES_TOPOLOGY_STEPS ?? 15);

test('split roles as processes: 2 scanners, 2 planners, 2 executors, one of each SIGKILLed and restarted — every order decided once, executed at most once, none lost; the same decisions and final balances as one process', { timeout: 900_000 }, async (t) => {
  for (const s of ['nats', 'redis', 'postgres'] as const) if (!(await requireService(t, s))) return;
  const killAt = Math.floor(STEPS / 3);
  const restartAt = Math.floor((2 * STEPS) / 3);
  const takeovers: string[] = [];
  let observer: { bus: Bus; groups: Membership[] } | undefined;
  const split = await runTopology(t, {
    label: 'split',
    steps: STEPS,
    spawn: splitRoles,
    midRun: async (step, ctx) => {
      const { procs } = ctx;
      if (step === 1) {
        // A passive observer of the scanner and planner groups: when did the survivors see the dead member go?
        const bus = await openBus({ url: ctx.env.SOLRULES_BUS!, name: 'topology-observer' });
        observer = { bus, groups: [] };
        for (const group of ['scanner', 'planner']) {
          const m = new Membership(bus, { group, member: `observer-${group}`, passive: true });
          await m.start();
          observer.groups.push(m);
        }
      }
      if (step === killAt) {
        const killedAt = Date.now();
        for (const role of ['scanner', 'planner', 'executor']) procs.find((x) => x.name === `${role}-1`)!.child.kill('SIGKILL');
        for (const [i, group] of ['scanner', 'planner'].entries()) {
          const m = observer!.groups[i]!;
          await until(`${group}-1 dropped`, () => !m.members().includes(`${group}-1`), 30_000);
          takeovers.push(`${group}: ${Date.now() - killedAt} ms after the SIGKILL the survivor owns the whole share`);
        }
      }
      if (step === restartAt) {
        const restarted = (['scanner', 'planner', 'executor'] as const).map((role) => {
          const i = procs.findIndex((x) => x.name === `${role}-1`);
          return (procs[i] = startRole(role, 1, ctx));
        });
        await untilUp(restarted);
        await new Promise((r) => setTimeout(r, 3_000));
      }
    },
  });
  if (observer) {
    for (const m of observer.groups) await m.stop();
    await observer.bus.close();
  }
  for (const line of takeovers) t.diagnostic(`takeover: ${line}`);
  assertExactlyOnce(split);
  assert.deepEqual(split.offState, [], 'every round trip filled on the pool states it was decided on');
  assert.equal(takeovers.length, 2, 'the scanner and planner shares moved to the survivors');

  // One `--role all` process stepped the same way (SOLRULES_TOPOLOGY_COMPARE=0 leaves it out while iterating).
  if (process.env.SOLRULES_TOPOLOGY_COMPARE === '0') return;
  const single = await runTopology(t, { label: 'single', steps: STEPS, spawn: singleProcess });
  assertExactlyOnce(single);
  assert.deepEqual(single.offState, [], 'one process: every round trip filled on the pool states it was decided on');
  const sameIds = [...split.orders.keys()].filter((id) => single.orders.has(id)).length;
  t.diagnostic(`compared with one process: ${split.orders.size} vs ${single.orders.size} decisions (${sameIds} with the same order id), ${split.fills.size} vs ${single.fills.size} fills; balances SOL ${split.balances.base} vs ${single.balances.base}, USDC ${split.balances.quote} vs ${single.balances.quote} atoms`);
  assert.deepEqual(split.decisions, single.decisions, 'the same decisions (time, strategy, rule, side, amounts)');
  assert.deepEqual(split.filled, single.filled, 'the same fills');
  assert.deepEqual(split.balances, single.balances, 'the same final paper balances');
});

/**
 * The split deployment (test/support/topology.ts, DRY RUN, the sandbox market stepped in lockstep)
 * over a 3-node NATS JetStream cluster of the test's own (streams in 3 copies), one node of which is
 * SIGKILLed mid-run and restarted: every order is still decided once (one row, one publication),
 * executed at most once, and none is lost (every order final); and the market keeps flowing through
 * the kill — a planner whose `market.accounts` consumer went silent when the node died decided 2
 * orders instead of ~10 and still passed the exactly-once checks. Shorter than split-roles.test.ts:
 * one scanner, one planner and two executors (the queue group that must not execute twice), 9 steps
 * (SOLRULES_NATS_KILL_STEPS).
 */
import { test } from 'node:test';
import { requireService } from '../support/services.ts';
import { requireBinary } from '../support/servers.ts';
import { NatsCluster } from '../support/nats-cluster.ts';
import { assertExactlyOnce, runTopology, startRole } from '../support/topology.ts';
import assert from 'node:assert/strict';
import { openStore } from '../../engine/infra/store/index.ts';

const STEPS = Number(process.env.SOLRULES_NATS_KILL_STEPS ?? 9);
/**
 * Decisions the run must reach at least: the same market without the kill decides about 10 over
 * 9 steps (the sandbox market is seeded); a stalled market feed decided 2, all before the kill.
 */
const MIN_DECISIONS = Math.ceil((STEPS * 5) / 9);

test('split roles over a 3-node NATS cluster (1 scanner, 1 planner, 2 executors), one node SIGKILLed and restarted: every order decided once, executed at most once, none lost', { timeout: 600_000 }, async (t) => {
  for (const s of ['redis', 'postgres'] as const) if (!(await requireService(t, s))) return;
  if (!requireBinary(t, 'nats-server')) return;
  const cluster = await NatsCluster.start();
  const killAt = Math.floor(STEPS / 3);
  const restartAt = Math.floor((2 * STEPS) / 3);
  const events: string[] = [];
  let decidedAtKill = 0;
  const decidedNow = async (env: NodeJS.ProcessEnv) => {
    const store = await openStore({ url: env.SOLRULES_STORE! });
    try {
      return (await store.listOrders()).length;
    } finally {
      await store.close();
    }
  };
  try {
    const outcome = await runTopology(t, {
      label: 'natskill',
      steps: STEPS,
      natsUrl: cluster.url,
      spawn: (ctx) => [startRole('scanner', 1, ctx), startRole('planner', 1, ctx), startRole('executor', 1, ctx), startRole('executor', 2, ctx)],
      midRun: async (step, ctx) => {
        if (step === killAt) {
          decidedAtKill = await decidedNow(ctx.env);
          await cluster.killNode(0);
          events.push(`step ${step}: NATS node n1 SIGKILLed (${decidedAtKill} order(s) decided before)`);
        }
        if (step === restartAt) {
          const at = Date.now();
          await cluster.startNode(0);
          await cluster.waitReady();
          events.push(`step ${step}: n1 restarted, JetStream answering through every node after ${Date.now() - at} ms`);
        }
      },
    });
    for (const e of events) t.diagnostic(e);
    assertExactlyOnce(outcome, { observerMayMiss: true });
    // The market kept flowing through the kill: the planner decided after it, and about as much as without it.
    assert.ok(outcome.orders.size > decidedAtKill, `no order decided after the NATS node was killed (${decidedAtKill} before): the market stopped reaching the planner`);
    assert.ok(outcome.orders.size >= MIN_DECISIONS, `${outcome.orders.size} order(s) decided over ${STEPS} steps, fewer than ${MIN_DECISIONS} (about 10 without the kill): the market stalled after the node kill`);
    t.diagnostic(`natskill: ${outcome.orders.size} decided, ${outcome.fills.size} filled, ${outcome.executions} execution report(s), ${[...outcome.orders.values()].filter((s) => s !== 'filled').length} not filled (final), ${outcome.published.size} publication(s) seen by the test's subscriber`);
  } finally {
    await cluster.dispose();
  }
});

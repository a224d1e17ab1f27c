/**
 * The split deployment (test/support/topology.ts, DRY RUN, the sandbox market stepped in lockstep)
 * over a 3-node NATS JetStream cluster of the test's own (streams in 3 copies), one node of which is
 * SIGKILLed mid-run and restarted: every order is still decided once (one row, one publication),
 * executed at most once, and none is lost (every order final). Shorter than split-roles.test.ts:
 * one scanner, one planner and two executors (the queue group that must not execute twice), 9 steps
 * (SOLRULES_NATS_KILL_STEPS).
 */
import { test } from 'node:test';
import { requireService } from '../support/services.ts';
import { requireBinary } from '../support/servers.ts';
import { NatsCluster } from '../support/nats-cluster.ts';
import { assertExactlyOnce, runTopology, startRole } from '../support/topology.ts';

const STEPS = Number(process.env.SOLRULES_NATS_KILL_STEPS ?? 9);

test('split roles over a 3-node NATS cluster (1 scanner, 1 planner, 2 executors), one node SIGKILLed and restarted: every order decided once, executed at most once, none lost', { timeout: 600_000 }, async (t) => {
  for (const s of ['redis', 'postgres'] as const) if (!(await requireService(t, s))) return;
  if (!requireBinary(t, 'nats-server')) return;
  const cluster = await NatsCluster.start();
  const killAt = Math.floor(STEPS / 3);
  const restartAt = Math.floor((2 * STEPS) / 3);
  const events: string[] = [];
  try {
    const outcome = await runTopology(t, {
      label: 'natskill',
      steps: STEPS,
      natsUrl: cluster.url,
      spawn: (ctx) => [startRole('scanner', 1, ctx), startRole('planner', 1, ctx), startRole('executor', 1, ctx), startRole('executor', 2, ctx)],
      midRun: async (step) => {
        if (step === killAt) {
          await cluster.killNode(0);
          events.push(`step ${step}: NATS node n1 SIGKILLed`);
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
    t.diagnostic(`natskill: ${outcome.orders.size} decided, ${outcome.fills.size} filled, ${outcome.executions} execution report(s), ${[...outcome.orders.values()].filter((s) => s !== 'filled').length} not filled (final), ${outcome.published.size} publication(s) seen by the test's subscriber`);
  } finally {
    await cluster.dispose();
  }
});

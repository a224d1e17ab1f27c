/**
 * One member of a group for the membership test over real NATS: joins through the bus the engine
 * opens (SOLRULES_BUS), prints `ready` once it takes its share, and lives until killed.
 */
import { openBus } from '../../engine/infra/bus/index.ts';
import { Membership } from '../../engine/cluster/index.ts';

const member = process.env.MEMBER ?? `m${process.pid}`;
const bus = await openBus({ name: member });
const membership = new Membership(bus, { group: process.env.GROUP ?? 'scanner', member, heartbeatMs: Number(process.env.HEARTBEAT_MS ?? 100) });
await membership.start();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await membership.stop();
  await bus.close();
  process.exit(0);
});

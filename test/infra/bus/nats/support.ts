/** NATS test helpers: a namespaced bus on a server, and removal of the namespace's streams. */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsBus, natsConnectOptions, type NatsBusOptions } from '../../../../engine/infra/bus/nats/index.ts';

/** A namespace unique to this test run, so runs on the shared server never meet. */
export function testNamespace(label: string): string {
  return `t${label}${randomBytes(4).toString('hex')}`;
}

const MiB = 1024 * 1024;

/** Small stream sizes: JetStream reserves max_bytes on the (shared) server for every stream. */
export const TEST_STREAM_LIMITS: NatsBusOptions['streams'] = {
  market: { maxBytes: 8 * MiB },
  opportunities: { maxBytes: 8 * MiB },
  execution: { maxBytes: 64 * MiB },
  dlq: { maxBytes: 8 * MiB },
};

export function openTestBus(url: string, namespace: string, opts: Partial<NatsBusOptions> = {}): Promise<NatsBus> {
  return NatsBus.connect({ servers: url, namespace, ackWaitMs: 2_000, streams: TEST_STREAM_LIMITS, ...opts });
}

/** Deletes every stream of `namespace` on the server at `url`. */
export async function deleteNamespace(url: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsConnectOptions(url).servers });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = `${namespace.toUpperCase()}_`;
    const names: string[] = [];
    for await (const s of jsm.streams.list()) if (s.config.name.startsWith(prefix)) names.push(s.config.name);
    for (const n of names) await jsm.streams.delete(n);
  } finally {
    await nc.close();
  }
}

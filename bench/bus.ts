/**
 * `npm run bench:bus [-- --json]`: messages per second and publish-to-handler latency (p50, p99)
 * of the in-process bus (the baseline) and of NATS in the same run — JetStream for stored
 * subjects (publish acknowledged once stored, durable consumer, explicit acks) and core NATS for
 * the control plane. NATS is the server of SOLRULES_BUS when it is a nats:// URL, otherwise
 * 127.0.0.1:4222; the bench uses its own namespace and removes its streams afterwards.
 *
 * Method: throughput — N messages published with up to 256 in flight, timed from the first
 * publish until the handler has seen the last. Latency — 2,000 messages one at a time (the
 * next published once the previous arrived), publish call to handler entry, same process clock.
 */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { MemoryBus, type Bus } from '../engine/infra/bus/index.ts';
import { NatsBus, natsConnectOptions } from '../engine/infra/bus/nats/index.ts';

const asJson = process.argv.includes('--json');
const natsUrl = process.env.SOLRULES_BUS?.startsWith('nats://') ? process.env.SOLRULES_BUS.split('?')[0]! : 'nats://127.0.0.1:4222';
const MiB = 1024 * 1024;

interface Row {
  bus: string;
  subject: string;
  messages: number;
  msgsPerSec: number;
  p50us: number;
  p99us: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function throughput(bus: Bus, subject: string, n: number, opts: { durable?: string }): Promise<number> {
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const sub = await bus.subscribe<{ i: number }>(subject, () => {
    if (++seen === n) done();
  }, opts);
  const t0 = performance.now();
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < n; i++) {
    const p = bus.publish(subject, { i, pad: 'x'.repeat(200) }).then(() => void inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 256) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  await finished;
  const secs = (performance.now() - t0) / 1000;
  await sub.unsubscribe();
  return n / secs;
}

async function latency(bus: Bus, subject: string, n: number, opts: { durable?: string }): Promise<number[]> {
  const samples: number[] = [];
  let arrived!: () => void;
  const sub = await bus.subscribe<{ t: number }>(subject, (m) => {
    samples.push((performance.now() - m.data.t) * 1000);
    arrived();
  }, opts);
  for (let i = 0; i < n + 100; i++) {
    const got = new Promise<void>((r) => (arrived = r));
    await bus.publish(subject, { t: performance.now(), pad: 'x'.repeat(200) });
    await got;
  }
  await sub.unsubscribe();
  return samples.slice(100).sort((a, b) => a - b); // the first 100 warm up
}

async function measure(name: string, bus: Bus, subject: string, n: number, durable: boolean): Promise<Row> {
  const tag = randomBytes(3).toString('hex');
  await throughput(bus, `${subject}.warm`, Math.min(2_000, n), durable ? { durable: `warm${tag}` } : {});
  const msgsPerSec = await throughput(bus, `${subject}.tput`, n, durable ? { durable: `tput${tag}` } : {});
  const lat = await latency(bus, `${subject}.lat`, 2_000, durable ? { durable: `lat${tag}` } : {});
  return { bus: name, subject: `${subject}.*`, messages: n, msgsPerSec: Math.round(msgsPerSec), p50us: Math.round(quantile(lat, 0.5)), p99us: Math.round(quantile(lat, 0.99)) };
}

const rows: Row[] = [];
const memory = new MemoryBus();
rows.push(await measure('in-process (baseline)', memory, 'execution.bench', 50_000, false));
await memory.close();

const ns = `bench${randomBytes(4).toString('hex')}`;
let nats: NatsBus | undefined;
try {
  nats = await NatsBus.connect({ servers: natsUrl, namespace: ns, name: 'solrules-bench', streams: { market: { maxBytes: 64 * MiB }, opportunities: { maxBytes: 8 * MiB }, execution: { maxBytes: 256 * MiB }, dlq: { maxBytes: 8 * MiB } } });
  rows.push(await measure('NATS JetStream', nats, 'execution.bench', 20_000, true));
  rows.push(await measure('NATS core', nats, 'control.bench', 50_000, false));
} catch (err) {
  console.error(`NATS at ${natsUrl} not measured: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await nats?.close();
  const nc = await connect({ servers: natsConnectOptions(natsUrl).servers }).catch(() => undefined);
  if (nc) {
    const jsm = await jetstreamManager(nc);
    for (const s of ['MARKET', 'OPPORTUNITIES', 'EXECUTION', 'DLQ']) await jsm.streams.delete(`${ns.toUpperCase()}_${s}`).catch(() => undefined);
    await nc.close();
  }
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`bus benchmark (node ${process.version}; NATS at ${natsUrl}; 200-byte JSON payloads; latency = publish call to handler entry, one message at a time)\n`);
  console.log(`${'bus'.padEnd(24)}${'subjects'.padEnd(20)}${'messages'.padStart(9)}${'msgs/s'.padStart(11)}${'p50 µs'.padStart(9)}${'p99 µs'.padStart(9)}`);
  for (const r of rows) console.log(`${r.bus.padEnd(24)}${r.subject.padEnd(20)}${String(r.messages).padStart(9)}${String(r.msgsPerSec).padStart(11)}${String(r.p50us).padStart(9)}${String(r.p99us).padStart(9)}`);
  console.log('\nJetStream: each publish waits for the server to store the message (file storage) and each delivery is acked explicitly; core NATS is at most once.');
}

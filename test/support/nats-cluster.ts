/**
 * A 3-node NATS JetStream cluster of the test's own on free loopback ports — each node with its own
 * config file (the shape of deploy/nats/nats-cluster.conf: one cluster name, every node routing to
 * all three) and store directory in a temporary folder — that a test may SIGKILL and restart node
 * by node. The machine's NATS is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { tcpProbe } from '../../engine/infra/health/index.ts';
import { freePort } from './servers.ts';
import { waitUntil } from './wait.ts';

interface Node {
  name: string;
  port: number;
  clusterPort: number;
  conf: string;
  proc?: ChildProcess;
}

export class NatsCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: Node[],
  ) {}

  /** Writes the three configs and starts the nodes; resolves once JetStream has a meta leader. */
  static async start(): Promise<NatsCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'solrules-nats-cluster-'));
    const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const nodes: Node[] = [0, 1, 2].map((i) => ({ name: `n${i + 1}`, port: ports[2 * i]!, clusterPort: ports[2 * i + 1]!, conf: join(dir, `n${i + 1}.conf`) }));
    const routes = nodes.map((n) => `    nats-route://127.0.0.1:${n.clusterPort}`).join('\n');
    for (const n of nodes) {
      mkdirSync(join(dir, n.name));
      writeFileSync(n.conf, `server_name: ${n.name}\nhost: 127.0.0.1\nport: ${n.port}\njetstream {\n  store_dir: ${JSON.stringify(join(dir, n.name))}\n  max_memory_store: 64MB\n  max_file_store: 1GB\n}\ncluster {\n  name: solrules-test\n  host: 127.0.0.1\n  port: ${n.clusterPort}\n  routes: [\n${routes}\n  ]\n}\n`);
    }
    const cluster = new NatsCluster(dir, nodes);
    for (let i = 0; i < nodes.length; i++) await cluster.startNode(i);
    await cluster.waitReady();
    return cluster;
  }

  /** The client URL listing every node, for SOLRULES_BUS (streams kept in 3 copies). */
  get url(): string {
    return `nats://${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}?replicas=3`;
  }

  /** One node's own URL. */
  nodeUrl(i: number): string {
    return `nats://127.0.0.1:${this.nodes[i]!.port}`;
  }

  async startNode(i: number): Promise<void> {
    const n = this.nodes[i]!;
    const proc = spawn('nats-server', ['-c', n.conf], { stdio: 'ignore' });
    n.proc = proc;
    let exited = false;
    proc.once('exit', () => void (exited = true));
    await waitUntil(async () => {
      if (exited) throw new Error(`nats-server ${n.name} exited at start`);
      return (await tcpProbe('127.0.0.1', n.port, 200)).ok;
    }, { what: `nats-server ${n.name} on port ${n.port}`, timeoutMs: 15_000, intervalMs: 50 });
  }

  /** SIGKILLs node `i` and waits for it to exit. */
  async killNode(i: number): Promise<void> {
    const proc = this.nodes[i]!.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await gone;
    this.nodes[i]!.proc = undefined;
  }

  /** Waits until JetStream answers through every running node (a meta leader is elected). */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    for (const [i, n] of this.nodes.entries()) {
      if (!n.proc) continue;
      await waitUntil(async () => {
        const nc = await connect({ servers: this.nodeUrl(i), reconnect: false }).catch(() => undefined);
        if (!nc) return false;
        try {
          await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
          return true;
        } catch {
          return false;
        } finally {
          await nc.close();
        }
      }, { what: `JetStream through ${n.name}`, timeoutMs, intervalMs: 200 });
    }
    // A meta leader can answer before every peer has joined it: a stream replicated on all running
    // nodes is then refused ("no suitable peers for placement"). Ready means such a stream can be made.
    const running = this.nodes.flatMap((n, i) => (n.proc ? [i] : []));
    if (running.length < 2) return;
    await waitUntil(async () => {
      const nc = await connect({ servers: this.nodeUrl(running[0]!), reconnect: false }).catch(() => undefined);
      if (!nc) return false;
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        await jsm.streams.add({ name: 'solrules_cluster_ready', subjects: ['_solrules_cluster_ready.>'], num_replicas: running.length });
        await jsm.streams.delete('solrules_cluster_ready');
        return true;
      } catch {
        return false;
      } finally {
        await nc.close();
      }
    }, { what: `a stream replicated on all ${running.length} running nodes`, timeoutMs, intervalMs: 200 });
  }

  async dispose(): Promise<void> {
    for (let i = 0; i < this.nodes.length; i++) await this.killNode(i);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

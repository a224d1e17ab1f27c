/**
 * Private servers for fault tests: a `nats-server` or `redis-server` of the test's own, on a
 * free loopback port, that the test may kill and restart. The machine's shared services are
 * never touched. When the binary is missing the caller skips (or fails under CI=true).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tcpProbe } from '../../engine/infra/health/index.ts';
import { missingPrerequisite } from './services.ts';
import { waitUntil } from './wait.ts';

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** True when `bin` runs; otherwise fails under CI=true or skips loudly (`missingPrerequisite`) and returns false. */
export function requireBinary(t: TestContext, bin: 'nats-server' | 'redis-server'): boolean {
  if (!spawnSync(bin, ['--version'], { stdio: 'ignore' }).error) return true;
  return missingPrerequisite(t, `${bin} is not installed`, `apt-get install ${bin}`);
}

function waitFor(cond: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  return waitUntil(cond, { what, timeoutMs: ms, intervalMs: 50 });
}

/** A server process the test owns: start, kill (any signal), start again on the same port and data. */
export class OwnServer {
  private proc: ChildProcess | undefined;
  readonly dir: string;

  constructor(
    readonly kind: 'nats' | 'redis',
    readonly port: number,
    /** Replaces the default flags after the port (e.g. NATS without -js, Redis with --requirepass). */
    private readonly extraArgs: string[] = [],
    private readonly jetstream = true,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `solrules-${kind}-`));
  }

  get url(): string {
    return this.kind === 'nats' ? `nats://127.0.0.1:${this.port}` : `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    const [bin, args] =
      this.kind === 'nats'
        ? ['nats-server', ['-a', '127.0.0.1', '-p', String(this.port), ...(this.jetstream ? ['-js', '-sd', this.dir] : []), ...this.extraArgs]]
        : ['redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs]];
    const proc = spawn(bin, args, { stdio: 'ignore' });
    this.proc = proc;
    let exited = false;
    proc.once('exit', () => void (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`${bin} exited at start (port ${this.port} taken?)`);
      return (await tcpProbe('127.0.0.1', this.port, 200)).ok;
    }, `${bin} on port ${this.port}`);
  }

  /** Kills the server (SIGKILL by default: no clean shutdown) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    await gone;
    this.proc = undefined;
  }

  /** Stops the server and removes its data directory. */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts an own server of `kind` on a free port. */
export async function startOwnServer(kind: 'nats' | 'redis', opts: { extraArgs?: string[]; jetstream?: boolean } = {}): Promise<OwnServer> {
  const server = new OwnServer(kind, await freePort(), opts.extraArgs ?? [], opts.jetstream ?? true);
  await server.start();
  return server;
}

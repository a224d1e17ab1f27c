/**
 * Health: /healthz says the process is alive; /readyz says it can do its job — rules loaded and
 * every configured service reachable. Components register one check each
 * (`health.register('bus', () => bus.ping())`); readiness runs them all with a timeout.
 */
import { connect } from 'node:net';
import { metrics } from './metrics.ts';

export interface CheckResult {
  ok: boolean;
  /** What is wrong (or what was checked): shown by /readyz and `solrules admin status`. Never a secret. */
  detail?: string;
}

export type Check = () => CheckResult | boolean | Promise<CheckResult | boolean>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult & { ms: number }>;
}

export class Health {
  private readonly checks = new Map<string, Check>();
  private readonly startedAt = Date.now();

  /** @param required checks that must be registered for the engine to be ready (default: `rules`). */
  constructor(private readonly required: readonly string[] = ['rules']) {}

  /** Registers (or replaces) a named check. Returns a function that removes it. */
  register(name: string, check: Check): () => void {
    this.checks.set(name, check);
    return () => {
      if (this.checks.get(name) === check) this.checks.delete(name);
    };
  }

  uptimeSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** Runs every check (each within `timeoutMs`) and updates the readiness gauges. */
  async readiness(timeoutMs = 1_000): Promise<Readiness> {
    const checks: Readiness['checks'] = {};
    for (const name of this.required) if (!this.checks.has(name)) checks[name] = { ok: false, detail: 'not registered yet (still starting)', ms: 0 };
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const t0 = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          const result = await Promise.race([
            Promise.resolve().then(check),
            new Promise<CheckResult>((resolve) => (timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs))),
          ]);
          checks[name] = { ...(typeof result === 'boolean' ? { ok: result } : result), ms: Math.round(performance.now() - t0) };
        } catch (err) {
          checks[name] = { ok: false, detail: (err as Error).message, ms: Math.round(performance.now() - t0) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ready = Object.values(checks).every((c) => c.ok);
    for (const [name, c] of Object.entries(checks)) metrics.engine.readinessCheck.set({ check: name }, c.ok ? 1 : 0);
    metrics.engine.ready.set(ready ? 1 : 0);
    return { ready, checks };
  }
}

/** The process-wide health checks (what /readyz reports). */
export const health = new Health();

/** A check that a TCP service answers at host:port (for services without a ping of their own). */
export function tcpCheck(host: string, port: number, timeoutMs = 500): Check {
  return () =>
    new Promise<CheckResult>((resolve) => {
      const socket = connect({ host, port });
      const done = (r: CheckResult) => {
        socket.destroy();
        resolve(r);
      };
      socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `${host}:${port} did not answer within ${timeoutMs} ms` }));
      socket.once('connect', () => done({ ok: true, detail: `${host}:${port} reachable` }));
      socket.once('error', (err) => done({ ok: false, detail: `${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    });
}

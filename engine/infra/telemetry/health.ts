/**
 * Health: /healthz says the process is alive; /readyz says it can do its job — rules loaded and
 * every configured service reachable. Each registers one check
 * (`health.register('bus', serviceCheck(servers, 4222))`); readiness runs them all with a timeout.
 */
import { tcpProbe } from '../health/index.ts';
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

/**
 * A check that a configured server answers: a TCP connection opens to one of `urls`
 * (nats://…, postgres://…; `defaultPort` when a URL names none). Its detail names host:port,
 * never the credentials a URL may carry.
 */
export function serviceCheck(urls: readonly string[], defaultPort: number, timeoutMs = 500): Check {
  const targets = urls.map((u) => {
    const url = new URL(u.includes('://') ? u : `tcp://${u}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || defaultPort) };
  });
  return async () => {
    const problems: string[] = [];
    for (const { host, port } of targets) {
      const probe = await tcpProbe(host, port, timeoutMs);
      if (probe.ok) return { ok: true, detail: `${host}:${port} reachable` };
      problems.push(probe.reason);
    }
    return { ok: false, detail: problems.join('; ') };
  };
}

/**
 * Reachability of the machine's services for integration tests, and the project rule for any
 * prerequisite a test lacks (a service down, a server binary or tool not installed): with
 * CI=true it is a test failure (CI must never pass by skipping); elsewhere the test is skipped
 * with a loud notice on stderr.
 */
import type { TestContext } from 'node:test';
import { tcpProbe } from '../../engine/infra/health/index.ts';

/** A service's URL (TEST_<NAME>_URL overrides it) and the host and port tests probe: the URL's own. */
function endpoint(url: string, defaultPort: number): { host: string; port: number; url: string } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort), url };
}

export const SERVICES = {
  postgres: endpoint(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 5432),
  redis: endpoint(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 6379),
  nats: endpoint(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222', 4222),
};

export type ServiceName = keyof typeof SERVICES;

/**
 * The test lacks `what`: throws under CI=true, otherwise marks the test skipped and prints a
 * loud notice with `hint` (how to get it). Returns false, for `if (!…) return`.
 */
export function missingPrerequisite(t: TestContext, what: string, hint: string): false {
  if (process.env.CI === 'true') throw new Error(`${what} (CI=true: a missing prerequisite fails the run; ${hint})`);
  process.stderr.write(`\n!!!! SKIPPED: ${what} — ${hint} !!!!\n\n`);
  t.skip(what);
  return false;
}

/**
 * Call at the start of a test that needs `name`. Returns true when the service is up; when it
 * is down, fails under CI=true or skips loudly (see `missingPrerequisite`) and returns false.
 */
export async function requireService(t: TestContext, name: ServiceName): Promise<boolean> {
  const svc = SERVICES[name];
  // A stopped service refuses at once; the long wait only spares a loaded machine (a 1 s probe failed at load 30+).
  const probe = await tcpProbe(svc.host, svc.port, 5_000);
  if (probe.ok) return true;
  return missingPrerequisite(t, `${name} is not reachable: ${probe.reason}`, 'start it (see README "Services") to run this test');
}

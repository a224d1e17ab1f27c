/**
 * Reachability of the machine's services for integration tests.
 *
 * With CI=true an unreachable service is a test failure (CI must never pass by skipping);
 * elsewhere the test is skipped with a loud notice on stderr.
 */
import { connect } from 'node:net';
import type { TestContext } from 'node:test';

export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432, url: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  redis: { host: '127.0.0.1', port: 6379, url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  nats: { host: '127.0.0.1', port: 4222, url: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222' },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** Resolves true when a TCP connection to host:port opens within `timeoutMs`. */
export function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Call at the start of a test that needs `name`. Returns true when the service is up.
 * When it is down: throws under CI=true, otherwise marks the test skipped, prints a notice
 * and returns false (the caller returns early).
 */
export async function requireService(t: TestContext, name: ServiceName): Promise<boolean> {
  const svc = SERVICES[name];
  if (await tcpReachable(svc.host, svc.port)) return true;
  const msg = `${name} is not reachable at ${svc.host}:${svc.port}`;
  if (process.env.CI === 'true') throw new Error(`${msg} (CI=true: an unreachable service fails the run)`);
  process.stderr.write(`\n!!!! SKIPPED: ${msg} — start it (see README "Services") to run this test !!!!\n\n`);
  t.skip(msg);
  return false;
}

/** What `solrules doctor` reports per service, and a TCP probe that says why a port does not answer. */
import { connect } from 'node:net';
import { redactUrl } from './redact.ts';

export interface ServiceReport {
  /** What is configured, as the user would recognise it (no passwords). */
  target: string;
  ok: boolean;
  /** Facts found on the way (versions, streams, migrations). */
  details: string[];
  /** What is wrong, precisely. */
  problem?: string;
  /** What to do about it. */
  fix?: string;
}

/** The report for a setting that does not parse: the value as given (without its password), why it is refused, what to set. */
export function unusableSetting(value: string | undefined, err: unknown, fix: string): ServiceReport {
  return { target: redactUrl(value ?? '(unset)'), ok: false, details: [], problem: (err as Error).message, fix };
}

/** Opens a TCP connection to host:port; the reason in words when it cannot. */
export function tcpProbe(host: string, port: number, timeoutMs = 1_500): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: { ok: true } | { ok: false; reason: string }) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `no answer from ${host}:${port} within ${timeoutMs} ms (firewall, or wrong host?)` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ECONNREFUSED' ? `nothing listens on ${host}:${port} (connection refused)`
        : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? `host '${host}' not found`
        : `${host}:${port}: ${err.code ?? err.message}`;
      done({ ok: false, reason: why });
    });
  });
}

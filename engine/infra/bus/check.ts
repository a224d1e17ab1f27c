/** `solrules doctor` for the bus: is the configured NATS reachable, JetStream on, are our streams right. */
import { tcpProbe, unusableSetting, type ServiceReport } from '../health/index.ts';
import { resolveBusConfig, type OpenBusOptions } from './open.ts';

/** Checks the bus the options / environment select; never changes anything on the server. */
export async function checkBus(opts: OpenBusOptions = {}): Promise<ServiceReport> {
  let cfg;
  try {
    cfg = resolveBusConfig(opts);
  } catch (err) {
    return unusableSetting(opts.url ?? process.env.SOLRULES_BUS, err, 'set SOLRULES_BUS to nats://host:4222 or unset it for the in-process bus');
  }
  if (cfg.kind === 'memory') return { target: cfg.display, ok: true, details: ['nothing to check: messages stay in this process (set SOLRULES_BUS=nats://… to share work between processes)'] };
  // The NATS client loads only when a NATS bus is configured: an in-process run never pays for it.
  const { natsConnectOptions, STREAMS, Namespace } = await import('./nats/index.ts');
  const [{ connect }, { jetstreamManager }, { AuthorizationError, UserAuthenticationExpiredError }] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream'), import('@nats-io/nats-core')]);
  const co = natsConnectOptions(cfg.servers);
  const details: string[] = [];
  for (const hp of co.servers) {
    const [host, port] = hp.split(':') as [string, string];
    const probe = await tcpProbe(host, Number(port));
    if (!probe.ok) {
      details.push(`${hp}: ${probe.reason}`);
    }
  }
  if (details.length === co.servers.length) {
    return { target: cfg.display, ok: false, details, problem: `no NATS server answers at ${co.servers.join(', ')}`, fix: 'start one with JetStream: nats-server -js (Debian package nats-server), or fix the host/port in SOLRULES_BUS' };
  }
  let nc;
  try {
    nc = await connect({ ...co, timeout: 3_000, maxReconnectAttempts: 0, name: 'solrules-doctor' });
  } catch (err) {
    const msg = (err as Error).message;
    const auth = err instanceof AuthorizationError || err instanceof UserAuthenticationExpiredError;
    return { target: cfg.display, ok: false, details, problem: `NATS refused the connection: ${msg}`, fix: auth ? 'put the user and password in the URL: nats://user:password@host:4222' : 'check the server log' };
  }
  try {
    details.push(`server ${nc.info?.server_name ?? ''} version ${nc.info?.version ?? '?'}`.replace('  ', ' '));
    if (!nc.info?.jetstream) {
      return { target: cfg.display, ok: false, details, problem: 'JetStream is not enabled on this NATS server', fix: 'restart nats-server with -js (and -sd <dir> for where it stores streams)' };
    }
    const jsm = await jetstreamManager(nc, { timeout: 3_000 });
    const ns = new Namespace(cfg.namespace);
    const existing = new Map<string, { subjects: string[]; messages: number; consumers: number }>();
    for await (const s of jsm.streams.list()) existing.set(s.config.name, { subjects: s.config.subjects ?? [], messages: s.state.messages, consumers: s.state.consumer_count });
    const problems: string[] = [];
    for (const spec of Object.values(STREAMS)) {
      const name = ns.stream(spec.name);
      const subject = ns.subject(spec.subject);
      const have = existing.get(name);
      if (have) {
        if (!have.subjects.includes(subject)) problems.push(`stream ${name} exists for ${have.subjects.join(', ')}, not ${subject}`);
        else details.push(`stream ${name} (${subject}): ${have.messages} messages, ${have.consumers} consumers`);
        continue;
      }
      const clash = [...existing].find(([, s]) => s.subjects.some((x) => x === subject || x === '>' || subject.startsWith(x.replace(/>$/, ''))));
      if (clash) problems.push(`stream ${clash[0]} already captures ${clash[1].subjects.join(', ')}, which overlaps ${subject}: ours cannot be created`);
      else details.push(`stream ${name} (${subject}): not created yet (the engine creates it at start)`);
    }
    if (problems.length) {
      return { target: cfg.display, ok: false, details, problem: problems.join('; '), fix: 'delete or rename the conflicting stream (nats stream rm NAME), or give solrules its own namespace: SOLRULES_BUS=nats://…?namespace=NAME' };
    }
    return { target: cfg.display, ok: true, details };
  } catch (err) {
    return { target: cfg.display, ok: false, details, problem: `JetStream did not answer: ${(err as Error).message}`, fix: 'check that JetStream is enabled (-js) and has storage (-sd)' };
  } finally {
    await nc.close();
  }
}

/**
 * `run --role scanner`: a scanner process of a split deployment. It joins the `scanner` group,
 * watches only its share of the configured pools and oracles (rendezvous over the live members;
 * a member that dies has its share taken over within the membership's bound), forwards every
 * account update of its share on `market.accounts` for the planners, and republishes its share
 * when a planner asks (`cluster.sync.<member>`). It derives no facts and decides nothing.
 */
import type { Bus } from '../infra/bus/index.ts';
import { MemoryCache } from '../infra/cache/index.ts';
import { Membership } from '../cluster/index.ts';
import { MarketScanner, ScannerForwarder, type ScannerConfig } from '../market/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';

export interface ScannerRoleOptions {
  config: ScannerConfig;
  bus: Bus;
  member: string;
  log?: Logger;
  heartbeatMs?: number;
}

/** A running scanner process: its share, its scanner, and a clean stop. */
export interface ScannerRole {
  membership: Membership;
  scanner: MarketScanner;
  forwarder: ScannerForwarder;
  stop(): Promise<void>;
}

/** Joins the scanner group and starts forwarding this member's share. */
export async function startScannerRole(opts: ScannerRoleOptions): Promise<ScannerRole> {
  const membership = new Membership(opts.bus, { group: 'scanner', member: opts.member, ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}), ...(opts.log ? { log: opts.log } : {}) });
  await membership.start();
  const forwarder = new ScannerForwarder(opts.bus, opts.member);
  // The duplicate filter stays in this process: shared (SOLRULES_CACHE), a second scanner reading the same
  // account at the same slot — the initial read, a takeover's fresh read — would drop it and never hold
  // the pools of its share. Planners drop what two scanners both forward.
  const scanner = new MarketScanner({ config: opts.config, bus: opts.bus, cache: new MemoryCache(), partition: membership, forward: forwarder, publishFacts: false, chainTime: true, ...(opts.log ? { log: opts.log } : {}) });
  const sync = await forwarder.serveResync(() => scanner.republish());
  await scanner.start();
  return {
    membership,
    scanner,
    forwarder,
    async stop() {
      await sync.unsubscribe();
      await scanner.stop();
      await membership.stop();
    },
  };
}

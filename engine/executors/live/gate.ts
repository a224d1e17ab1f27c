/**
 * The live gate: what must hold before anything is sent to a chain — an explicit `--live`, a
 * wallets.yaml whose keys all load (files private to their owner, variables set) with at least
 * one worker, and every live executor configured with where to send (RPC endpoints, block
 * engine). It reports every problem at once; it never prints a key.
 */
import { dirname } from 'node:path';
import { isSolrulesError } from '../../errors/index.ts';
import { Keystore, type WalletsConfig } from '../../wallets/index.ts';
import { EXECUTOR_KINDS, executorKind } from '../registry.ts';

export interface LiveReadiness {
  ready: boolean;
  problems: string[];
  wallets: { name: string; tier: string; address: string }[];
}

export function liveReadiness(input: { wallets?: { file: string; config: WalletsConfig }; executors: Record<string, { type: string; [k: string]: unknown }>; env?: NodeJS.ProcessEnv }): LiveReadiness {
  const problems: string[] = [];
  let wallets: LiveReadiness['wallets'] = [];
  if (!input.wallets) problems.push('no wallets.yaml: live submission needs configured wallets (tiers and key references)');
  else {
    const ks = new Keystore();
    for (const w of input.wallets.config.wallets) {
      try {
        ks.add(Keystore.load({ version: 1, wallets: [w] }, { baseDir: dirname(input.wallets.file), ...(input.env ? { env: input.env } : {}) }).get(w.name));
      } catch (err) {
        problems.push(isSolrulesError(err) ? `${input.wallets.file}: wallet '${w.name}': ${err.message} [${err.code}]` : String(err));
      }
    }
    wallets = ks.all().map((w) => w.toJSON() as LiveReadiness['wallets'][number]);
    if (!input.wallets.config.wallets.some((w) => w.tier === 'worker')) problems.push(`${input.wallets.file}: no wallet of tier worker; orders are sent from worker wallets`);
  }
  for (const [name, e] of Object.entries(input.executors)) {
    const kind = executorKind(e.type);
    if (!kind) problems.push(`strategies.yaml executors.${name}: no executor kind '${e.type}' is registered (${EXECUTOR_KINDS.map((k) => k.type).join(', ')})`);
    else problems.push(...kind.readiness(name, e));
  }
  return { ready: problems.length === 0, problems, wallets };
}
